// `npm run test:vsix`: the extension as users get it. Packages this checkout with `vsce package`
// (in a scratch copy, so the production build never touches dist/ of the checkout), fails on any
// vsce WARNING and on a VSIX that lacks what the extension needs or carries sources; installs it with
// code-server's own --install-extension into a throwaway extensions dir; then starts code-server with
// that dir (the checkout is NOT the extension under development) and `gptOss.servers` pointing at a
// scripted stand-in for llama-server, and runs test/fixtures/vsix-probe/*.test.ts in the real
// extension host: the installed extension is loaded from the extensions dir, activates, and
// `lm.selectChatModels({ vendor: 'gpt-oss' })` returns the stand-in's model, which answers a request.
// Exit code = result; {passed, failed} goes to $TEST_RESULTS_FILE. --verbose also prints
// code-server's log and the workbench console. Everything it creates is removed at the end.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { report, root } from './editorSession.mjs';
import { runMochaInExtensionHost } from './extensionHostMocha.mjs';
import { codeServerEntry, node24, node24Bin, stampFile } from './paths.mjs';
import { createTempHome } from './tempHome.mjs';

const verbose = process.argv.includes('--verbose');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const extensionId = `${manifest.publisher}.${manifest.name}`;
const probeDir = join(root, 'test', 'fixtures', 'vsix-probe');
const PACKAGE_TIMEOUT_MS = 5 * 60_000;
const INSTALL_TIMEOUT_MS = 2 * 60_000;
/** What the stand-in answers; only it can produce this text. */
const ANSWER = 'Hello from the installed VSIX.';
/** Left out of the scratch copy: build output, dependencies (linked instead), VCS data, results. */
const NOT_COPIED = new Set(['.git', 'node_modules', 'dist', 'out', 'test-results', '.bench-results']);

const counts = { passed: 0, failed: 0 };

/** One counted check: prints ok/FAIL with the reason, and returns whether it passed. */
function check(name, body) {
  try {
    body();
    counts.passed++;
    console.log(`  ok    ${name}`);
    return true;
  } catch (error) {
    counts.failed++;
    console.log(`  FAIL  ${name}\n${indent(error instanceof Error ? error.message : String(error))}`);
    return false;
  }
}

