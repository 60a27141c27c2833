// `npm run test:extension`: runs the mocha suite in test/extension/ inside the extension host of a
// real VS Code (code-server), with this checkout as the extension under development and
// test/fixtures/workspace/ open. Exit code = result; {passed, failed} goes to $TEST_RESULTS_FILE.
// --verbose also prints code-server's log and the workbench console; --grep PATTERN runs only the tests
// whose full title matches (mocha's grep).
import { join } from 'node:path';
import { runMochaInExtensionHost } from './extensionHostMocha.mjs';
import { buildExtension, report, root } from './editorSession.mjs';
import { cacheDir as llamaCacheDir } from '../llama/paths.mjs';

const grepAt = process.argv.indexOf('--grep');
const grep = grepAt >= 0 ? process.argv[grepAt + 1] : undefined;

let counts = { passed: 0, failed: 1 };
try {
  buildExtension();
  counts = await runMochaInExtensionHost({
    label: 'extension-host tests',
    name: 'extension-tests',
    testDir: join(root, 'test', 'extension'),
    extensionDevelopmentPath: root,
    // code-server gets a throwaway HOME and XDG_CACHE_HOME: the live llama-server test
    // (test/extension/liveLlama.test.ts) finds the real build and models through this.
    env: { GPT_OSS_LLAMA_CACHE: llamaCacheDir, ...(grep ? { GPT_OSS_EXTENSION_TEST_GREP: grep } : {}) },
    verbose: process.argv.includes('--verbose'),
  });
} catch (error) {
  console.error(error);
}
process.exit(report('extension-host tests', counts));
