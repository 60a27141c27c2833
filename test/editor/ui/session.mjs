// The one workbench page that run-ui-tests.mjs opens and every UI test file shares (opening a
// workbench takes seconds; tests leave it as they found it). Set by the runner before mocha runs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

let current;

/** @param {{ page: import('playwright-core').Page, root: string, workspace: string }} value */
export function setSession(value) {
  current = value;
}

/** @returns {{ page: import('playwright-core').Page, root: string, workspace: string }} */
export function session() {
  if (!current) throw new Error('UI tests run only through test/editor/run-ui-tests.mjs');
  return current;
}

/**
 * Saves a full-page screenshot as test-results/screenshots/<name>.png and returns its path; of the
 * shared page, or of `page` (a test with an editor of its own).
 */
export async function screenshot(name, page = session().page) {
  const { root } = session();
  const dir = join(root, 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
