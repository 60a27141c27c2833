// The streaming contract: events as they happen, markers split anywhere in text, nothing
// held back longer than a possible marker, token spans per message, the parser's
// lifecycle, transcripts, and classification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify } from '../../../src/harmony/classify';
import { createParser } from '../../../src/harmony/parser';
import type { ParsedMessage, ParserEvent } from '../../../src/harmony/parserTypes';
import { decode, encodeWithMarkup } from '../../../src/harmony/tokenizer';

const COMPLETION =
  '<|channel|>analysis<|message|>User asks for the weather in Tokyo. Need to call get_weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Tokyo"}<|call|>';

function textRun(chunks: readonly string[]): { messages: ParsedMessage[]; events: ParserEvent[] } {
  const parser = createParser({ role: 'assistant' });
  const events = chunks.flatMap((chunk) => parser.pushText(chunk));
  events.push(...parser.end());
  return { messages: [...parser.messages], events };
}

const deltas = (events: readonly ParserEvent[]): string[] => events.flatMap((e) => (e.type === 'contentDelta' ? [e.text] : []));

test('a text split at every position, and char by char, reads exactly like the whole', () => {
  const whole = textRun([COMPLETION]);
  assert.equal(whole.messages.length, 2);
  const chunkings = [[...COMPLETION]];
  for (let at = 0; at <= COMPLETION.length; at++) chunkings.push([COMPLETION.slice(0, at), COMPLETION.slice(at)]);
  for (const chunks of chunkings) {
    const run = textRun(chunks);
    assert.deepEqual(run.messages, whole.messages, chunks.join(' | '));
    assert.equal(deltas(run.events).join(''), deltas(whole.events).join(''));
    for (const d of deltas(run.events)) assert.ok(!d.includes('<|'), `no marker piece in a delta: ${JSON.stringify(d)}`);
  }
});

test('only a possible marker prefix is held back, and it is released as soon as it cannot be one', () => {
  const parser = createParser({ role: 'assistant' });
  parser.pushText('<|channel|>final<|message|>');
  assert.deepEqual(deltas(parser.pushText('a <')), ['a ']);
  assert.deepEqual(deltas(parser.pushText('b')), ['<b']);
  assert.deepEqual(deltas(parser.pushText('x<|en')), ['x']);
  assert.deepEqual(deltas(parser.pushText('try|>')), ['<|entry|>'], 'not a marker: text, at once');
  assert.deepEqual(deltas(parser.pushText('<|foo|> and <|reserved_9')), ['<|foo|> and <|reserved_9'], 'no special token starts like that');
  assert.deepEqual(deltas(parser.pushText('y<|reserved_2000')), ['y']);
  assert.deepEqual(deltas(parser.pushText('17|>z')), ['z'], 'a reserved special token is a marker (dropped, noted)');
  const end = parser.pushText('<|e');
  assert.deepEqual(end, []);
  const closed = parser.pushText('nd|>');
  assert.equal(closed[0]?.type, 'messageEnd');
  const message = parser.messages[0]!;
  assert.equal(message.content, 'a <bx<|entry|><|foo|> and <|reserved_9yz');
  assert.ok(message.notes.map((n) => n.message).includes('stray <|reserved_200017|> in the content dropped'));
});

test('a held tail at the end of the stream is text', () => {
  const parser = createParser({ role: 'assistant' });
  parser.pushText('<|channel|>final<|message|>5 <|');
  const events = parser.end();
  assert.deepEqual(deltas(events), ['<|']);
  assert.equal(parser.messages[0]!.content, '5 <|');
});

test('events: start before deltas before end, indices in order, header known at start', () => {
  const { events } = textRun([COMPLETION]);
  assert.deepEqual(
    events.map((e) => `${e.type}${'index' in e ? e.index : ''}`),
    ['messageStart0', 'contentDelta0', 'messageEnd0', 'messageStart1', 'contentDelta1', 'messageEnd1'],
  );
  const start = events[3] as Extract<ParserEvent, { type: 'messageStart' }>;
  assert.deepEqual(start.header, {
    role: 'assistant',
    channel: 'commentary',
    recipient: 'functions.get_weather',
    contentType: '<|constrain|>json',
    headerText: 'assistant<|channel|>commentary to=functions.get_weather <|constrain|>json',
  });
  assert.equal(classify(start.header).kind, 'functionCall', 'a call is recognised from its header alone');
});

test('token spans: each message keeps its own tokens, layout whitespace included, so the completion can be re-sent', () => {
  const ids = encodeWithMarkup('<|channel|>analysis<|message|>A<|end|>\n<|start|>assistant<|channel|>final<|message|>B<|return|>');
  const parser = createParser({ role: 'assistant' });
  for (const id of ids) parser.pushTokens([id]);
  parser.end();
  const [first, second] = parser.messages;
  assert.deepEqual([...first!.tokens!, ...second!.tokens!], ids);
  assert.equal(decode(second!.tokens!), '\n<|start|>assistant<|channel|>final<|message|>B<|return|>');
  assert.equal(second!.headerText, '\nassistant<|channel|>final');
});

test('whitespace after the last message is unparsed text, not lost; text between messages too', () => {
  const { events } = textRun(['<|channel|>final<|message|>Hi<|end|>It is sunny.<|start|>assistant<|channel|>final<|message|>Bye<|return|>\n']);
  const unparsed = events.flatMap((e) => (e.type === 'unparsed' ? [[e.text, e.note.message]] : []));
  assert.deepEqual(unparsed, [
    ['It is sunny.', 'text outside any message'],
    ['\n', 'text after <|return|>, where generation should have stopped'],
  ]);
});

