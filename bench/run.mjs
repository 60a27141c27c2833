// `npm run bench`: every bench/*.bench.ts, one after another (never in parallel: they time things).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const benches = readdirSync(new URL('.', import.meta.url).pathname)
  .filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
let failed = 0;
for (const bench of benches) {
  console.log(`\n# ${bench}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', `bench/${bench}`], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
