// Runs the live tests (test/live/**/*.test.ts) against a real llama-server built by
// test/llama/setup.mjs (`npm run setup`), with node's test runner, one file at a time (each file
// starts and stops its own servers; the machine may have 2 cores). Prints the spec report; writes
// {passed, failed} to $TEST_RESULTS_FILE for run-all.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { allModels, buildStampContent, buildStampFile, llamaServer } from './llama/paths.mjs';

const root = new URL('..', import.meta.url).pathname;

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function report(passed, failed) {
  if (process.env.TEST_RESULTS_FILE) writeFileSync(process.env.TEST_RESULTS_FILE, JSON.stringify({ passed, failed }));
}

const missing = [llamaServer, ...allModels].filter((file) => !existsSync(file));
if (!missing.includes(llamaServer) && (!existsSync(buildStampFile) || readFileSync(buildStampFile, 'utf8') !== buildStampContent)) {
  missing.push(`${buildStampFile} (the build is stale)`);
}
if (missing.length > 0) {
  console.error(`run-live: missing ${missing.join(', ')}\nrun-live: run \`npm run setup\` first (builds llama-server from source and generates the models)`);
  report(0, 1);
  process.exit(1);
}

const filter = process.argv.slice(2);
const files = findTests(join(root, 'test/live'))
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('run-live: no test files found under test/live');
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'gpt-oss-live-'));
const tap = join(scratch, 'report.tap');
let status = 1;
try {
  const result = spawnSync(
    process.execPath,
    [
      '--import', 'tsx',
      '--test',
      '--test-concurrency=1',
      '--test-timeout=120000',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      ...files.map((f) => relative(root, f)),
    ],
    { cwd: root, stdio: 'inherit' },
  );
  const tapReport = readFileSync(tap, 'utf8');
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tapReport)?.[1] ?? 0);
  report(count('pass'), count('fail') + count('cancelled'));
  status = result.status ?? 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(status);
