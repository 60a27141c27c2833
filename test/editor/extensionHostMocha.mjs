// Runs a mocha suite inside a real VS Code's extension host (code-server): test/extension/index.ts is
// the `extensionTestsPath` entry, bundled with the suite's *.test.ts; the workbench reports the exit
// code, mocha's lines are echoed from code-server's log, and the counts come back as {passed, failed}.
// run-extension-tests.mjs (this checkout as the extension under development) and vsix.mjs (the
// installed VSIX, with the probe as the extension under development) both launch through here;
// run-electron-tests.mjs bundles the same way.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { extensionTestResults, root, withEditor, workspace } from './editorSession.mjs';

const MOCHA_ENTRY = join(root, 'test', 'extension', 'index.ts');
const RUN_TIMEOUT_MS = 5 * 60_000;
// Marks mocha's lines in code-server's log (see test/extension/index.ts).
const MOCHA_PREFIX = '[mocha] ';

/**
 * Bundles the mocha entry and every *.test.ts of testDir into out/<name>-<pid>/, one CommonJS file each,
 * for the extension host to require. `vscode` is provided by the host and mocha is required from the
 * checkout's node_modules (bundled, it cannot load the test files; that is why the bundle lives under
 * out/). One folder per run: several people may run the tests in one checkout at once, and the entry
 * loads every *.test.js beside it. remove() deletes the folder.
 */
export async function bundleMochaTests(name, testDir) {
  const outDir = join(root, 'out', `${name}-${process.pid}`);
  const remove = () => rmSync(outDir, { recursive: true, force: true });
  remove();
  const tests = readdirSync(testDir).filter((file) => file.endsWith('.test.ts'));
  const entryPoints = { index: MOCHA_ENTRY };
  for (const file of tests) entryPoints[basename(file, '.ts')] = join(testDir, file);
  await esbuild.build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return { entry: join(outDir, 'index.js'), count: tests.length, remove };
}

/** Opens the workbench with the bundled suite and resolves with the exit code the extension host reports. */
async function runInWorkbench({ server, browser }, { label, extensionDevelopmentPath, entry, verbose }) {
  const page = await browser.newPage();
  if (verbose) page.on('console', (message) => console.log(`[workbench] ${message.text()}`));
  let finish;
  const exitCode = new Promise((resolve) => (finish = resolve));
  const fail = (why) => () => {
    console.error(`${label}: ${why}`);
    finish(1);
  };
  // The workbench calls this once the extension host has run the tests and exited (smoke-test driver).
  await page.exposeFunction('codeAutomationExit', (code) => finish(code));
  page.once('crash', fail('the workbench page crashed'));
  const timer = setTimeout(fail(`no result within ${RUN_TIMEOUT_MS / 1000} s`), RUN_TIMEOUT_MS);
  try {
    await page.goto(server.workbenchUrl([['extensionDevelopmentPath', extensionDevelopmentPath], ['extensionTestsPath', entry]]));
    return await exitCode;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the *.test.ts of testDir with mocha in code-server's extension host, test/fixtures/workspace/ open.
 * @param {{ label: string, name: string, testDir: string, extensionDevelopmentPath: string,
 *   env?: Record<string, string>, settings?: object, extensionsDir?: string, verbose?: boolean }} options
 *   name: the bundle folder's prefix under out/; env, settings, extensionsDir: as startCodeServer takes them.
 * @returns {Promise<{ passed: number, failed: number }>}
 */
export async function runMochaInExtensionHost({ label, name, testDir, extensionDevelopmentPath, env = {}, settings, extensionsDir, verbose = false }) {
  const results = extensionTestResults();
  const echoMocha = (line) => {
    const at = line.indexOf(MOCHA_PREFIX);
    if (at >= 0) console.log(line.slice(at + MOCHA_PREFIX.length));
    else if (verbose) console.log(`[code-server] ${line}`);
  };
  let bundle;
  let exitCode = 1;
  try {
    bundle = await bundleMochaTests(name, testDir);
    console.log(`${label}: ${bundle.count} test file(s) in ${bundle.entry}`);
    const hostEnv = {
      ...env,
      GPT_OSS_EXTENSION_TEST_RESULTS: results.path,
      GPT_OSS_EXTENSION_TEST_STDOUT_PREFIX: MOCHA_PREFIX,
      GPT_OSS_EXTENSION_TEST_COLOR: process.stdout.isTTY ? '1' : '0',
    };
    exitCode = await withEditor({ folder: workspace, env: hostEnv, settings, extensionsDir, onLine: echoMocha }, (editor) =>
      runInWorkbench(editor, { label, extensionDevelopmentPath, entry: bundle.entry, verbose }));
  } catch (error) {
    console.error(error);
  } finally {
    bundle?.remove();
  }
  return results.collect(exitCode === 0);
}
