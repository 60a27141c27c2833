// openai/harmony's parser goldens and the parser cases of its unit tests (src/tests.rs,
// tests/test_harmony.py; test/fixtures/README.md), with the messages harmony's tests expect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser } from '../../../src/harmony/parser';
import type { ParsedMessage, ParserEvent } from '../../../src/harmony/parserTypes';
import { decode, encodeOrdinary, encodeWithMarkup } from '../../../src/harmony/tokenizer';
import { goldenIdList, goldenIds, goldenText } from '../../support/goldens';

type Role = 'assistant' | undefined;

/** harmony's Message fields: what its tests compare. */
function fields(m: ParsedMessage): Record<string, string> {
  const out: Record<string, string> = { role: m.role, content: m.content };
  if (m.name !== undefined) out.name = m.name;
  if (m.channel !== undefined) out.channel = m.channel;
  if (m.recipient !== undefined) out.recipient = m.recipient;
  if (m.contentType !== undefined) out.content_type = m.contentType;
  return out;
}

function parseIds(ids: readonly number[], role: Role): { messages: ParsedMessage[]; events: ParserEvent[] } {
  const parser = createParser({ role });
  const events: ParserEvent[] = [];
  for (const id of ids) events.push(...parser.pushTokens([id]));
  events.push(...parser.end());
  return { messages: [...parser.messages], events };
}

function parseText(text: string, role: Role): ParsedMessage[] {
  const parser = createParser({ role });
  parser.pushText(text);
  parser.end();
  return [...parser.messages];
}

const assistant = (content: string, extra: Record<string, string> = {}): Record<string, string> => ({ role: 'assistant', content, ...extra });

/** Each message's tokens, concatenated, are the input: nothing lost, nothing counted twice. */
function assertSpansCover(messages: readonly ParsedMessage[], ids: readonly number[]): void {
  assert.deepEqual(
    messages.flatMap((m) => m.tokens ?? []),
    [...ids],
  );
}

test('test_simple_reasoning_response (token ids): analysis ended by <|return|>, then final', () => {
  const ids = goldenIdList('test_simple_reasoning_response');
  const { messages } = parseIds(ids, 'assistant');
  assert.deepEqual(messages.map(fields), [
    assistant('User asks: "What is 2 + 2?" Simple arithmetic. Provide answer.', { channel: 'analysis' }),
    assistant('2 + 2 = 4.', { channel: 'final' }),
  ]);
  assert.deepEqual(
    messages.map((m) => m.stop),
    ['return', 'truncated'],
  );
  assertSpansCover(messages, ids);
  assert.equal(messages[1]!.tokens![0], 200006, 'the second span starts at its <|start|>');
});

test('test_simple_tool_call (token ids): recipient in the role part, bare content type "code"', () => {
  const expected = [
    assistant('User asks: "What is the weather in Tokyo?" We need to use lookup_weather tool.', { channel: 'analysis' }),
    assistant('{"location": "Tokyo"}', { channel: 'analysis', recipient: 'lookup_weather', content_type: 'code' }),
  ];
  const golden = goldenIdList('test_simple_tool_call');
  const { messages } = parseIds(golden, 'assistant');
  assert.deepEqual(messages.map(fields), expected);
  assertSpansCover(messages, golden);
  // src/tests.rs spells the same response inline, with <|end|> after the analysis.
  const inline = [
    200005, 35644, 200008, 1844, 31064, 25, 392, 4827, 382, 290, 11122, 306, 40510, 16842, 1416, 1309, 316, 1199, 37342, 170154, 4584, 13, 200007,
    200006, 173781, 200005, 35644, 316, 28, 29712, 170154, 3490, 200008, 10848, 7693, 1243, 392, 173844, 18583,
  ];
  assert.deepEqual(parseIds(inline, 'assistant').messages.map(fields), expected);
});

const STREAMABLE = [
  assistant(
    "User asks \"Who is the current US president?\" It's 2025, presumably current president is Joe Biden? Actually as of 2025-07-28, there was a 2024 election. In 2024, President is probably President Biden still? But w\ne need up to date info. Let's browse to confirm.",
    { channel: 'analysis' },
  ),
  assistant('{"query": "current US president July 2025", "topn": 10, "source": "news"}', {
    channel: 'commentary',
    recipient: 'browser.search',
    content_type: 'code',
  }),
  { role: 'tool', name: 'browser.search', channel: 'commentary', recipient: 'assistant', content: '{"result": "https://openai.com/"}' },
];

