// The test runners fail a test that hangs instead of stalling CI (the timeout of
// test/nodeTestRunner.mjs), and count it as failed in what run-all adds up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');

test('a test that hangs fails after the timeout and is counted as failed', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'runner-test-'));
  try {
    const results = join(scratch, 'results.json');
    const script =
      "import('./test/nodeTestRunner.mjs').then((m) => process.exit(m.runNodeTests({ dir: 'test/fixtures/runner', label: 'hang', filter: [], timeoutMs: 1500 })))";
    // Without NODE_TEST_CONTEXT: this file runs under node --test, and a nested runner that inherits it reports to us, not to stdout.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 50_000, env: { ...env, TEST_RESULTS_FILE: results } });
    assert.equal(run.error, undefined, 'the runner itself returned (it did not hang)');
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /hangs\.test\.ts .*\n\s*'test timed out after 1500ms'/);
    assert.deepEqual(JSON.parse(readFileSync(results, 'utf8')), { passed: 0, failed: 1 });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
