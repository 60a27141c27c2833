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

/** Closes every editor so the next test starts from an empty editor area. */
export async function closeAllEditors(page) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>View: Close All Editors');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Close All Editors' }).first().waitFor();
  await page.keyboard.press('Enter');
}