test('test_streamable_parser (text): three messages, as text and as its token ids', () => {
  const text = goldenText('test_streamable_parser');
  assert.deepEqual(parseText(text, 'assistant').map(fields), STREAMABLE);
  const ids = goldenIds('test_streamable_parser');
  const { messages } = parseIds(ids, 'assistant');
  assert.deepEqual(messages.map(fields), STREAMABLE);
  assertSpansCover(messages, ids);
});

test('test_tool_response_parsing (text, no role): a tool message, author browser.search', () => {
  const expected = [{ role: 'tool', name: 'browser.search', channel: 'commentary', recipient: 'assistant', content: '{"result": "https://openai.com/"}' }];
  assert.deepEqual(parseText(goldenText('test_tool_response_parsing'), undefined).map(fields), expected);
  assert.deepEqual(parseIds(goldenIds('test_tool_response_parsing'), undefined).messages.map(fields), expected);
});

const CALL = { channel: 'commentary', recipient: 'functions.get_weather', content_type: '<|constrain|>json' };

test('constrain adjacent to the recipient, channel first and role first (tests.rs, test_harmony.py)', () => {
  const cases: [string, string][] = [
    ['<|start|>assistant<|channel|>commentary to=functions.get_weather<|constrain|>json<|message|>{"latitude":48.8566,"longitude":2.3522}<|call|>', '{"latitude":48.8566,"longitude":2.3522}'],
    ['<|start|>assistant to=functions.get_weather<|channel|>commentary<|constrain|>json<|message|>{"location": "Tokyo"}<|end|>', '{"location": "Tokyo"}'],
    // test_tool_call_with_constrain_tokenized_correctly: the rendered form, with a space.
    ['<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"location": "Tokyo"}<|call|>', '{"location": "Tokyo"}'],
  ];
  for (const [text, content] of cases) {
    assert.deepEqual(parseIds(encodeWithMarkup(text), undefined).messages.map(fields), [assistant(content, CALL)], text);
    assert.deepEqual(parseText(text, undefined).map(fields), [assistant(content, CALL)], text);
  }
});

// openai/harmony's non-strict parser leaves text before the completion's first header
// without a channel; issue 15 reads it as reasoning when a header follows (noted).
const HEADERLESS = { channel: 'analysis' };

test('missing <|message|>: the header words become content (harmony non-strict, every message)', () => {
  const refusal = [assistant('We must refuse', { channel: 'analysis' }), assistant("I'm sorry, but I can't help with that.", { channel: 'final' })];
  const cases: [string, Record<string, string>[]][] = [
    ['<|channel|>commentary Hello<|end|>', [assistant('Hello', { channel: 'commentary' })]],
    [
      "I must refuse<|end|><|start|>assistant<|channel|>analysis<|message|>We must refuse<|end|><|start|>assistant<|channel|>final<|message|>I'm sorry, but I can't help with that.<|return|>",
      [assistant('I must refuse', HEADERLESS), ...refusal],
    ],
    [
      "<|channel|>analysis I must refuse<|end|><|start|>assistant<|channel|>analysis<|message|>We must refuse<|end|><|start|>assistant<|channel|>final<|message|>I'm sorry, but I can't help with that.<|return|>",
      [assistant('I must refuse', { channel: 'analysis' }), ...refusal],
    ],
    [
      "... Let's use the tool.<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>{\"location\": \"Tokyo\"}<|call|>",
      [assistant("... Let's use the tool.", HEADERLESS), assistant('{"location": "Tokyo"}', { channel: 'commentary', recipient: 'functions.get_weather', content_type: 'json' })],
    ],
  ];
  for (const [text, expected] of cases) {
    const { messages } = parseIds(encodeWithMarkup(text), 'assistant');
    assert.deepEqual(messages.map(fields), expected, text);
    const notes = messages[0]!.notes.map((n) => n.code);
    assert.ok(notes.includes('missingMessage') || notes.includes('headerlessReasoning'), 'the recovery is noted');
  }
});

const PREFIX = encodeWithMarkup('<|start|>assistant<|message|>');
const END = encodeWithMarkup('<|end|>');

