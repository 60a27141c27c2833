// Starts the cached code-server (a real VS Code: browser workbench + Node extension host) on a free
// loopback port with a throwaway home, user-data and extensions dir, and stops everything it spawned.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { codeServerEntry, node24, node24Bin, stampFile } from './paths.mjs';
import { createTempHome } from './tempHome.mjs';

/**
 * User settings for every run. The chat ones let later agent-mode tests talk to our model without a
 * GitHub sign-in (docs/testing.md, "Agent mode without a sign-in"); the rest keep the window quiet and offline.
 */
const USER_SETTINGS = {
  'chat.allowAnonymousAccess': true,
  'chat.byokUtilityModelDefault': 'mainAgent',
  'chat.agent.enabled': true,
  'chat.tools.global.autoApprove': true,
  'chat.tools.autoApprove': true,
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.enabled': false,
};

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * @param {{ folder: string, env?: Record<string, string>, onLine?: (line: string) => void,
 *   extensionsDir?: string, settings?: Record<string, unknown> }} options
 *   folder: the workspace folder; env: extra variables for the server and so for the extension host
 *   (it inherits them); onLine: sees each line the server logs, extension host stdout included;
 *   extensionsDir: installed extensions to load (default: a fresh empty dir; a given one is left in
 *   place); settings: extra user settings, over the defaults above.
 */
export async function startCodeServer({ folder, env = {}, onLine = () => {}, extensionsDir, settings = {} }) {
  if (!existsSync(stampFile)) {
    throw new Error('code-server is not installed: run `npm run setup` (node test/setup.mjs) first');
  }
  const home = createTempHome('code-server');
  const userData = home.sub('user-data');
  writeFileSync(join(home.sub('user-data/User'), 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...settings }, null, 2));

  // Port 0 lets the kernel pick a free port, with no window for another process to take it.
  const args = [
    codeServerEntry, '--config', '/dev/null', '--auth', 'none', '--bind-addr', '127.0.0.1:0',
    '--user-data-dir', userData, '--extensions-dir', extensionsDir ?? home.sub('extensions'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    // Without it the built workbench ignores the payload: no extension under development, no tests.
    '--vscode-option', 'enable-smoke-test-driver',
    // Otherwise each closed browser tab keeps an extension host alive for 3 hours.
    '--reconnection-grace-time', '5',
    folder,
  ];
  // detached: the server and its children get their own process group, so stop() can signal them all.
  const child = spawn(node24, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...home.env, ...env, PATH: `${node24Bin}:${process.env.PATH}` },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let output = '';
  /** One per stream, so a line cut between two chunks is joined with its own rest. */
  const collector = () => {
    let partial = '';
    return (chunk) => {
      output += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      lines.forEach(onLine);
    };
  };
  child.stdout.setEncoding('utf8').on('data', collector());
  child.stderr.setEncoding('utf8').on('data', collector());

  const stop = async () => {
    await stopProcessTree(child, exited);
    home.remove();
  };

  try {
    const url = await waitForListening(() => output, child);
    await waitForHealthz(url);
    const authority = new URL(url).host;
    return {
      url,
      /** The workbench URL; payload entries (e.g. extensionDevelopmentPath) take local paths. */
      workbenchUrl(payload = []) {
        const remote = payload.map(([key, path]) => [key, `vscode-remote://${authority}${path}`]);
        const query = new URLSearchParams({ folder });
        if (remote.length) query.set('payload', JSON.stringify(remote));
        return `${url}?${query}`;
      },
      stop,
      /** The user-data dir (logs/ holds the window's and extension host's logs until stop()). */
      userData,
      /** Everything the server printed so far, for error reports. */
      log: () => output,
    };
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- code-server output ---\n${output}`);
  }
}

async function waitForListening(readOutput, child) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(readOutput());
    if (match) return match[1];
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before listening`);
    await sleep(100);
  }
  throw new Error(`code-server did not listen within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

async function waitForHealthz(url) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(new URL('healthz', url))).ok) return;
    } catch {
      // Not accepting connections yet.
    }
    await sleep(100);
  }
  throw new Error(`code-server /healthz did not answer within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

/** Every live descendant of pid, read from /proc (children that start their own session leave the group). */
function descendants(pid) {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent pid; the command name before it may contain spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift();
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // Already gone.
  }
}

/** False once pid has ended; a zombie has ended too, it only waits for its parent to collect it. */
function alive(pid) {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** SIGTERM to the group and every descendant, SIGKILL to whatever is left after STOP_TIMEOUT_MS. */
async function stopProcessTree(child, exited) {
  const tree = descendants(child.pid);
  signal(-child.pid, 'SIGTERM');
  for (const pid of tree) signal(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  const remaining = () => tree.filter(alive);
  while ((child.exitCode === null && child.signalCode === null) || remaining().length) {
    if (Date.now() > deadline) {
      signal(-child.pid, 'SIGKILL');
      for (const pid of remaining()) signal(pid, 'SIGKILL');
      break;
    }
    await sleep(100);
  }
  await exited;
}
