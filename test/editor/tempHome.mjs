// A throwaway HOME for code-server and Chromium. Without one, code-server writes
// ~/.config/code-server/config.yaml (with a password) and ~/.local/share/code-server, VS Code
// puts its IPC sockets in /tmp, and Chromium creates ~/.pki; all of that would outlive the run.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates the folders and returns the environment that points everything into them. */
export function createTempHome(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `gpt-oss-${prefix}-`));
  const sub = (name) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const env = {
    HOME: sub('home'),
    XDG_CONFIG_HOME: sub('home/.config'),
    XDG_DATA_HOME: sub('home/.local/share'),
    XDG_STATE_HOME: sub('home/.local/state'),
    XDG_CACHE_HOME: sub('home/.cache'),
    XDG_RUNTIME_DIR: sub('runtime'),
    TMPDIR: sub('tmp'),
  };
  return { dir, env, sub, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
