// Small helpers that drive the VS Code workbench the way a user does: keyboard and visible DOM.
import { setTimeout as sleep } from 'node:timers/promises';

const WAIT_MS = 30_000;

/** Polls until read() returns expected; on timeout fails with the last value seen, like an assertion. */
export async function waitForValue(what, read, expected) {
  const deadline = Date.now() + WAIT_MS;
  let actual;
  while (Date.now() < deadline) {
    actual = await read().catch(() => undefined);
    if (actual === expected) return actual;
    await sleep(200);
  }
  throw new Error(`${what}: expected ${JSON.stringify(expected)}, still ${JSON.stringify(actual)} after ${WAIT_MS / 1000} s`);
}

/** Waits until the workbench has rendered and the remote connection is up. */
export async function waitForWorkbench(page) {
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
}

/** Quick Open (Ctrl+P) by file name. */
export async function openFile(page, name) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(name);
  // File search on a cold server takes seconds: Enter before the row exists opens nothing.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: WAIT_MS });
  await page.keyboard.press('Enter');
}

/** The active editor tab's label as shown (name and suffix are separate spans, e.g. "sample" ".harmony"). */
export const activeTabTitle = (page) =>
  page.locator('.tabs-container .tab.active .monaco-icon-label-container').textContent();

/** The language picker in the status bar ("Plain Text" when no extension claims the file). */
export const statusBarLanguage = (page) => page.locator('[id="status.editor.mode"]').innerText();

/** The visible lines of the active editor as plain text (Monaco renders spaces as U+00A0). */
export const editorText = async (page) =>
  (await page.locator('.editor-group-container.active .view-lines').innerText()).replace(/\u00a0/g, ' ');

/**
 * Runs a command from the Command Palette (F1) by its full title, e.g. "View: Close All Editors".
 * The palette lists the commands enabled when it opens; a command that is not yet (chat commands
 * wait for the chat setup after start-up) is looked for again in a palette opened anew.
 */
export async function runCommand(page, title) {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input:visible').fill(`>${title}`);
    const listed = await row.waitFor({ timeout: 3000 }).then(() => true, () => false);
    if (listed) break;
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`the Command Palette did not offer "${title}" within ${WAIT_MS / 1000} s`);
  }
  await page.keyboard.press('Enter');
}

/** Closes every editor so the next test starts from an empty editor area. */
export const closeAllEditors = (page) => runCommand(page, 'View: Close All Editors');
