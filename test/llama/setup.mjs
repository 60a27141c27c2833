// Builds a real llama.cpp `llama-server` from the source the npm registry ships, and generates the
// tiny gpt-oss models the live tests serve. Offline: the only download is `npm pack node-llama-cpp`.
//
//   source  npm pack node-llama-cpp@<version> → llama/gitRelease.bundle → git clone
//   build   cmake (offline flags, Release) → target llama-server, -j2 → bin/llama-server
//   models  test/llama/makeModels.mjs (our GGUF writer) → models/*.gguf
//
// Idempotent: the binary is rebuilt only when the version or the flags change (bin/build.json),
// the models only when their generator changes (models/models.json). Two runs at once take turns
// (flock on the cache). Progress goes to stdout; the compiler's output to a log in the cache.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import {
  allModels, binDir, BUILD_TARGETS, buildDir, buildStampContent, buildStampFile, bundleFile, cacheDir, CMAKE_FLAGS,
  craftedFinalModel, craftedToolCallModel,
  llamaServer, manifestOf, modelsDir, modelStampFile, NODE_LLAMA_CPP_VERSION, packageDir, sourceDir,
} from './paths.mjs';
import { rerunUnderLock } from '../setupLock.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const started = Date.now();
const log = (message) => console.log(`[llama setup] ${message}`);
const fail = (message) => {
  console.error(`[llama setup] ERROR: ${message}`);
  process.exit(1);
};
const elapsed = (since) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Files whose content defines the models: a change to any of them regenerates. */
const MODEL_INPUTS = [
  join(here, 'makeModels.mjs'),
  join(here, 'writeGguf.mjs'),
  join(here, 'vocab.mjs'),
  join(root, 'test', 'fixtures', 'harmony', 'gpt-oss-chat-template.jinja'),
  join(root, 'node_modules', 'js-tiktoken', 'package.json'),
];

