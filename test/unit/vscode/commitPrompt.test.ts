// The commit-message prompt from real `git diff --cached` output (a scratch repository made at
// test time): files and stats read right, a small diff whole, a large one bounded with every file
// listed and the cut said, lock files as stats only; and the answer cleaned of fences.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cleanCommitMessage, commitPrompt, parseDiff } from '../../../src/vscode/commands/commitPrompt';
import { scratchGitRepository, type ScratchRepository } from '../../support/scratchGit';

let repository: ScratchRepository;
let dir: string;
const git = (...args: string[]): string => repository.git(...args);

function stagedDiff(changes: () => void): string {
  git('reset', '-q', '--hard', 'base');
  git('clean', '-qfd');
  changes();
  git('add', '-A');
  return git('diff', '--cached');
}

before(() => {
  repository = scratchGitRepository({ 'keep.txt': 'a\nb\nc\n', 'gone.txt': 'old\n', 'move.txt': 'moved as it is\n' });
  dir = repository.dir;
  git('tag', 'base');
});

after(() => repository.remove());

describe('the staged diff read into files', () => {
  test('modified, added (a path with a space), deleted, renamed, binary, with +/− counts', () => {
    const diff = stagedDiff(() => {
      writeFileSync(join(dir, 'keep.txt'), 'a\nB\nc\nd\n');
      git('rm', '-q', 'gone.txt');
      git('mv', 'move.txt', 'moved.txt');
      writeFileSync(join(dir, 'new file.txt'), 'hello\nworld\n');
      writeFileSync(join(dir, 'logo.bin'), Buffer.from([0, 1, 2, 0, 255, 0]));
    });
    const files = parseDiff(diff).map(({ text: _text, ...rest }) => rest);
    assert.deepEqual(files, [
      { path: 'gone.txt', status: 'deleted', added: 0, removed: 1 },
      { path: 'keep.txt', status: 'modified', added: 2, removed: 1 },
      { path: 'logo.bin', status: 'binary', added: 0, removed: 0 },
      { path: 'moved.txt', status: 'renamed', from: 'move.txt', added: 0, removed: 0 },
      { path: 'new file.txt', status: 'added', added: 2, removed: 0 },
    ]);
  });
});

describe('the prompt', () => {
  test('a small diff goes in whole, after the file list; nothing is said to be cut', () => {
    const diff = stagedDiff(() => writeFileSync(join(dir, 'keep.txt'), 'a\nB\nc\n'));
    const prompt = commitPrompt(diff, { budgetChars: 10_000, source: 'staged changes' });
    assert.equal(prompt.linesCut, 0);
    assert.match(prompt.text, /Conventional Commits/);
    assert.match(prompt.text, /1 file changed, \+1 −1 \(staged changes\):\nkeep\.txt: \+1 −1\n/);
    assert.ok(prompt.text.endsWith(`The diff:\n${diff.trimEnd()}`), prompt.text);
    assert.doesNotMatch(prompt.text, /left out/);
  });

  test('a large diff: within the budget, every file listed, each file cut at a line end where marked, and the prompt says so', () => {
    const diff = stagedDiff(() => {
      for (let f = 0; f < 6; f++) writeFileSync(join(dir, `big${f}.ts`), Array.from({ length: 400 }, (_, i) => `export const value${f}_${i} = ${i};`).join('\n'));
      writeFileSync(join(dir, 'keep.txt'), 'a\nB\nc\n');
    });
    assert.ok(diff.length > 60_000);
    const budget = 8_000;
    const prompt = commitPrompt(diff, { budgetChars: budget, source: 'staged changes' });
    const [, body] = prompt.text.split('\nThe diff:\n');
    assert.ok(body!.length < budget + 7 * 200, `${body!.length} characters of diff for a budget of ${budget}`);
    for (let f = 0; f < 6; f++) {
      assert.match(prompt.text, new RegExp(`^big${f}\\.ts: \\+400 −0 \\(added\\)$`, 'm'));
      assert.match(body!, new RegExp(`\\[… \\d+ more lines of big${f}\\.ts left out\\]`));
    }
    assert.match(body!, /\+B\n c/, 'the small file is whole');
    assert.ok(prompt.linesCut > 2000, `${prompt.linesCut} lines cut`);
    assert.match(prompt.text, new RegExp(`every file is listed above, and ${prompt.linesCut} diff lines were left out below, where marked`));
  });

  test('lock files and binaries: counted, their hunks left out, and said', () => {
    const diff = stagedDiff(() => {
      writeFileSync(join(dir, 'package-lock.json'), `{\n${Array.from({ length: 50 }, (_, i) => `  "dep${i}": "1.0.${i}",`).join('\n')}\n}\n`);
      writeFileSync(join(dir, 'keep.txt'), 'a\nb\nc\nd\n');
    });
    const prompt = commitPrompt(diff, { budgetChars: 10_000, source: 'staged changes' });
    assert.match(prompt.text, /^package-lock\.json: \+52 −0 \(added\)$/m);
    assert.doesNotMatch(prompt.text, /dep17/);
    assert.match(prompt.text, /Lock files and binary files are listed above by their counts only \(1\)/);
    assert.match(prompt.text, /\+d/);
  });
});

test('the answer as a commit message: a code fence, quotes and trailing spaces removed; the body kept', () => {
  assert.equal(cleanCommitMessage('```\nfeat(cli): add --proxy  \n\nBody line.\n```\n'), 'feat(cli): add --proxy\n\nBody line.');
  assert.equal(cleanCommitMessage('"fix: handle empty diff"'), 'fix: handle empty diff');
  assert.equal(cleanCommitMessage('  docs: readme\n'), 'docs: readme');
});
