// Everyday use, as a user meets it in a real VS Code (code-server + Chromium) with our provider
// talking to the scripted stand-in for llama-server (test/support/scriptedLlamaServer.ts):
// 1. a profile without the two chat settings agent mode needs: the offer appears once models are
//    listed, "Set Up Agent Mode…" opens a modal that says what changes and why, nothing is written
//    before "Change Settings" is clicked, both are in settings.json after (screenshot of the modal);
// 2. after a reload, a prompt in chat: the usage item in the status bar shows tokens/s, the prompt
//    against the context and the cache figure where the server gives one (screenshot of item and
//    tooltip); a click offers the request log's transcript, which opens as a Harmony document.
// Its own code-server: the settings must be missing before VS Code starts.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'mocha';
import { screenshot, session } from './session.mjs';
import { chatModelLabel, lastResponse, openChat, pollUntil, scratchCopy, sendChatPrompt, standIn, startEditor } from './chatAgent.mjs';
import { statusBarLanguage } from './workbench.mjs';

const ANSWER = 'Hello from gpt-oss, through the stand-in.';

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/**
 * A notification with this text, as a toast or in the notification centre: in this headless
 * workbench they often go straight to the centre (the bell), so it is opened, as a user would.
 */
async function notification(page, text, timeoutMs) {
  const found = page.locator('.notification-toast, .notifications-center .notification-list-item', { hasText: text }).first();
  await pollUntil(
    `the notification "${text}" (toast or notification centre)`,
    async () => {
      if (await found.isVisible()) return true;
      if (!(await page.locator('.notifications-center').isVisible())) await runCommand(page, 'Notifications: Show Notifications').catch(() => {});
      return false;
    },
    { timeoutMs, intervalMs: 2000, describe: async () => `screenshot ${await screenshot('everyday-use-no-notification', page)}` },
  );
  return found;
}

