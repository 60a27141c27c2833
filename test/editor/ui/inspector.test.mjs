// The Harmony transcript language and the token inspector, as a user sees them: a
// highlighted transcript, then "Harmony: Inspect Harmony Tokens" from the Command Palette.
// What the webview shows is compared with the harmony CLI on the same file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite, suiteTeardown, test } from 'mocha';
import { screenshot, session } from './session.mjs';
import { activeTabTitle, closeAllEditors, openFile, runCommand, waitForValue } from './workbench.mjs';

function cli(args, file) {
  const { root } = session();
  const run = spawnSync(process.execPath, [join(root, 'dist/cli.js'), ...args, file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

/** The inspector's document lives in a nested webview frame; find it by its count element. */
async function inspectorFrame(page, expectedSource) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const source = await frame.locator('#source').textContent({ timeout: 100 }).catch(() => null);
      const count = await frame.locator('#count').getAttribute('data-count', { timeout: 100 }).catch(() => null);
      if (count && source?.includes(expectedSource)) return frame;
    }
    await sleep(50);
  }
  throw new Error(`no inspector webview for ${expectedSource} within 30 s`);
}

suite('Harmony transcript highlighting and the token inspector', () => {
  suiteTeardown(() => closeAllEditors(session().page));

  test('a transcript is highlighted (screenshot) and the inspector shows what the CLI reads', async () => {
    const { page, workspace } = session();
    await openFile(page, 'conversation.harmony');
    await waitForValue('active tab', () => activeTabTitle(page), 'conversation.harmony');
    // Special tokens, roles and channels get their own colours: Monaco draws each style as an mtkN class.
    const styles = () =>
      page.locator('.editor-group-container.active .view-lines span[class*="mtk"]').evaluateAll((spans) => new Set(spans.map((s) => s.className)).size);
    let styled = 0;
    for (let i = 0; i < 100 && styled < 5; i++, await sleep(100)) styled = await styles();
    assert.ok(styled >= 5, `only ${styled} token styles on screen: the grammar did not colour the transcript`);
    await screenshot('harmony-transcript-highlighted');
    // The status bar shows the token count of the active transcript (the CLI's count, checked below).
    const expectedCount = Number(cli(['count', '--transcript'], join(workspace, 'conversation.harmony')));
    await page.locator('.statusbar-item', { hasText: `${expectedCount.toLocaleString('en-US')} tokens` }).first().waitFor({ timeout: 30_000 });

    await runCommand(page, 'Harmony: Inspect Harmony Tokens');
    const frame = await inspectorFrame(page, 'conversation.harmony');
    const file = join(workspace, 'conversation.harmony');
    const expected = JSON.parse(cli(['parse', '--transcript'], file)).messages;
    assert.equal(Number(await frame.locator('#count').getAttribute('data-count')), expectedCount);
    const shown = await frame.locator('.message').evaluateAll((els) =>
      els.map((el) => ({ role: el.dataset.role, channel: el.dataset.channel || null, recipient: el.dataset.recipient || null, content: el.querySelector('.content')?.textContent })),
    );
    assert.deepEqual(shown, expected.map((m) => ({ role: m.role, channel: m.channel, recipient: m.recipient, content: m.content })));
    assert.ok((await frame.locator('.note').count()) >= 1, 'the malformed message shows its recovery note');
    // Chips stream in after the count and the messages are painted.
    await frame.locator('.chip.special').nth(10).waitFor({ timeout: 30_000 });
    assert.ok((await frame.locator('.chip.special').count()) > 10, 'special tokens are drawn as distinct chips');
    await screenshot('harmony-token-inspector');
  });

  test('the inspector opens a 35 KB, 36-tool prompt (time reported, not asserted)', async () => {
    const { page } = session();
    await closeAllEditors(page);
    await openFile(page, 'agent-prompt.harmony');
    await waitForValue('active tab', () => activeTabTitle(page), 'agent-prompt.harmony');
    const started = Date.now();
    await runCommand(page, 'Harmony: Inspect Harmony Tokens');
    const frame = await inspectorFrame(page, 'agent-prompt.harmony');
    const elapsed = Date.now() - started;
    assert.equal(Number(await frame.locator('#count').getAttribute('data-count')), 8360);
    console.log(`      inspector for a 35 KB transcript: drawn ${elapsed} ms after the command (palette included)`);
  });
});
