// Runs the live tests (test/live/**/*.test.ts) against a real llama-server built by
// test/llama/setup.mjs (`npm run setup`), with node's test runner, one file at a time (each file
// starts and stops its own servers; the machine may have 2 cores). Prints the spec report; writes
// {passed, failed} to $TEST_RESULTS_FILE for run-all.
import { existsSync, readFileSync } from 'node:fs';
import { allModels, buildStampContent, buildStampFile, llamaServer } from './llama/paths.mjs';
import { reportCounts, runNodeTests } from './nodeTestRunner.mjs';

const missing = [llamaServer, ...allModels].filter((file) => !existsSync(file));
if (!missing.includes(llamaServer) && (!existsSync(buildStampFile) || readFileSync(buildStampFile, 'utf8') !== buildStampContent)) {
  missing.push(`${buildStampFile} (the build is stale)`);
}
if (missing.length > 0) {
  console.error(`run-live: missing ${missing.join(', ')}\nrun-live: run \`npm run setup\` first (builds llama-server from source and generates the models)`);
  reportCounts(0, 1);
  process.exit(1);
}

// One file at a time: each starts and stops its own servers, and the machine may have 2 cores.
process.exit(
  runNodeTests({
    dir: 'test/live',
    label: 'run-live',
    filter: process.argv.slice(2),
    nodeArgs: ['--test-concurrency=1'],
    // Per file (see nodeTestRunner.mjs): a live file starts its own servers and streams hundreds of
    // tokens; on a loaded 2-core machine some took over 120 s.
    timeoutMs: 600_000,
  }),
);
