// `npm run test:extension`: runs the mocha suite in test/extension/ inside the extension host of a
// real VS Code (code-server), with this checkout as the extension under development and
// test/fixtures/workspace/ open. Exit code = result; {passed, failed} goes to $TEST_RESULTS_FILE.
// --verbose also prints code-server's log and the workbench console.
import { clearTimeout, setTimeout } from 'node:timers';
import { bundleExtensionTests } from './bundleExtensionTests.mjs';
import { buildExtension, extensionTestResults, report, root, withEditor, workspace } from './editorSession.mjs';
import { cacheDir as llamaCacheDir } from '../llama/paths.mjs';

const RUN_TIMEOUT_MS = 5 * 60_000;
const verbose = process.argv.includes('--verbose');
// Marks mocha's lines in code-server's log (see test/extension/index.ts).
const MOCHA_PREFIX = '[mocha] ';

/** Opens the workbench with the test payload and resolves with the exit code the extension host reports. */
async function runInWorkbench(server, browser, entry) {
  const page = await browser.newPage();
  if (verbose) page.on('console', (message) => console.log(`[workbench] ${message.text()}`));
  let finish;
  const exitCode = new Promise((resolve) => (finish = resolve));
  const fail = (why) => () => {
    console.error(`extension-host tests: ${why}`);
    finish(1);
  };
  // The workbench calls this once the extension host has run the tests and exited (smoke-test driver).
  await page.exposeFunction('codeAutomationExit', (code) => finish(code));
  page.once('crash', fail('the workbench page crashed'));
  const timer = setTimeout(fail(`no result within ${RUN_TIMEOUT_MS / 1000} s`), RUN_TIMEOUT_MS);
  try {
    await page.goto(server.workbenchUrl([['extensionDevelopmentPath', root], ['extensionTestsPath', entry]]));
    return await exitCode;
  } finally {
    clearTimeout(timer);
  }
}

function echoMocha(line) {
  const at = line.indexOf(MOCHA_PREFIX);
  if (at >= 0) console.log(line.slice(at + MOCHA_PREFIX.length));
  else if (verbose) console.log(`[code-server] ${line}`);
}

const results = extensionTestResults();
let exitCode = 1;
let bundle;
try {
  buildExtension();
  bundle = await bundleExtensionTests();
  const { entry, count } = bundle;
  console.log(`extension-host tests: ${count} test file(s) in ${entry}`);
  const env = {
    GPT_OSS_EXTENSION_TEST_RESULTS: results.path,
    GPT_OSS_EXTENSION_TEST_STDOUT_PREFIX: MOCHA_PREFIX,
    GPT_OSS_EXTENSION_TEST_COLOR: process.stdout.isTTY ? '1' : '0',
    // code-server gets a throwaway HOME and XDG_CACHE_HOME: the live llama-server test
    // (test/extension/liveLlama.test.ts) finds the real build and models through this.
    GPT_OSS_LLAMA_CACHE: llamaCacheDir,
  };
  exitCode = await withEditor({ folder: workspace, env, onLine: echoMocha }, ({ server, browser }) =>
    runInWorkbench(server, browser, entry));
} catch (error) {
  console.error(error);
} finally {
  bundle?.remove();
}
process.exit(report('extension-host tests', results.collect(exitCode === 0)));
