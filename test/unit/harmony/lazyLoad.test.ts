import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');

test('importing the library does not load the rank tables; the first encode does', () => {
  // A fresh process, since this one has long loaded them.
  const script = `
    const tok = require('./src/harmony/tokenizer');
    require('./src/harmony/chatRequest');
    require('./src/harmony/render');
    const before = tok.isLoaded();
    tok.countOrdinary('x');
    console.log(JSON.stringify({ before, after: tok.isLoaded() }));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout.trim()), { before: false, after: true });
});

test('the extension and CLI bundles keep the tables out and load dist/o200k.js lazily', async () => {
  const { build } = await import('esbuild');
  // @ts-expect-error: esbuild.mjs is plain JS without types
  const { externalTables } = (await import('../../../esbuild.mjs')) as { externalTables: import('esbuild').Plugin };
  const result = await build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [externalTables],
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(!inputs.some((p) => p.includes('bpeRanks')), 'no rank table in the CLI bundle');
  assert.ok(result.outputFiles[0]!.text.includes('require("./o200k.js")'));
});