test('no byte leakage between messages: a cut UTF-8 sequence stays in its message', () => {
  // 9552 is the bytes [32, 240, 159]: a space and the first half of a four-byte character.
  const ids = [...PREFIX, 9552, 9552, ...END, ...PREFIX, ...encodeOrdinary('Hi'), ...END];
  const { messages } = parseIds(ids, undefined);
  assert.deepEqual(messages.map(fields), [assistant(' \uFFFD \uFFFD'), assistant('Hi')]);
});

test('partial bytes are flushed at the end as U+FFFD', () => {
  const { messages } = parseIds([...PREFIX, 9552, ...encodeOrdinary('Hi')], undefined);
  assert.deepEqual(messages.map(fields), [assistant(' \uFFFDHi')]);
  assert.equal(messages[0]!.stop, 'truncated');
});

test('an emoji split over two tokens is one delta, emitted when complete', () => {
  const emoji = encodeOrdinary('💖');
  assert.ok(emoji.length >= 2, 'multi-token emoji');
  const parser = createParser({ role: undefined });
  parser.pushTokens(PREFIX);
  assert.deepEqual(parser.pushTokens([emoji[0]!]), []);
  assert.deepEqual(parser.pushTokens(emoji.slice(1)), [{ type: 'contentDelta', index: 0, text: '💖' }]);
  parser.pushTokens(END);
  assert.deepEqual(parser.messages.map(fields), [assistant('💖')]);
});

test('an id outside the vocabulary becomes U+FFFD (harmony: u32::MAX)', () => {
  const ids = [...encodeWithMarkup('<|start|>assistant<|channel|>analysis<|message|>Practice invalid token handling.'), 2 ** 32 - 1];
  assert.deepEqual(parseIds(ids, undefined).messages.map(fields), [assistant('Practice invalid token handling.\uFFFD', { channel: 'analysis' })]);
});

test('invalid UTF-8 in content (test_harmony.py streaming cases)', () => {
  const worked = [...PREFIX, 9552, 9552, ...encodeWithMarkup('worked<|end|>')];
  assert.deepEqual(parseIds(worked, undefined).messages.map(fields), [assistant(' \uFFFD \uFFFDworked')]);
  const xy = [...PREFIX, 9552, ...encodeOrdinary('XY'), ...END];
  assert.deepEqual(parseIds(xy, undefined).messages.map(fields), [assistant(' \uFFFDXY')]);
  const interesting = [...PREFIX, 9552, ...encodeOrdinary(' interesting'), ...END];
  assert.deepEqual(parseIds(interesting, undefined).messages.map(fields), [assistant(' \uFFFD interesting')]);
});

test('deltas add up to the content while the message is still open (no EOS marker)', () => {
  const parser = createParser({ role: undefined });
  const deltas: string[] = [];
  const collect = (events: ParserEvent[]): void => {
    for (const e of events) if (e.type === 'contentDelta') deltas.push(e.text);
  };
  for (const id of [...PREFIX, 9552, ...encodeOrdinary(' interesting'), ...encodeOrdinary(' story')]) collect(parser.pushTokens([id]));
  assert.equal(deltas.join(''), ' \uFFFD interesting story');
  const before = deltas.length;
  collect(parser.pushTokens(encodeOrdinary('Y')));
  assert.deepEqual(deltas.slice(before), ['Y']);
});

test('tricky UTF-8 text comes through token by token, whole', () => {
  const tricky =
    'Hello Müller, Γειά σου, Привет, שלום, مرحبا, नमस्ते, こんにちは, 안녕하세요, 你好. Normalized (naïve) vs. decomposed (naïve) characters. Some emojis: 😊👋🏾👨‍👩‍👧‍👦🇺🇸.';
  const { messages, events } = parseIds([...PREFIX, ...encodeOrdinary(tricky), ...END], undefined);
  assert.deepEqual(messages.map(fields), [assistant(tricky)]);
  const deltas = events.flatMap((e) => (e.type === 'contentDelta' ? [e.text] : []));
  assert.equal(deltas.join(''), tricky);
  assert.ok(deltas.every((d) => !d.includes('\uFFFD')), 'no partial character is ever emitted');
});

test('each golden decodes back to the text of its spans (token-exact round trip)', () => {
  for (const name of ['test_streamable_parser', 'test_tool_response_parsing']) {
    const ids = goldenIds(name);
    const { messages } = parseIds(ids, name === 'test_streamable_parser' ? 'assistant' : undefined);
    assert.equal(messages.map((m) => decode(m.tokens!)).join(''), decode(ids), name);
  }
});
