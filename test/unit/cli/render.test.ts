import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, encodeOrdinary } from '../../../src/harmony/tokenizer';
import { renderChatRequest } from '../../../src/harmony/chatRequest';
import { runCli } from '../../support/cliHarness';

const root = join(__dirname, '../../..');
const fixture = readFileSync(join(root, 'test/fixtures/agent-request.json'), 'utf8');

test('render prints the decoded prompt byte-exact, with no trailing newline', async () => {
  const result = await runCli(['render', 'req.json', '--date', '2026-11-22'], { 'req.json': fixture });
  assert.equal(result.code, 0);
  const expected = decode(renderChatRequest(JSON.parse(fixture), { date: '2026-11-22' }).ids);
  assert.equal(result.stdout, expected);
  assert.ok(result.stdout.endsWith('<|start|>assistant'));
});

test('render --ids prints the token ids as a JSON array; --effort and --harmony-exact apply', async () => {
  const result = await runCli(['render', '--ids', '--effort', 'low', '--date', '2026-11-22'], { '-': fixture });
  const ids = JSON.parse(result.stdout) as number[];
  assert.deepEqual(ids, renderChatRequest(JSON.parse(fixture), { date: '2026-11-22', effort: 'low' }).ids);
  const exact = await runCli(['render', '--harmony-exact', '--date', '2026-11-22'], { '-': fixture });
  // harmony's own rule keeps every analysis here, because the last assistant message is a tool call.
  assert.ok(exact.stdout.includes('I should read the file first.'));
  assert.ok(!(await runCli(['render', '--date', '2026-11-22'], { '-': fixture })).stdout.includes('I should read the file first.'));
});

test('count counts plain text ordinarily and a chat request by its rendered prompt', async () => {
  const text = 'hello <|end|> world';
  assert.equal((await runCli(['count'], { '-': text })).stdout, `${encodeOrdinary(text).length}\n`);
  const count = Number((await runCli(['count', 'r.json'], { 'r.json': fixture })).stdout);
  assert.equal(count, renderChatRequest(JSON.parse(fixture)).ids.length);
  // JSON that is not a chat request is just text.
  assert.equal((await runCli(['count'], { '-': '{"a":1}' })).stdout, `${encodeOrdinary('{"a":1}').length}\n`);
});

test('bad input exits 2 with one line', async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['render', 'missing.json'], {}, /^harmony render: no such file: missing\.json\n$/],
    [['render'], { '-': '{' }, /^harmony render: the chat request is not valid JSON/],
    [['render'], { '-': '{"messages":[{"role":"robot"}]}' }, /^harmony render: messages\[0\]\.role: unknown role "robot"/],
    [['render', '--effort', 'max'], { '-': fixture }, /^harmony render: --effort must be low, medium or high/],
    [['render', '--date', 'today'], { '-': fixture }, /^harmony render: --date must be YYYY-MM-DD/],
    [['render', '--bogus'], { '-': fixture }, /^harmony render: Unknown option '--bogus'/],
    [['frobnicate'], {}, /^harmony: unknown command "frobnicate"/],
  ];
  for (const [argv, input, message] of cases) {
    const result = await runCli(argv, input);
    assert.equal(result.code, 2, argv.join(' '));
    assert.match(result.stderr, message);
    if (argv[0] !== 'frobnicate') assert.equal(result.stderr.trimEnd().split('\n').length, 1, 'one line');
    assert.ok(!result.stderr.includes('    at '), 'no stack trace');
  }
});

test('the real CLI process reads stdin and sets its exit code', () => {
  const ok = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'count'], { cwd: root, input: 'hello world', encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, '2\n');
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'render'], { cwd: root, input: 'nope', encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^harmony render: the chat request is not valid JSON/);
});

test('count --transcript reads markup literals as the special tokens they stand for', async () => {
  const transcript = '<|start|>user<|message|>hi<|end|>';
  assert.equal((await runCli(['count', '--transcript'], { '-': transcript })).stdout, '5\n');
  assert.equal((await runCli(['count'], { '-': transcript })).stdout, `${encodeOrdinary(transcript).length}\n`);
});
