// Setup scripts run under a lock on their cache folder, so two test runs started at once
// take turns instead of installing into the same place together.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Re-runs the calling script under `flock <cacheDir>/.lock` and exits with its status,
 * unless this process already is that re-run (marked by `envFlag`).
 */
export function rerunUnderLock({ cacheDir, envFlag, scriptUrl, fail }) {
  if (process.env[envFlag]) return;
  mkdirSync(cacheDir, { recursive: true });
  const locked = spawnSync('flock', [join(cacheDir, '.lock'), process.execPath, fileURLToPath(scriptUrl)], {
    stdio: 'inherit',
    env: { ...process.env, [envFlag]: '1' },
  });
  if (locked.error) fail(`cannot run flock (Debian package util-linux): ${locked.error.message}`);
  process.exit(locked.status ?? 1);
}
