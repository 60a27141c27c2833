// Prints the scopes the grammar gives each token of a file (or of stdin), line by line:
// the quickest way to see why an assertion fails or to write a new one.
//   node test/grammar/dump.mjs FILE [--bare]    --bare: without source.json / source.ts
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tm = require('vscode-textmate');
const onig = require('vscode-oniguruma');

const root = new URL('../..', import.meta.url).pathname;
const args = process.argv.slice(2);
const bare = args.includes('--bare');
const file = args.find((a) => !a.startsWith('--'));
const text = readFileSync(file ?? 0, 'utf8');

const grammars = {
  'source.gpt-oss-harmony': `${root}syntaxes/harmony.tmLanguage.json`,
  ...(bare
    ? {}
    : {
        'source.json': require.resolve('tm-grammars/grammars/json.json'),
        'source.ts': require.resolve('tm-grammars/grammars/typescript.json'),
      }),
};
const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
const onigLib = onig.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new onig.OnigScanner(patterns),
  createOnigString: (s) => new onig.OnigString(s),
}));
const registry = new tm.Registry({
  onigLib,
  loadGrammar: async (scope) => (grammars[scope] ? tm.parseRawGrammar(readFileSync(grammars[scope], 'utf8'), grammars[scope]) : null),
});
const grammar = await registry.loadGrammar('source.gpt-oss-harmony');
let stack = tm.INITIAL;
text.split(/\r?\n/).forEach((line, n) => {
  const { tokens, ruleStack } = grammar.tokenizeLine(line, stack);
  stack = ruleStack;
  console.log(`${n + 1}: ${line.length > 120 ? `${line.slice(0, 117)}...` : line}`);
  for (const t of tokens) {
    const scopes = t.scopes.slice(1).map((s) => s.replace(/\.gpt-oss-harmony$/, '')).join(' ');
    console.log(`  ${String(t.startIndex).padStart(4)} ${JSON.stringify(line.slice(t.startIndex, t.endIndex))} ${scopes}`);
  }
});