test('lifecycle: end() closes once; pushing after end is a programming error', () => {
  const parser = createParser({ role: 'assistant' });
  parser.pushText('<|channel|>final<|message|>Hi');
  assert.equal(parser.end().at(-1)?.type, 'messageEnd');
  assert.deepEqual(parser.end(), []);
  assert.throws(() => parser.pushText('more'), /already ended/);
  assert.throws(() => parser.pushTokens([1]), /already ended/);
});

test('an empty completion is no message; a completion that is only a stop token is none either', () => {
  assert.deepEqual(textRun([]).events, []);
  const parser = createParser({ role: 'assistant' });
  parser.pushText('<|return|>');
  assert.deepEqual(parser.end(), []);
  assert.deepEqual(parser.messages, []);
});

test('<|start|> as the first token after the prompt begins a header with a role word, with no empty message', () => {
  const { messages } = textRun(['<|start|>assistant<|channel|>final<|message|>Hi<|return|>']);
  assert.deepEqual(
    messages.map((m) => [m.role, m.channel, m.content]),
    [['assistant', 'final', 'Hi']],
  );
});

test('a newline inside a header streams the rest as content; a <|message|> right after it is still the header end', () => {
  const { messages, events } = textRun(['<|channel|>analysis\n', '<|message|>Thinking<|end|>']);
  assert.deepEqual(messages.map((m) => [m.channel, m.content, m.notes]), [['analysis', 'Thinking', []]]);
  assert.equal(events.filter((e) => e.type === 'messageStart').length, 1);
});

test('transcripts (no role): every role, tool authors, names after a colon', () => {
  const parser = createParser({ role: undefined });
  parser.pushText(
    '<|start|>system<|message|>You are ChatGPT.<|end|><|start|>developer<|message|># Instructions<|end|><|start|>user:alice<|message|>Hi<|end|><|start|>assistant<|channel|>commentary to=functions.lookup_weather<|message|>{}<|call|><|start|>functions.lookup_weather to=assistant<|channel|>commentary<|message|>{"temp": 20}<|end|>',
  );
  parser.end();
  assert.deepEqual(
    parser.messages.map((m) => [m.role, m.name, m.recipient, classify(m).kind]),
    [
      ['system', undefined, undefined, 'other'],
      ['developer', undefined, undefined, 'other'],
      ['user', 'alice', undefined, 'other'],
      ['assistant', undefined, 'functions.lookup_weather', 'functionCall'],
      ['tool', 'functions.lookup_weather', 'assistant', 'other'],
    ],
  );
});

test('text before the first <|start|> of a transcript is unparsed', () => {
  const parser = createParser({ role: undefined });
  const events = [...parser.pushText('notes: <|start|>user<|message|>Hi<|end|>'), ...parser.end()];
  assert.deepEqual(events[0], { type: 'unparsed', text: 'notes:', note: { code: 'outsideMessage', message: 'text outside any message' } });
  assert.equal(parser.messages[0]!.headerText, ' user', 'trailing whitespace is the layout before the header');
});

const message = (fields: Partial<ParsedMessage>): ParsedMessage => ({ role: 'assistant', content: '', stop: 'end', notes: [], ...fields });

test('classify: channels, people are not tools, arguments as JSON objects or raw text', () => {
  assert.equal(classify(message({ channel: 'analysis' })).kind, 'reasoning');
  assert.equal(classify(message({ channel: 'commentary' })).kind, 'preamble');
  assert.equal(classify(message({ channel: 'final', contentType: '<|constrain|>json' })).kind, 'answer');
  assert.equal(classify(message({})).kind, 'answer', 'no channel: a refusal that skipped its header, shown');
  assert.equal(classify(message({ channel: 'comment' })).kind, 'answer', 'unknown channel: shown, not hidden');
  for (const recipient of ['assistant', 'user', 'all']) assert.equal(classify(message({ channel: 'commentary', recipient })).kind, 'preamble', recipient);
  assert.equal(classify(message({ role: 'tool', name: 'functions.x', recipient: 'assistant' })).kind, 'other');
  const call = (content: string, contentType?: string) => classify(message({ channel: 'commentary', recipient: 'functions.f', content, ...(contentType ? { contentType } : {}) }));
  assert.deepEqual(call('{"a": [1]}'), { kind: 'functionCall', name: 'f', arguments: { a: [1] }, rawArguments: '{"a": [1]}', invalidJson: false });
  assert.deepEqual(call('  '), { kind: 'functionCall', name: 'f', arguments: {}, rawArguments: '  ', invalidJson: false });
  assert.deepEqual(call('{"a":', 'application/json'), { kind: 'functionCall', name: 'f', arguments: '{"a":', rawArguments: '{"a":', invalidJson: true });
  assert.deepEqual(call('[1, 2]'), { kind: 'functionCall', name: 'f', arguments: '[1, 2]', rawArguments: '[1, 2]', invalidJson: true }, 'arguments must be an object');
  assert.deepEqual(call('print(1)', '<|constrain|>code'), { kind: 'functionCall', name: 'f', arguments: 'print(1)', rawArguments: 'print(1)', invalidJson: false });
});

test('classify: a builtin name the client did offer as a function is that function', () => {
  const names = new Map([['python', 'python']]);
  assert.equal(classify(message({ channel: 'commentary', recipient: 'python' }), { functionNames: names }).kind, 'functionCall');
  assert.equal(classify(message({ channel: 'commentary', recipient: 'python' })).kind, 'builtinCall');
  assert.equal(classify(message({ channel: 'commentary', recipient: 'functions.python' })).kind, 'functionCall');
});
