// `npm run test:electron`: the same extension-host suite as test:extension, in desktop VS Code
// downloaded by @vscode/test-electron. Needs access to update.code.visualstudio.com (so it is not
// part of npm test, which uses the offline code-server harness) and, on a headless Linux machine,
// a display: `xvfb-run -a npm run test:electron`. Pass a version as the first argument
// (default: stable). Downloads are cached with the offline editor, outside the clone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { bundleMochaTests } from './extensionHostMocha.mjs';
import { buildExtension, extensionTestResults, report, root, workspace } from './editorSession.mjs';
import { vscodeTestCache } from './paths.mjs';

const version = process.argv[2] ?? 'stable';
const scratch = mkdtempSync(join(tmpdir(), 'gpt-oss-electron-tests-'));
const results = extensionTestResults();
let ok = false;
let bundle;
try {
  buildExtension();
  bundle = await bundleMochaTests('extension-tests', join(root, 'test', 'extension'));
  const { entry } = bundle;
  await runTests({
    version,
    cachePath: vscodeTestCache,
    extensionDevelopmentPath: root,
    extensionTestsPath: entry,
    extensionTestsEnv: { GPT_OSS_EXTENSION_TEST_RESULTS: results.path },
    // A throwaway profile instead of the default .vscode-test/ folder inside the clone.
    launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${join(scratch, 'user-data')}`, `--extensions-dir=${join(scratch, 'extensions')}`],
  });
  ok = true;
} catch (error) {
  console.error(error);
} finally {
  bundle?.remove();
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(report('extension-host tests (electron)', results.collect(ok)));
