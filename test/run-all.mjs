// `npm test`: every check, in order, every time. Each stage runs even when an
// earlier one failed, so one run shows everything that is wrong. The last line
// is the total as "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const npx = (...args) => ['npx', '--no-install', ...args];

/**
 * A stage is a command. A stage that counts its own tests writes {passed, failed}
 * to $TEST_RESULTS_FILE; any other stage counts as one check.
 */
const STAGES = [
  { name: 'setup (offline prerequisites)', command: ['node', 'test/setup.mjs'] },
  { name: 'build', command: ['node', 'esbuild.mjs'] },
  { name: 'typecheck (tsc --noEmit)', command: npx('tsc', '--noEmit', '-p', '.') },
  // The inspector webview's script against its message types, with the browser's (DOM) library.
  { name: 'typecheck webview (tsc --noEmit -p tsconfig.webview.json)', command: npx('tsc', '--noEmit', '-p', 'tsconfig.webview.json') },
  { name: 'lint (eslint)', command: npx('eslint', 'src', 'test', 'bench', 'esbuild.mjs') },
  { name: 'unit tests (plain Node)', command: ['node', 'test/run-unit.mjs'] },
  { name: 'grammar tests (vscode-tmgrammar-test)', command: ['node', 'test/grammar/run.mjs'] },
  { name: 'live llama.cpp tests', command: ['node', 'test/run-live.mjs'] },
  { name: 'extension-host tests (code-server)', command: ['node', 'test/editor/run-extension-tests.mjs'] },
  { name: 'UI tests (Playwright + Chromium)', command: ['node', 'test/editor/run-ui-tests.mjs'] },
  { name: 'VSIX: vsce package, install into code-server, selectChatModels', command: ['node', 'test/editor/vsix.mjs'] },
];

const scratch = mkdtempSync(join(tmpdir(), 'gpt-oss-test-'));
let passed = 0;
let failed = 0;
const summary = [];
try {
  for (const stage of STAGES) {
    const resultsFile = join(scratch, `${summary.length}.json`);
    const started = Date.now();
    console.log(`\n=== ${stage.name} ===`);
    const [command, ...args] = stage.command;
    const run = spawnSync(command, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TEST_RESULTS_FILE: resultsFile },
    });
    const ok = run.status === 0;
    let counts = { passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
    if (existsSync(resultsFile)) counts = JSON.parse(readFileSync(resultsFile, 'utf8'));
    // A stage that exits non-zero has failed even if its own count says otherwise.
    if (!ok && counts.failed === 0) counts.failed = 1;
    passed += counts.passed;
    failed += counts.failed;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    summary.push(`${ok ? 'ok  ' : 'FAIL'} ${stage.name}: ${counts.passed} passed, ${counts.failed} failed (${seconds} s)`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`\n${summary.join('\n')}\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
