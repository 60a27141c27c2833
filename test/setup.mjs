// `npm run setup`: installs what the tests need outside node_modules (a real VS Code,
// Chromium, a llama-server built from source and its tiny model). Every step is
// idempotent and cached under ~/.cache/gpt-oss-harmony, so a second run takes seconds.
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const STEPS = [
  // Each script prints its own progress and names any missing prerequisite.
  'test/editor/setup.mjs',
  'test/llama/setup.mjs',
];

for (const script of STEPS) {
  const run = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`setup: ${script} failed (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
}
