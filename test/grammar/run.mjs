// Grammar tests: runs vscode-tmgrammar-test over test/grammar/**/*.test.harmony and
// checks that the generated files are current and that the language configuration
// folds and pairs what it claims to.
//
// The grammar embeds source.json and source.ts. vscode-tmgrammar-test only knows the
// grammars it is given, and vscode-textmate silently drops a rule whose only pattern is
// an include of a grammar it cannot load, so the suites run twice:
//   with:    + JSON and TypeScript grammars from the tm-grammars package (as in VS Code)
//   without: our grammar alone (VS Code with the JSON/TypeScript extensions disabled),
//            where every body must still get our own scopes.
// test/grammar/embedded/ asserts scopes of the embedded grammars and runs only "with".
//
// Counts one check per test file per run, plus the consistency checks. Writes
// {passed, failed} to $TEST_RESULTS_FILE when set; exits 1 on any failure.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('../..', import.meta.url).pathname;
const here = join(root, 'test/grammar');
let passed = 0;
let failed = 0;
const report = [];

function record(name, ok, detail = '') {
  if (ok) passed += 1;
  else failed += 1;
  report.push(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
}

const testFiles = (dir) =>
  readdirSync(join(here, dir))
    .filter((f) => f.endsWith('.test.harmony'))
    .sort()
    .map((f) => relative(root, join(here, dir, f)));

/** Number of ^ groups and <- assertions in a test file (for the report only). */
function assertionCount(file) {
  let n = 0;
  for (const line of readFileSync(join(root, file), 'utf8').split('\n').slice(1)) {
    if (!line.startsWith('%%')) continue;
    const rest = line.slice(2);
    if (/^\s*<~*-+/.test(rest)) n += 1;
    else if (/^\s*\^/.test(rest)) n += (rest.match(/\^+/g) ?? []).length;
  }
  return n;
}

// ---------------------------------------------------------------- generated files
for (const [script, what] of [
  ['build-grammar.mjs', 'syntaxes/harmony.tmLanguage.json matches test/grammar/build-grammar.mjs'],
  ['generate-golden-tests.mjs', 'test/grammar/goldens match test/fixtures/harmony/test-data'],
]) {
  const run = spawnSync(process.execPath, [join(here, script), '--check'], { cwd: root, encoding: 'utf8' });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  record(what, run.status === 0);
}

// ---------------------------------------------------------------- vscode-tmgrammar-test
const cli = require.resolve('vscode-tmgrammar-test/dist/unit.js');
const embedded = [require.resolve('tm-grammars/grammars/json.json'), require.resolve('tm-grammars/grammars/typescript.json')];
const common = [...testFiles('cases'), ...testFiles('goldens')];
const runs = [
  { name: 'with source.json + source.ts', grammars: embedded, files: [...common, ...testFiles('embedded')] },
  { name: 'without embedded grammars', grammars: [], files: common },
];
const assertions = new Map();
for (const run of runs) {
  console.log(`\n--- vscode-tmgrammar-test, ${run.name}: ${run.files.length} files`);
  const args = [cli, ...run.grammars.flatMap((g) => ['-g', g]), ...run.files];
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  const succeeded = new Set();
  for (const line of result.stdout.split('\n')) {
    const m = /✓ (.+) run successfuly\./.exec(line);
    if (m) succeeded.add(m[1].trim());
  }
  for (const file of run.files) {
    record(`${file} (${run.name})`, succeeded.has(file));
    assertions.set(file, assertionCount(file));
  }
  if (result.status !== 0 && run.files.every((f) => succeeded.has(f))) record(`vscode-tmgrammar-test exit status (${run.name})`, false, `exit ${result.status}`);
}

// ---------------------------------------------------------------- scope names
// A misspelt scope in a "- excluded" assertion would pass silently: every scope named in
// an assertion must be one that our grammar or an embedded grammar can produce.
{
  const known = new Set(['source.gpt-oss-harmony']);
  const collect = (node) => {
    if (Array.isArray(node)) node.forEach(collect);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'name' || key === 'contentName') && typeof value === 'string') value.split(/\s+/).forEach((x) => known.add(x));
        else collect(value);
      }
    }
  };
  for (const file of [join(root, 'syntaxes/harmony.tmLanguage.json'), ...embedded]) collect(JSON.parse(readFileSync(file, 'utf8')));
  const unknown = new Set();
  for (const file of [...common, ...testFiles('embedded')]) {
    for (const line of readFileSync(join(root, file), 'utf8').split('\n').slice(1)) {
      if (!/^%%\s*(\^|<~*-)/.test(line)) continue;
      for (const scope of line.replace(/^%%[\s^<~-]*/, '').match(/\w[-\w.]*/g) ?? []) {
        if (!known.has(scope)) unknown.add(`${scope} (${file})`);
      }
    }
  }
  record('every scope named in an assertion exists in a grammar', unknown.size === 0, [...unknown].slice(0, 5).join(', '));
}

