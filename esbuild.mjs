// Bundles the extension, the CLI and the lazily loaded tokenizer tables.
// The o200k ranks (2.4 MB of JS) live in their own file so that activating the
// extension or starting the CLI does not parse them until the first encode.
import * as esbuild from 'esbuild';
import { chmodSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Resolve the tokenizer tables module to the sibling bundle `dist/o200k.js` at run time. */
export const externalTables = {
  name: 'external-o200k-tables',
  setup(build) {
    build.onResolve({ filter: /\/o200kTables$/ }, () => ({ path: './o200k.js', external: true }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's `main` is a UMD build whose require() calls a bundler cannot follow
  // ("Cannot find module './impl/format'" at activation); its ES module build bundles cleanly.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};

const builds = [
  { ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [externalTables] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [externalTables] },
  { ...common, entryPoints: ['src/harmony/o200kTables.ts'], outfile: 'dist/o200k.js', sourcemap: false },
];

// Importing this file (tests do, for the plugin) must not build.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (watch) {
    for (const options of builds) await (await esbuild.context(options)).watch();
  } else {
    await Promise.all(builds.map((options) => esbuild.build(options)));
    // npm links the `harmony` bin before the first build creates the file, so it is made executable here.
    chmodSync('dist/cli.js', 0o755);
  }
}
