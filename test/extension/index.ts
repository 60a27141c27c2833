// The extension host calls run() (it is the `extensionTestsPath`) inside a real VS Code, after
// loading this checkout as the extension under development. It runs every `*.test.js` bundled
// next to it with mocha and rejects when a test fails, which makes the editor exit non-zero.
//
// To add tests: create `test/extension/<name>.test.ts` using mocha's `suite`/`test` and
// `import * as vscode from 'vscode'`. Nothing else to register: the runners
// (npm run test:extension, npm run test:electron) bundle every test/extension/*.test.ts
// into out/extension-tests-<pid>/<name>.test.js and this index loads them all. The window has
// test/fixtures/workspace/ open as its workspace folder.
import Mocha from 'mocha';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';

export async function run(): Promise<void> {
  // In code-server the extension host's console goes to the browser's devtools only, while its
  // stdout reaches the server's log; the runner echoes the lines that carry its prefix.
  const prefix = process.env.GPT_OSS_EXTENSION_TEST_STDOUT_PREFIX;
  if (prefix) {
    Mocha.reporters.Base.consoleLog = (...data: unknown[]) => {
      for (const line of format(...data).split('\n')) process.stdout.write(`${prefix}${line}\n`);
    };
  }
  const grep = process.env.GPT_OSS_EXTENSION_TEST_GREP;
  const mocha = new Mocha({ ui: 'tdd', color: process.env.GPT_OSS_EXTENSION_TEST_COLOR !== '0', timeout: 30_000, ...(grep ? { grep } : {}) });
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  const stats = await new Promise<Mocha.Stats>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats ?? { passes: 0, failures: 1 } as Mocha.Stats));
  });
  // The runner reads this back: exit codes alone cannot say how many tests ran.
  const resultsFile = process.env.GPT_OSS_EXTENSION_TEST_RESULTS;
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify({ passed: stats.passes, failed: stats.failures }));
  if (stats.failures > 0) throw new Error(`${stats.failures} extension-host test(s) failed`);
  if (stats.passes === 0) throw new Error('no extension-host tests ran');
}
