// Runs TypeScript test files (test/<dir>/**/*.test.ts) with node's test runner through tsx.
// Prints the spec report and writes {passed, failed} to $TEST_RESULTS_FILE for run-all.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

export function reportCounts(passed, failed) {
  if (process.env.TEST_RESULTS_FILE) writeFileSync(process.env.TEST_RESULTS_FILE, JSON.stringify({ passed, failed }));
}

/**
 * @param {{ dir: string, label: string, filter: string[], nodeArgs?: string[], timeoutMs?: number }} options
 *   timeoutMs: node's --test-timeout, so that a regression that hangs fails instead of stalling CI. Each file
 *   runs in a process of its own, and Node 20 applies the timeout to that process as a whole (all the file's
 *   tests together); a file cut short counts as failed. The default leaves the slowest unit file (about
 *   40 s on a loaded 2-core machine) room to spare.
 * @returns {number} the exit status
 */
export function runNodeTests({ dir, label, filter, nodeArgs = [], timeoutMs = 180_000 }) {
  const files = findTests(join(root, dir))
    .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
    .sort();
  if (files.length === 0) {
    console.error(`${label}: no test files found under ${dir}`);
    reportCounts(0, 1);
    return 1;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'gpt-oss-tests-'));
  const tap = join(scratch, 'report.tap');
  try {
    const result = spawnSync(
      process.execPath,
      [
        '--import', 'tsx',
        '--test',
        `--test-timeout=${timeoutMs}`,
        ...nodeArgs,
        '--test-reporter=spec', '--test-reporter-destination=stdout',
        '--test-reporter=tap', `--test-reporter-destination=${tap}`,
        ...files.map((f) => relative(root, f)),
      ],
      { cwd: root, stdio: 'inherit' },
    );
    const report = readFileSync(tap, 'utf8');
    const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(report)?.[1] ?? 0);
    reportCounts(count('pass'), count('fail') + count('cancelled'));
    return result.status ?? 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
