// What both editor runners share: build the extension, run a body with code-server and Chromium
// up, stop both in `finally` whatever happens, and report {passed, failed} the way run-all expects.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from './browser.mjs';
import { startCodeServer } from './codeServer.mjs';

export const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const workspace = join(root, 'test', 'fixtures', 'workspace');

/** The extension under development is loaded from dist/, so it must be current. */
export function buildExtension() {
  const result = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('node esbuild.mjs failed');
}

/**
 * Starts code-server (options as startCodeServer) and a browser, runs body({ server, browser }),
 * then closes the browser and stops the server, in that order, even when body throws.
 */
export async function withEditor(options, body) {
  let server;
  let browser;
  try {
    server = await startCodeServer(options);
    browser = await launchBrowser();
    return await body({ server, browser: browser.browser });
  } finally {
    await browser?.close();
    await server?.stop();
  }
}

/** Prints the counts, writes them to $TEST_RESULTS_FILE for run-all, and returns the exit code. */
export function report(name, counts) {
  console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed`);
  if (process.env.TEST_RESULTS_FILE) writeFileSync(process.env.TEST_RESULTS_FILE, JSON.stringify(counts));
  return counts.failed === 0 && counts.passed > 0 ? 0 : 1;
}

/**
 * A scratch file for test/extension/index.ts to write {passed, failed} into (its path goes to the
 * extension host as GPT_OSS_EXTENSION_TEST_RESULTS). collect(ok) reads it and removes it.
 */
export function extensionTestResults() {
  const dir = mkdtempSync(join(tmpdir(), 'gpt-oss-extension-results-'));
  const path = join(dir, 'results.json');
  return {
    path,
    collect(ok) {
      // No file: the suite never got to mocha (loading or activation failed), one failure.
      const counts = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : { passed: 0, failed: 1 };
      rmSync(dir, { recursive: true, force: true });
      // A failed run is a failure even when the counts it left say otherwise.
      if (!ok && counts.failed === 0) counts.failed = 1;
      return counts;
    },
  };
}
