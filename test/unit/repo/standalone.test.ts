// A clone of this repository alone must set up, build and pass its tests: no tracked file may read
// research material kept beside the checkout, nor a path of one machine's home or work folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const SCOPE = ['src', 'test', 'bench', 'esbuild.mjs', 'package.json', '.ci'];

/** What a line must not contain, and why. */
const FORBIDDEN: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /\.\.\/shared\b/, what: 'reads the shared folder beside the checkout' },
  { pattern: /['"]\.\.['"]\s*,\s*['"]shared['"]/, what: 'joins a path to the shared folder beside the checkout' },
  { pattern: /['"]shared['"]\s*,\s*['"](?:harmony|servers|vscode)['"]/, what: 'joins a path into the shared folder' },
  { pattern: /(?<![\w.~-])\/(?:work|root|home)\//, what: 'names an absolute path of one machine' },
];

/** This file spells the forbidden forms to show the check finds them; it reads only `git ls-files`. */
const SELF = 'test/unit/repo/standalone.test.ts';

/** Lines that match but read nothing, each with the reason it stays. */
const ALLOWED: readonly { readonly file: string; readonly text: string; readonly why: string }[] = [
  { file: 'bench/agentRequest.ts', text: 'Workspace: /work/app.', why: 'the sample agent prompt: a workspace path inside a user message, never opened' },
  { file: 'bench/agentRequest.ts', text: '"filePath":"/work/app"', why: 'the same sample prompt: a tool-call argument, never opened' },
  { file: 'test/fixtures/workspace/agent-prompt.harmony', text: 'Workspace: /work/app.', why: 'that sample prompt rendered (the inspector and render tests open it as a transcript)' },
];

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly what: string;
  readonly text: string;
}

/** The forbidden references in one file's text (binary files have none). */
export function findingsIn(file: string, text: string): Finding[] {
  if (text.includes('\u0000')) return [];
  const found: Finding[] = [];
  text.split('\n').forEach((line, index) => {
    const hit = FORBIDDEN.find(({ pattern }) => pattern.test(line));
    if (hit === undefined || ALLOWED.some((a) => a.file === file && line.includes(a.text))) return;
    found.push({ file, line: index + 1, what: hit.what, text: line.trim().slice(0, 160) });
  });
  return found;
}

function trackedFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--', ...SCOPE], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  return listed.filter((file) => file !== SELF);
}

test('no tracked file under src, test, bench, .ci, esbuild.mjs or package.json reads outside the checkout', () => {
  const files = trackedFiles();
  assert.ok(files.length > 100, `git ls-files listed ${files.length} files`);
  const findings = files.flatMap((file) => findingsIn(file, readFileSync(join(root, file), 'utf8')));
  assert.deepEqual(findings.map((f) => `${f.file}:${f.line}: ${f.what}: ${f.text}`), []);
});

test('the check finds each kind of bad line', () => {
  // Built from pieces so that plain greps for these forms (e.g. a pre-commit check) do not list this file.
  const up = '..';
  const bad = [
    `const data = join(root, '${up}/shared/harmony/test-data');`,
    `join(root, '${up}', 'shared', "harmony", 'gpt-oss-chat-template.jinja')`,
    'join(parent, "shared", "servers")',
    "export const CAPTURES = '/work/shared/servers/llama.cpp';",
    "readFileSync('/root/.config/x')",
    "const home = '/home/someone/model.gguf';",
  ];
  for (const line of bad) assert.equal(findingsIn('test/x.ts', line).length, 1, line);
});

test('the allow-list is exact: the same path in another file, or another path in the allowed file, is found', () => {
  assert.equal(findingsIn('bench/agentRequest.ts', "content: 'Workspace: /work/app.'").length, 0);
  assert.equal(findingsIn('bench/other.ts', "content: 'Workspace: /work/app.'").length, 1);
  assert.equal(findingsIn('bench/agentRequest.ts', "readFileSync('/work/app/secret')").length, 1);
  assert.equal(findingsIn('test/x.ts', 'see https://github.com/home/x and ~/work/ and ./root/').length, 0);
});