const indent = (text) => text.replace(/\s+$/, '').split('\n').map((line) => `        ${line}`).join('\n');
// eslint-disable-next-line no-control-regex
const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** Copies the checkout as `vsce package` would see it, without build output, and links node_modules. */
function scratchCopy(dir) {
  const copy = join(dir, 'extension');
  cpSync(root, copy, {
    recursive: true,
    filter: (source) => {
      const path = relative(root, source);
      return !NOT_COPIED.has(path.split(sep)[0]) && !path.endsWith('.vsix');
    },
  });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

/** Runs `vsce package` in dir; stdin is closed so a vsce question ("Do you want to continue?") aborts. */
function vscePackage(dir, vsix) {
  const env = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
  delete env.GITHUB_ACTIONS; // Otherwise vsce writes its warnings as ::warning:: annotations.
  const run = spawnSync('npx', ['--no-install', 'vsce', 'package', '--out', vsix], {
    cwd: dir,
    input: '',
    encoding: 'utf8',
    env,
    timeout: PACKAGE_TIMEOUT_MS,
  });
  return { status: run.status, error: run.error, output: stripAnsi(`${run.stdout ?? ''}${run.stderr ?? ''}`) };
}

/** The entry names of a zip file, from its central directory (a VSIX is a plain zip, no zip64). */
function zipEntries(file) {
  const zip = readFileSync(file);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error(`${file} is not a zip file`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: broken central directory`);
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names;
}

/** Every file under dir, as paths relative to the checkout ('media/inspector.js'). */
function filesUnder(dir) {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

function checkContent(names) {
  const contributed = [
    ...manifest.contributes.grammars.map((grammar) => grammar.path),
    ...manifest.contributes.languages.map((language) => language.configuration).filter(Boolean),
  ].map((path) => path.replace(/^\.\//, ''));
  const required = [
    'extension/package.json',
    'extension/package.nls.json',
    `extension/${manifest.main.replace(/^\.\//, '')}`,
    'extension/dist/o200k.js',
    ...contributed.map((path) => `extension/${path}`),
    ...filesUnder('media').map((path) => `extension/${path}`),
  ];
  const missing = required.filter((name) => !names.includes(name));
  // vsce renames these (readme.md, changelog.md, LICENSE.txt); the case differs by version.
  for (const doc of ['readme.md', 'changelog.md', 'license.txt']) {
    if (!names.some((name) => name.toLowerCase() === `extension/${doc}`)) missing.push(`extension/${doc} (any case)`);
  }
  const unwanted = names.filter((name) =>
    /^extension\/(src|test|node_modules|out|bench|\.ci)\//.test(name) ||
    /\.(ts|map|vsix)$/.test(name) ||
    /^extension\/(tsconfig\.json|esbuild\.mjs|eslint\.config\.mjs|package-lock\.json|\.vscodeignore|\.gitignore)$/.test(name));
  const problems = [
    ...missing.map((name) => `missing: ${name}`),
    ...unwanted.map((name) => `should not be packaged: ${name}`),
  ];
  if (problems.length) throw new Error(`${problems.join('\n')}\n(the VSIX holds: ${names.join(', ')})`);
}

/** code-server's own CLI (Node 24), with a throwaway home and user-data dir. */
function codeServerCli(home, extensionsDir, args) {
  const run = spawnSync(
    node24,
    [codeServerEntry, '--config', '/dev/null', '--user-data-dir', home.sub('user-data'), '--extensions-dir', extensionsDir, ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, ...home.env, PATH: `${node24Bin}:${process.env.PATH}` },
      timeout: INSTALL_TIMEOUT_MS,
    },
  );
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  if (run.status !== 0) throw new Error(`code-server ${args.join(' ')} exited with ${run.status ?? run.signal ?? run.error}\n${output}`);
  return output;
}

function checkInstalled(home, extensionsDir, vsix) {
  const installOutput = codeServerCli(home, extensionsDir, ['--install-extension', vsix]);
  const listed = codeServerCli(home, extensionsDir, ['--list-extensions', '--show-versions']).split('\n').map((line) => line.trim());
  const expected = `${extensionId}@${manifest.version}`;
  if (!listed.includes(expected)) {
    throw new Error(`--list-extensions does not list ${expected}:\n${listed.join('\n')}\n--install-extension said:\n${installOutput}`);
  }
  const folder = readdirSync(extensionsDir).find((name) => name.toLowerCase() === `${extensionId}-${manifest.version}`.toLowerCase());
  if (!folder) throw new Error(`no ${extensionId}-${manifest.version} folder in ${extensionsDir}: ${readdirSync(extensionsDir).join(', ')}`);
  const bundle = readFileSync(join(extensionsDir, folder, 'dist', 'extension.js'), 'utf8');
  // vscode:prepublish builds with --production: minified, no source map.
  if (bundle.includes('sourceMappingURL')) throw new Error('the installed dist/extension.js is a development build (it has a source map)');
}

/** Starts the stand-in, code-server with the installed extension, and runs the probe's mocha suite in it. */
async function runProbe(extensionsDir) {
  const { startScriptedLlamaServer, MODEL_ID } = await tsImport('../support/scriptedLlamaServer.ts', import.meta.url);
  const standIn = await startScriptedLlamaServer();
  try {
    standIn.fallback = { harmony: `<|channel|>final<|message|>${ANSWER}<|return|>` };
    return await runMochaInExtensionHost({
      label: 'installed-VSIX tests',
      name: 'vsix-probe',
      testDir: probeDir,
      extensionDevelopmentPath: probeDir,
      env: {
        GPT_OSS_VSIX_EXTENSION_ID: extensionId,
        GPT_OSS_VSIX_VERSION: manifest.version,
        GPT_OSS_VSIX_EXTENSIONS_DIR: extensionsDir,
        GPT_OSS_VSIX_REPO_ROOT: root,
        GPT_OSS_VSIX_MODEL_ID: MODEL_ID,
        GPT_OSS_VSIX_ANSWER: ANSWER,
      },
      settings: { 'gptOss.servers': [{ url: standIn.url, kind: 'auto' }] },
      extensionsDir,
      verbose,
    });
  } finally {
    await standIn.close();
  }
}

const started = Date.now();
const scratch = mkdtempSync(join(tmpdir(), 'gpt-oss-vsix-'));
const install = createTempHome('vsix-install');
try {
  if (!existsSync(stampFile)) throw new Error('code-server is not installed: run `npm run setup` (node test/setup.mjs) first');
  const vsix = join(scratch, `${manifest.name}-${manifest.version}.vsix`);
  console.log(`vsce package (in a copy of the checkout under ${scratch})`);
  const packaged = vscePackage(scratchCopy(scratch), vsix);
  console.log(indent(packaged.output));
  const built = check('vsce package builds the VSIX', () => {
    if (packaged.status !== 0 || !existsSync(vsix)) throw new Error(`vsce package exited with ${packaged.status ?? packaged.error}`);
  });
  check('vsce package prints no WARNING', () => {
    const warnings = packaged.output.split('\n').filter((line) => /\bWARNING\b|::warning::/.test(line));
    if (warnings.length) throw new Error(warnings.join('\n'));
  });
  if (built) {
    check('the VSIX holds the bundle, tokenizer tables, nls, grammar and media, and no sources', () => checkContent(zipEntries(vsix)));
    const extensionsDir = install.sub('extensions');
    const installed = check('code-server --install-extension installs it, --list-extensions lists it (production build)', () =>
      checkInstalled(install, extensionsDir, vsix));
    if (installed) {
      const probe = await runProbe(extensionsDir);
      counts.passed += probe.passed;
      counts.failed += probe.failed;
    }
  }
} catch (error) {
  console.error(error);
  counts.failed++;
} finally {
  rmSync(scratch, { recursive: true, force: true });
  install.remove();
}
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(report('VSIX tests', counts));
