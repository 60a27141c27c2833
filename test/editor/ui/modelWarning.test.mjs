// The chat model picker in a real VS Code (code-server + Chromium) says what is wrong with a
// server: our model on the real llama-server started with -c 2048 carries the context warning,
// and a model named in gptOss.servers[].models whose server does not answer carries the
// disconnected status icon and a warning saying why. The test opens the picker the way a user
// does and reads what it renders (each row's label, icon and accessible description, and the
// hover of the row), so a VS Code that stopped rendering either would fail here.
// This test has its own code-server: gptOss.servers must point at the servers before VS Code starts.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { suite, test } from 'mocha';
import { screenshot, session } from './session.mjs';
import { openChat, pollUntil, scratchCopy, startEditor } from './chatAgent.mjs';

// chatAgent.mjs registered tsx for this process: the TypeScript helpers load with require().
const require = createRequire(import.meta.url);
/** test/llama/server.ts: the real llama-server built by `npm run setup`. */
const llama = require('../../llama/server.ts');

const SMALL_MODEL = 'tiny-gpt-oss-2k';
const OFFLINE_MODEL = 'gpt-oss-offline';
const INPUT = '.interactive-input-part';

/** What the open picker shows: per row its label, its codicon classes, its accessible name and description. */
async function pickerRows(page) {
  return page.locator('.action-widget .monaco-list-row').evaluateAll((rows) =>
    rows.map((row) => ({
      label: row.innerText.replace(/\s+/g, ' ').trim(),
      icons: [...row.querySelectorAll('.codicon')].map((el) => [...el.classList].filter((c) => c.startsWith('codicon-')).join(' ')).filter(Boolean),
      ariaLabel: row.getAttribute('aria-label') ?? '',
      ariaDescription: row.getAttribute('aria-description') ?? '',
    })),
  );
}

suite('model picker warnings (real llama-server with -c 2048; a configured server that is down)', () => {
  test('the small-context model shows the context warning, the unreachable one its status icon and why; screenshot', async function () {
    this.timeout(240_000);
    const { root, workspace } = session();
    const copy = scratchCopy(workspace, 'picker-workspace');
    const small = await llama.startLlamaServer({ model: llama.craftedFinalModel, ctxSize: 2048, alias: SMALL_MODEL });
    const downUrl = `http://127.0.0.1:${await llama.freePort()}`;
    let editor;
    try {
      editor = await startEditor({
        folder: copy.dir,
        settings: {
          'gptOss.servers': [
            { url: small.url, kind: 'llamacpp', name: 'small llama' },
            { url: downUrl, kind: 'llamacpp', name: 'down server', models: [OFFLINE_MODEL] },
          ],
        },
        extensionDevelopmentPath: root,
        verbose: process.argv.includes('--verbose'),
      });
      const { page } = editor;
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
      await openChat(page);

      // Open the picker the way a user does; models other than the current one sit under
      // "Other Models", which opens as a submenu beside it.
      const picker = page.locator(`${INPUT} .model-picker-name`).first();
      const rowsWith = (names) =>
        pollUntil(
          `${names.join(' and ')} in the open model picker`,
          async () => {
            if (!(await page.locator('.action-list-filter-input').first().isVisible())) await picker.click({ timeout: 5000 }).catch(() => {});
            const other = page.locator('.action-widget .monaco-list-row', { hasText: 'Other Models' }).first();
            if (await other.isVisible()) await other.click({ timeout: 5000 }).catch(() => {});
            const seen = await pickerRows(page);
            const found = names.map((name) => seen.find((r) => r.label.includes(name)));
            if (found.every(Boolean)) return found;
            // An open picker keeps the list it opened with: close it, so the next try sees models listed since.
            await page.keyboard.press('Escape');
            await page.keyboard.press('Escape');
            return undefined;
          },
          {
            timeoutMs: 90_000,
            intervalMs: 2000,
            describe: async () => `rows: ${JSON.stringify(await pickerRows(page))}; screenshot ${await screenshot('model-picker-timeout', page)}`,
          },
        );
      const [offlineRow, smallRow] = await rowsWith([OFFLINE_MODEL, SMALL_MODEL]);
      const all = JSON.stringify({ smallRow, offlineRow }, null, 1);

      // The row of the unreachable server's model carries our status icon; the healthy one does not.
      assert.ok(offlineRow.icons.includes('codicon-debug-disconnect'), `the offline model's row shows the disconnected icon: ${all}`);
      assert.ok(!smallRow.icons.includes('codicon-debug-disconnect'), all);
      // Each warning is in the row's accessible name, as VS Code builds it from warningText ("Warning: …").
      assert.match(smallRow.ariaLabel, /Warning: Context of 2048 tokens: too small for agent mode/, all);
      assert.match(offlineRow.ariaLabel, /Warning: Server not reachable: Cannot connect to http:\/\/127\.0\.0\.1:\d+: connection refused\. Run Harmony: Check Server\./, all);

      // The hover of the small model's row: the warning as a person reads it.
      await page.locator('.action-widget .monaco-list-row', { hasText: SMALL_MODEL }).first().hover();
      const warning = page.locator('.chat-model-hover-warning-text');
      const hovered = await pollUntil('the hover with the context warning', async () => {
        const texts = await warning.allInnerTexts();
        return texts.find((t) => t.includes('too small for agent mode'));
      }, { timeoutMs: 30_000, describe: async () => `hover texts: ${JSON.stringify(await warning.allInnerTexts())}; screenshot ${await screenshot('model-picker-hover-timeout', page)}` });
      assert.match(hovered, /^Context of 2048 tokens: too small for agent mode \(its prompt alone is about 8360 tokens, plus 1024 for the answer\)\. Run Harmony: Check Server\.$/);
      await screenshot('model-picker-warnings', page);
      await page.keyboard.press('Escape');
    } finally {
      await editor?.stop();
      await small.stop();
      copy.remove();
    }
  });
});