/** The user's settings.json as VS Code wrote it ({} before it exists). */
function userSettings(editor) {
  const file = join(editor.server.userData, 'User', 'settings.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

/**
 * A screenshot of the region around `boxes`, with a margin: small PNGs for the README. With
 * `npm run test:ui -- --update-media` it also replaces media/<name>.png.
 */
async function clipped(name, page, boxes, margin = 12) {
  const left = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
  const top = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
  const right = Math.min(page.viewportSize().width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
  const bottom = Math.min(page.viewportSize().height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
  const { root } = session();
  const path = join(root, 'test-results', 'screenshots', `${name}.png`);
  await screenshot(`${name}-full`, page);
  const clip = { x: left, y: top, width: right - left, height: bottom - top };
  await page.screenshot({ path, clip });
  if (process.argv.includes('--update-media')) await page.screenshot({ path: join(root, 'media', `${name}.png`), clip });
  return path;
}

suite('everyday use: agent-mode setup and the usage status bar (scripted stand-in llama-server)', () => {
  test('the setup offer and its modal write the two chat settings only after consent; a chat response shows tokens/s in the status bar; its click opens the transcript', async function () {
    this.timeout(300_000);
    const { root, workspace } = session();
    const verbose = process.argv.includes('--verbose');
    const copy = scratchCopy(workspace, 'everyday-use');
    const server = await standIn.startScriptedLlamaServer(32_768);
    // Every request (agent mode's utility ones too) gets this answer, a token every 15 ms.
    server.fallback = { harmony: `<|channel|>analysis<|message|>Say hello.<|end|><|start|>assistant<|channel|>final<|message|>${ANSWER}<|return|>`, tokenDelayMs: 15 };
    let editor;
    try {
      editor = await startEditor({
        folder: copy.dir,
        // undefined drops the defaults of the test profile: VS Code's own defaults apply.
        settings: { 'chat.allowAnonymousAccess': undefined, 'chat.byokUtilityModelDefault': undefined, 'gptOss.servers': [{ url: server.url, kind: 'llamacpp' }] },
        extensionDevelopmentPath: root,
        verbose,
      });
      const { page } = editor;
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
      assert.equal(userSettings(editor)['chat.allowAnonymousAccess'], undefined, 'the profile starts without the setting');

      // 1. The offer, once the provider has listed the stand-in's model; then the modal.
      const offer = await notification(page, 'two chat settings need changing', 90_000);
      await offer.locator('.monaco-button', { hasText: 'Set Up Agent Mode…' }).click();
      const dialog = page.locator('.monaco-dialog-box', { hasText: 'Set up agent mode for gpt-oss models?' });
      await dialog.waitFor({ timeout: 30_000 });
      const detail = (await dialog.innerText()).replace(/\s+/g, ' ');
      assert.match(detail, /chat\.allowAnonymousAccess: false → true/, detail);
      assert.match(detail, /chat\.byokUtilityModelDefault: "\w+" → "mainAgent"/, detail);
      assert.match(detail, /Sign in to use GitHub Copilot/, 'it says why');
      const setupShot = await clipped('setup-agent-mode', page, [await dialog.boundingBox()]);
      assert.equal(userSettings(editor)['chat.allowAnonymousAccess'], undefined, 'nothing is written before the consent click');
      await dialog.locator('.monaco-button', { hasText: 'Change Settings' }).click();
      const written = await pollUntil('both settings in settings.json', () => {
        const settings = userSettings(editor);
        return settings['chat.allowAnonymousAccess'] === true && settings['chat.byokUtilityModelDefault'] === 'mainAgent' ? settings : undefined;
      });
      assert.deepEqual(written['gptOss.servers'], [{ url: server.url, kind: 'llamacpp' }], 'the other settings are untouched');
      const done = await notification(page, 'Agent mode is set up', 30_000);
      const doneText = (await done.innerText()).replace(/\s+/g, ' ');

      // 2. Chat picks up allowAnonymousAccess at start: reload, then a prompt to our model.
      await page.reload();
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
      await openChat(page);
      await pollUntil(`the model picker showing ${standIn.MODEL_ID}`, async () => (await chatModelLabel(page).catch(() => null)) === `Models, ${standIn.MODEL_ID}`, {
        describe: async () => `model picker: ${await chatModelLabel(page).catch((e) => e.message)}`,
      });
      assert.equal(await page.locator('.notification-toast', { hasText: 'two chat settings need changing' }).count(), 0, 'the offer is not made again');
      // Two turns: the second extends the first, so the server's prefix cache has something to reuse.
      const responses = page.locator('.interactive-item-container.interactive-response');
      // Seen once under load: right after the reload, chat answered "Please try again." without
      // asking any model (the stand-in got nothing). Then the prompt is sent once more, said in the output.
      let turns = 0;
      for (const prompt of ['Say hello.', 'Once more, please.']) {
        for (let attempt = 1; ; attempt++) {
          const before = server.requests.length;
          await sendChatPrompt(page, prompt);
          turns++;
          const outcome = await pollUntil(
            `the answer to "${prompt}" in chat`,
            async () => {
              if ((await responses.count()) !== turns) return undefined;
              if (await lastResponse(page).locator('.chat-markdown-part', { hasText: ANSWER }).isVisible()) return 'answered';
              const unasked = server.requests.length === before && (await lastResponse(page).locator('.chat-markdown-part', { hasText: 'Please try again' }).isVisible());
              return unasked ? 'unasked' : undefined;
            },
            {
              timeoutMs: 120_000,
              describe: async () => `${server.requests.length} requests reached the stand-in; screenshot ${await screenshot('everyday-use-no-answer', page)}`,
            },
          );
          if (outcome === 'answered') break;
          assert.ok(attempt < 3, `chat said "Please try again." ${attempt} times without asking our model: screenshot ${await screenshot('everyday-use-unasked', page)}`);
          // Copilot Chat answers so while its own start-up (offline here) has not settled; give it a moment.
          await page.waitForTimeout(3000);
          console.log(`      chat said "Please try again." without asking any model; "${prompt}" sent again`);
        }
      }

      const usage = page.locator('.statusbar-item', { hasText: 'tok/s' });
      await usage.waitFor({ timeout: 30_000 });
      const text = (await usage.innerText()).trim();
      const figures = /([\d.]+) tok\/s · ([\d,]+)\/32,768 \((\d+)%\) · cache (\d+)%/.exec(text);
      assert.ok(figures, `the usage item reads "${text}"`);
      assert.ok(Number(figures[1]) > 0, `tokens/s ${figures[1]}`);
      const promptTokens = Number(figures[2].replace(/,/g, ''));
      assert.ok(server.requests.some((r) => r.prompt.length === promptTokens), `${promptTokens} prompt tokens is one of the prompts the stand-in got`);
      assert.equal(Math.round((100 * promptTokens) / 32_768), Number(figures[3]), 'the fill is prompt / context');
      assert.ok(Number(figures[4]) >= 0 && Number(figures[4]) <= 100, `cache ${figures[4]}%`);
      await usage.hover();
      const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: 'tokens/s after the first token' }).first();
      await hover.waitFor({ timeout: 15_000 });
      const statusShot = await clipped('usage-status-bar', page, [await usage.boundingBox(), await hover.boundingBox()]);

      // 3. Its click: the quick pick; the transcript of the last request opens as Harmony.
      await usage.click();
      const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Last Request as Transcript' });
      await pick.waitFor({ timeout: 15_000 });
      assert.ok(await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Check Server' }).isVisible(), 'Check Server is offered');
      await pick.click();
      await pollUntil('a Harmony document', async () => (await statusBarLanguage(page).catch(() => '')) === 'Harmony (gpt-oss)');
      const lines = (await page.locator('.editor-group-container.active .view-lines').innerText()).replace(/\u00a0/g, ' ');
      assert.match(lines, /^<\|start\|>system<\|message\|>/, lines.slice(0, 200));

      for (const path of [setupShot, statusShot]) assert.ok(readFileSync(path).length < 200_000, `${path} is a small PNG`);
      console.log(`      setup said: "${doneText}"\n      usage item: "${text}"; ${server.requests.length} requests reached the stand-in`);
    } catch (error) {
      if (editor) {
        await screenshot('everyday-use-failure', editor.page).catch(() => {});
        // VS Code's logs (our output channel among them) go when the editor stops.
        const logs = join(root, 'test-results', 'everyday-use-logs');
        rmSync(logs, { recursive: true, force: true });
        cpSync(join(editor.server.userData, 'logs'), logs, { recursive: true });
        error.message += `\n(VS Code's logs of this run: ${logs})`;
      }
      throw error;
    } finally {
      await editor?.stop();
      await server.close();
      copy.remove();
    }
  });
});