// ---------------------------------------------------------------- language configuration
const configText = readFileSync(join(root, 'syntaxes/language-configuration.json'), 'utf8');
let config;
try {
  // VS Code reads it as JSONC; the file uses whole-line // comments only.
  config = JSON.parse(configText.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n'));
  record('language-configuration.json parses', true);
} catch (error) {
  record('language-configuration.json parses', false, error.message);
}
if (config) {
  const special = /^<\|(?:start|end|call|return)\|>$/;
  record(
    'brackets pair <|start|> with each stop token, nothing else',
    JSON.stringify(config.brackets) === JSON.stringify([['<|start|>', '<|end|>'], ['<|start|>', '<|call|>'], ['<|start|>', '<|return|>']]) &&
      config.brackets.flat().every((b) => special.test(b)),
  );
  record('no comment toggling, no auto-closing', config.comments === undefined && Array.isArray(config.autoClosingPairs) && config.autoClosingPairs.length === 0);
  const ranges = (text) => markerRanges(text.split('\n'), config.folding.markers);
  const pretty = [
    '<|start|>system<|message|>You are ChatGPT.', // 1
    'Reasoning: high<|end|>', // 2
    '<|start|>user<|message|>What is 2 + 2?<|end|>', // 3
    '<|start|>assistant<|channel|>analysis<|message|>Simple.', // 4
    '', // 5
    'Answer 4.<|end|>', // 6
    '<|start|>assistant to=functions.x<|channel|>commentary json<|message|>{', // 7
    '  "a": 1', // 8
    '}<|call|>', // 9
    '<|start|>assistant', // 10
  ].join('\n');
  const gotPretty = JSON.stringify(ranges(pretty));
  record('folding: one fold per multi-line message in a pretty-printed transcript', gotPretty === '[[1,2],[4,6],[7,9]]', gotPretty);
  const oneLine = '<|start|>user<|message|>hi<|end|><|start|>assistant<|channel|>final<|message|>hello<|end|>';
  record('folding: a one-line transcript has no folds', ranges(oneLine).length === 0);
  const golden = readFileSync(join(here, 'goldens/test_render_functions_with_parameters.test.harmony'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => !l.startsWith('%%'))
    .join('\n');
  const gotGolden = JSON.stringify(ranges(golden));
  record('folding: a golden folds its system message (the developer one starts mid-line)', gotGolden === '[[1,8]]', gotGolden);
}

/**
 * Marker folding as VS Code computes it (indentRangeProvider.computeRanges, markers only):
 * lines are walked bottom-up, an end marker opens a pending region, a start marker closes
 * the nearest pending one (a start with none pending is an ordinary line); whitespace-only
 * lines are skipped. Indentation ranges are left out.
 */
function markerRanges(lines, markers) {
  const pattern = new RegExp(`(${new RegExp(markers.start).source})|(?:${new RegExp(markers.end).source})`);
  const pending = [];
  const result = [];
  for (let line = lines.length; line > 0; line--) {
    const text = lines[line - 1];
    if (/^\s*$/.test(text)) continue;
    const m = text.match(pattern);
    if (!m) continue;
    if (m[1]) {
      // The nearest pending end closes; farther ones stay pending, as in VS Code.
      if (pending.length) result.unshift([line, pending.pop()]);
    } else {
      pending.push(line);
    }
  }
  return result;
}

console.log(`\n${report.join('\n')}`);
console.log(`\ngrammar: ${[...assertions.values()].reduce((a, b) => a + b, 0)} scope assertions in ${assertions.size} test files`);
console.log(`${passed} passed, ${failed} failed`);
if (process.env.TEST_RESULTS_FILE) writeFileSync(process.env.TEST_RESULTS_FILE, JSON.stringify({ passed, failed }));
process.exit(failed === 0 ? 0 : 1);