function modelKey() {
  const hash = createHash('sha256');
  for (const file of MODEL_INPUTS) {
    if (!existsSync(file)) {
      fail(`missing ${file}, needed to generate the models${file.includes('node_modules') ? ': run npm install first' : ''}`);
    }
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

const buildIsCurrent = () =>
  existsSync(llamaServer) && existsSync(buildStampFile) && readFileSync(buildStampFile, 'utf8') === buildStampContent;
const modelsAreCurrent = () =>
  [...allModels, manifestOf(craftedToolCallModel), manifestOf(craftedFinalModel)].every((file) => existsSync(file))
  && existsSync(modelStampFile)
  && JSON.parse(readFileSync(modelStampFile, 'utf8')).key === modelKey();
const modelSizes = () => allModels.map((model) => mb(statSync(model).size)).join(' + ');

if (buildIsCurrent() && modelsAreCurrent()) {
  log(`cached in ${cacheDir} (llama-server of node-llama-cpp ${NODE_LLAMA_CPP_VERSION}; models ${modelSizes()})`);
  process.exit(0);
}

rerunUnderLock({ cacheDir, envFlag: 'GPT_OSS_LLAMA_SETUP_LOCKED', scriptUrl: import.meta.url, fail });

const hasCommand = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;

function checkTools() {
  const tools = [
    ['git', 'git'], ['cmake', 'cmake'], ['c++', 'g++'], ['cc', 'gcc'], ['make', 'make'], ['tar', 'tar'], ['npm', 'npm'],
  ];
  const missing = tools.filter(([command]) => !hasCommand(command));
  if (missing.length > 0) {
    fail(`missing ${missing.map(([command]) => command).join(', ')} on PATH; on Debian: apt-get install -y ${missing.map(([, pkg]) => pkg).join(' ')}`);
  }
}

/**
 * Runs a command. Output goes to `logFile` when given (the build prints thousands of lines), else to
 * this terminal. A heartbeat every 30 s shows the build's percentage.
 */
function run(label, command, args, { logFile, ...options } = {}) {
  log(`${label}…`);
  const stepStart = Date.now();
  return new Promise((resolve) => {
    let percent = '';
    let tail = [];
    const out = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    const child = spawn(command, args, { stdio: logFile ? ['ignore', 'pipe', 'pipe'] : 'inherit', ...options });
    const collect = (chunk) => {
      out?.write(chunk);
      const text = chunk.toString();
      const matches = [...text.matchAll(/^\[\s*(\d+)%\]/gm)];
      if (matches.length) percent = `${matches.at(-1)[1]}%`;
      tail = [...tail, ...text.split('\n')].slice(-40);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const heartbeat = setInterval(() => log(`  still ${label} (${elapsed(stepStart)}${percent ? `, ${percent}` : ''})`), 30_000);
    child.on('error', (error) => fail(`${label}: cannot start ${command}: ${error.message}`));
    child.on('close', (code, signal) => {
      clearInterval(heartbeat);
      out?.end();
      if (code !== 0) {
        if (logFile) console.error(tail.join('\n'));
        fail(`${label} failed (${signal ?? `exit ${code}`})${logFile ? `; full log: ${logFile}` : '; see the output above'}`);
      }
      log(`  done in ${elapsed(stepStart)}`);
      resolve();
    });
  });
}

/** `npm pack` downloads the tarball only (no dependencies, no install scripts); we unpack the bundle from it. */
async function fetchSource() {
  if (existsSync(bundleFile)) return;
  const npmDir = dirname(packageDir);
  rmSync(npmDir, { recursive: true, force: true });
  mkdirSync(npmDir, { recursive: true });
  await run(`npm pack node-llama-cpp@${NODE_LLAMA_CPP_VERSION} (about 36 MB)`, 'npm',
    ['pack', '--silent', `node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`, '--pack-destination', npmDir], { cwd: npmDir });
  const tarball = readdirSync(npmDir).find((name) => name.endsWith('.tgz'));
  if (!tarball) fail(`npm pack left no tarball in ${npmDir}`);
  await run('unpacking llama/gitRelease.bundle', 'tar',
    ['-xzf', tarball, 'package/package.json', 'package/llama/gitRelease.bundle', 'package/llama/llama.cpp.info.json'], { cwd: npmDir });
  rmSync(join(npmDir, tarball));
  if (!existsSync(bundleFile)) fail(`node-llama-cpp@${NODE_LLAMA_CPP_VERSION} has no llama/gitRelease.bundle`);
}

async function cloneSource() {
  if (existsSync(join(sourceDir, 'tools', 'server', 'CMakeLists.txt'))) return;
  const partial = `${sourceDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  rmSync(sourceDir, { recursive: true, force: true });
  await run('git clone of the bundle', 'git', ['-c', 'advice.detachedHead=false', 'clone', '--quiet', bundleFile, partial]);
  renameSync(partial, sourceDir);
}

async function build() {
  if (buildIsCurrent()) {
    log(`llama-server cached: ${llamaServer}`);
    return;
  }
  checkTools();
  mkdirSync(cacheDir, { recursive: true });
  await fetchSource();
  await cloneSource();
  const commit = spawnSync('git', ['-C', sourceDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  log(`llama.cpp ${commit} (from node-llama-cpp ${NODE_LLAMA_CPP_VERSION})`);
  const logFile = join(cacheDir, 'build.log');
  rmSync(logFile, { force: true });
  const jobs = process.env.GPT_OSS_LLAMA_JOBS ?? '2';
  await run('cmake configure', 'cmake', ['-S', sourceDir, '-B', buildDir, ...CMAKE_FLAGS], { logFile });
  log(`building ${BUILD_TARGETS.join(', ')} with -j${jobs}: about 9 min on 2 cores (log: ${logFile})`);
  await run(`cmake --build (${BUILD_TARGETS.join(', ')})`, 'cmake',
    ['--build', buildDir, '--config', 'Release', '-j', jobs, '--target', ...BUILD_TARGETS], { logFile });
  const built = join(buildDir, 'bin', 'llama-server');
  if (!existsSync(built)) fail(`the build finished but ${built} is missing; see ${logFile}`);
  mkdirSync(binDir, { recursive: true });
  copyFileSync(built, `${llamaServer}.partial`);
  renameSync(`${llamaServer}.partial`, llamaServer);
  const version = spawnSync(llamaServer, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) fail(`${llamaServer} --version failed: ${version.stderr || version.stdout}`);
  log(`llama-server ${mb(statSync(llamaServer).size)}: ${(version.stderr || version.stdout).trim().split('\n')[0]}`);
  writeFileSync(join(binDir, 'commit.txt'), `${commit}\n`);
  writeFileSync(buildStampFile, buildStampContent);
}

async function models() {
  const key = modelKey();
  if (modelsAreCurrent()) {
    log(`models cached in ${modelsDir}`);
    return;
  }
  mkdirSync(modelsDir, { recursive: true });
  await run('generating the tiny gpt-oss models (o200k_harmony vocabulary)', process.execPath,
    [join(here, 'makeModels.mjs'), modelsDir], { cwd: root });
  for (const model of allModels) {
    if (!existsSync(model)) fail(`the generator did not write ${model}`);
    log(`  ${model}: ${mb(statSync(model).size)}`);
  }
  for (const model of [craftedToolCallModel, craftedFinalModel]) {
    if (!existsSync(manifestOf(model))) fail(`the generator did not write ${manifestOf(model)}`);
  }
  writeFileSync(modelStampFile, JSON.stringify({ key }));
}

log(`installing into ${cacheDir}`);
await build();
await models();
log(`ready in ${elapsed(started)}`);
