// Bundles test/extension/index.ts and every test/extension/*.test.ts into a folder under out/,
// one CommonJS file each, for the extension host to require. `vscode` is provided by the host and
// mocha is required from node_modules (bundled, it cannot load the test files).
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const sourceDir = join(root, 'test', 'extension');

/**
 * One folder per run (out/extension-tests-<pid>/): several people may run npm test in one checkout
 * at once, and the index loads every *.test.js beside it. remove() deletes the folder.
 */
export async function bundleExtensionTests() {
  const outDir = join(root, 'out', `extension-tests-${process.pid}`);
  const tests = readdirSync(sourceDir).filter((name) => name.endsWith('.test.ts'));
  const remove = () => rmSync(outDir, { recursive: true, force: true });
  remove();
  await esbuild.build({
    entryPoints: ['index.ts', ...tests].map((name) => join(sourceDir, name)),
    outdir: outDir,
    outbase: sourceDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return { entry: join(outDir, 'index.js'), count: tests.length, remove };
}
