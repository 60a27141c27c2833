import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { encodeWithMarkup } from '../../../src/harmony/tokenizer';
import { runCli } from '../../support/cliHarness';
import { goldenIdList } from '../../support/goldens';

const root = join(__dirname, '../../..');
const CALL =
  '<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant<|channel|>commentary<|message|>Checking.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Tokyo"}<|call|>';

test('parse prints the issue’s JSON object for a completion text', async () => {
  const result = await runCli(['parse'], { '-': CALL });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    messages: [
      { role: 'assistant', channel: 'analysis', recipient: null, content_type: null, content: 'Need weather.' },
      { role: 'assistant', channel: 'commentary', recipient: null, content_type: null, content: 'Checking.' },
      { role: 'assistant', channel: 'commentary', recipient: 'functions.get_weather', content_type: '<|constrain|>json', content: '{"city":"Tokyo"}' },
    ],
    reasoning: 'Need weather.',
    content: '',
    tool_calls: [{ name: 'get_weather', arguments: { city: 'Tokyo' } }],
    truncated: false,
  });
});

test('parse --ids reads token ids (harmony’s test_simple_reasoning_response) and reports the cut answer', async () => {
  const ids = goldenIdList('test_simple_reasoning_response');
  const result = await runCli(['parse', '--ids', 'ids.json'], { 'ids.json': JSON.stringify(ids) });
  const out = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.equal(out.reasoning, 'User asks: "What is 2 + 2?" Simple arithmetic. Provide answer.');
  assert.equal(out.content, '2 + 2 = 4.');
  assert.equal(out.truncated, true);
});

test('arguments that do not parse become {"_raw": …}; notes, unparsed and builtin calls appear only when there are some', async () => {
  const cut = JSON.parse((await runCli(['parse'], { '-': '<|channel|>commentary to=functions.f json<|message|>{"a": ' })).stdout) as Record<string, unknown>;
  assert.deepEqual(cut.tool_calls, [{ name: 'f', arguments: { _raw: '{"a": ' } }]);
  assert.equal(cut.truncated, true);
  const messy = JSON.parse(
    (await runCli(['parse'], { '-': '<|channel|>commentary to=assistant<|channel|>final<|message|>Hi<|return|>junk<|start|>assistant<|channel|>commentary to=python code<|message|>1+1<|call|>' })).stdout,
  ) as { messages: { notes?: { code: string; message: string }[] }[]; unparsed?: string; builtin_calls?: unknown };
  assert.deepEqual(messy.messages[0]!.notes, [{ code: 'strayHeader', message: 'stray header "<|channel|>commentary to=assistant" dropped' }]);
  assert.equal(messy.unparsed, 'junk');
  assert.deepEqual(messy.builtin_calls, [{ recipient: 'python', arguments: '1+1' }]);
  const clean = JSON.parse((await runCli(['parse'], { '-': CALL })).stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(clean), ['messages', 'reasoning', 'content', 'tool_calls', 'truncated']);
});

test('parse --stream prints one JSON event per line, token by token with --ids', async () => {
  const ids = encodeWithMarkup('<|channel|>final<|message|>Hello world<|return|>');
  const result = await runCli(['parse', '--stream', '--ids'], { '-': JSON.stringify(ids) });
  const events = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; text?: string; message?: { tokens?: number[] } });
  assert.deepEqual(
    events.map((e) => e.type),
    ['messageStart', 'contentDelta', 'contentDelta', 'messageEnd'],
  );
  assert.deepEqual(
    events.filter((e) => e.type === 'contentDelta').map((e) => e.text),
    ['Hello', ' world'],
  );
  assert.deepEqual(events.at(-1)!.message!.tokens, ids);
});

test('parse --transcript reads a transcript that starts with <|start|>', async () => {
  const result = await runCli(['parse', '--transcript'], { '-': '<|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello<|end|>' });
  const out = JSON.parse(result.stdout) as { messages: { role: string }[]; content: string; unparsed?: string };
  assert.deepEqual(
    out.messages.map((m) => m.role),
    ['user', 'assistant'],
  );
  assert.equal(out.content, 'Hello');
  assert.equal(out.unparsed, undefined, 'the user turn is a message, not stray output');
  // In a completion, a tool result the model made up after <|call|> is stray output.
  const madeUp = await runCli(['parse'], { '-': '<|channel|>commentary to=functions.f<|message|>{}<|call|><|start|>functions.f to=assistant<|channel|>commentary<|message|>{"ok": true}<|end|>' });
  assert.equal((JSON.parse(madeUp.stdout) as { unparsed?: string }).unparsed, '{"ok": true}');
});

test('bad input exits 2 with one line', async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['parse', '--ids'], { '-': '<|channel|>' }, /^harmony parse: the --ids input is not valid JSON/],
    [['parse', '--ids'], { '-': '[1, "2"]' }, /^harmony parse: --ids expects a JSON array of token ids/],
    [['parse', '--ids'], { '-': '{"ids": [1]}' }, /^harmony parse: --ids expects a JSON array of token ids/],
    [['parse', 'a', 'b'], {}, /^harmony parse: parse takes at most one FILE/],
    [['parse', 'missing.txt'], {}, /^harmony parse: no such file: missing\.txt/],
    [['parse', '--nope'], { '-': '' }, /^harmony parse: Unknown option '--nope'/],
  ];
  for (const [argv, input, message] of cases) {
    const result = await runCli(argv, input);
    assert.equal(result.code, 2, argv.join(' '));
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, 'one line');
  }
});

test('any text is parsed without error: garbage is unparsed or content, never a crash', async () => {
  for (const text of ['', '<|', '<|end|>', '}}{{', '<|start|><|start|><|message|><|call|>x']) {
    const result = await runCli(['parse'], { '-': text });
    assert.equal(result.code, 0, JSON.stringify(text));
    JSON.parse(result.stdout);
  }
});

test('the real CLI process: harmony parse reads stdin', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'parse'], { cwd: root, input: '<|channel|>final<|message|>Hi', encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal((JSON.parse(run.stdout) as { content: string }).content, 'Hi');
});

test('parse --ids: ids no vocabulary has (out of range, negative, not integers) are noted on their message (issue 13)', async () => {
  const ids = [...encodeWithMarkup('<|channel|>final<|message|>A'), 300000, -1, 2.5, ...encodeWithMarkup('B<|return|>')];
  const result = await runCli(['parse', '--ids'], { '-': JSON.stringify(ids) });
  assert.equal(result.code, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { content: string; messages: { notes?: { code: string; message: string }[] }[] };
  assert.equal(out.content, 'A\uFFFD\uFFFD\uFFFDB');
  assert.deepEqual(
    out.messages[0]!.notes?.map((n) => n.code),
    ['invalidTokenId'],
  );
  assert.match(out.messages[0]!.notes![0]!.message, /300000/);
});
