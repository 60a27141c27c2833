// `npm run test:ui`: drives a real VS Code workbench (code-server + headless Chromium) with
// Playwright, with this checkout loaded as the extension under development and
// test/fixtures/workspace/ open. Runs every test/editor/ui/*.test.mjs with mocha (tdd: suite/test);
// tests share one page through ui/session.mjs. Screenshots go to test-results/screenshots/.
// Exit code = result; {passed, failed} goes to $TEST_RESULTS_FILE. --verbose prints the server log;
// --grep PATTERN runs only the tests whose full title matches (mocha's grep).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { buildExtension, report, root, withEditor, workspace } from './editorSession.mjs';
import { setSession } from './ui/session.mjs';
import { waitForWorkbench } from './ui/workbench.mjs';

const uiDir = join(root, 'test', 'editor', 'ui');
const verbose = process.argv.includes('--verbose');
const grepAt = process.argv.indexOf('--grep');
const grep = grepAt >= 0 ? process.argv[grepAt + 1] : undefined;

async function runMocha(files) {
  const mocha = new Mocha({ ui: 'tdd', timeout: 90_000, color: process.stdout.isTTY, ...(grep ? { grep } : {}) });
  files.forEach((file) => mocha.addFile(file));
  await mocha.loadFilesAsync();
  const stats = await new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
  });
  return { passed: stats.passes, failed: stats.failures };
}

let counts = { passed: 0, failed: 1 };
try {
  buildExtension();
  const files = readdirSync(uiDir).filter((name) => name.endsWith('.test.mjs')).sort().map((name) => join(uiDir, name));
  const onLine = verbose ? (line) => console.log(`[code-server] ${line}`) : undefined;
  counts = await withEditor({ folder: workspace, onLine }, async ({ server, browser }) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.workbenchUrl([['extensionDevelopmentPath', root]]));
    await waitForWorkbench(page);
    setSession({ page, root, workspace });
    return runMocha(files);
  });
} catch (error) {
  console.error(error);
}
process.exit(report('UI tests', counts));
