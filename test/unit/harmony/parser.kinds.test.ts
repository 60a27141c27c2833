// The kinds of real output issue 15 names: run-on turns, header-less reasoning, tool names
// with spaces or a glued content type, stripped markers, ids no vocabulary has, empty headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functionNames } from '../../../src/harmony/functionNames';
import { parseCompletion } from '../../../src/harmony/parseCompletion';
import { createParser } from '../../../src/harmony/parser';
import { splitStrippedMarkers } from '../../../src/harmony/strippedMarkers';
import { encodeWithMarkup } from '../../../src/harmony/tokenizer';

const both = (text: string, options: Parameters<typeof parseCompletion>[1] = {}) => [parseCompletion(text, options), parseCompletion(encodeWithMarkup(text), options)] as const;
const calls = (s: ReturnType<typeof parseCompletion>): [string, unknown][] => s.toolCalls.map((c) => [c.name, c.arguments]);
const codes = (s: ReturnType<typeof parseCompletion>): string[][] => s.messages.map((m) => m.notes.map((n) => n.code));

test('a turn that runs on after <|call|>: the rest is unparsed, markers kept literally, never a second call', () => {
  const text = '<|channel|>commentary to=functions.a <|constrain|>json<|message|>{"x":1}<|call|>commentary<|channel|>commentary to=functions.b <|constrain|>json<|message|>{}';
  for (const s of both(text)) {
    assert.deepEqual(calls(s), [['a', { x: 1 }]]);
    assert.equal(s.unparsed, 'commentary<|channel|>commentary to=functions.b <|constrain|>json<|message|>{}');
    assert.deepEqual(
      [...new Set(s.events.flatMap((e) => (e.type === 'unparsed' ? [e.note.code] : [])))],
      ['afterStop'],
    );
  }
  // After <|return|> too: no answer text after the answer ended.
  for (const s of both('<|channel|>final<|message|>Done.<|return|><|channel|>final<|message|>More.')) {
    assert.equal(s.content, 'Done.');
    assert.equal(s.unparsed, '<|channel|>final<|message|>More.');
  }
});

test('text before the first header is reasoning when a header follows; held, not streamed as the answer', () => {
  for (const text of ['We need to answer.<|end|><|start|>assistant<|channel|>final<|message|>Hi', 'We need to answer.<|channel|>final<|message|>Hi']) {
    for (const s of both(text)) {
      assert.deepEqual([s.reasoning, s.content], ['We need to answer.', 'Hi'], text);
      assert.ok(codes(s)[0]!.includes('headerlessReasoning'), text);
    }
  }
  const parser = createParser({ role: 'assistant' });
  assert.deepEqual(parser.pushText('We need to answer.\nMore thought'), [], 'nothing shown before it is known to be reasoning');
  const events = [...parser.pushText('<|channel|>final<|message|>Hi'), ...parser.end()];
  assert.deepEqual(
    events.flatMap((e) => (e.type === 'messageStart' ? [e.header.channel] : [])),
    ['analysis', 'final'],
  );
  // No header after it: the answer, as before.
  for (const s of both('Just an answer.')) assert.equal(s.content, 'Just an answer.');
  for (const s of both('Just an answer.<|return|>')) assert.deepEqual([s.content, s.reasoning], ['Just an answer.', '']);
});

test('tool names with spaces, punctuation or a glued content type map back to the offered tool', () => {
  const names = functionNames(['read_file', 'run_in_terminal']).fromModel;
  const cases: [string, string][] = [
    ['<|channel|>commentary to=functions.Read File <|constrain|>json<|message|>{"path":"a"}<|call|>', 'read_file'],
    ['<|channel|>commentary to=functions.read-file <|constrain|>json<|message|>{"path":"a"}<|call|>', 'read_file'],
    ['<|channel|>commentary to=functions.read_filejson<|message|>{"path":"a"}<|call|>', 'read_file'],
    ['<|channel|>commentary to=functions.read_fil <|constrain|>json<|message|>{"path":"a"}<|call|>', 'read_file'],
    ['<|channel|>commentary to=functions.RunInTerminal json<|message|>{"path":"a"}<|call|>', 'run_in_terminal'],
  ];
  for (const [text, name] of cases) {
    const [s] = both(text, { functionNames: names });
    assert.deepEqual(
      s.toolCalls.map((c) => [c.name, c.unknownName === true]),
      [[name, name !== 'read_file' && name !== 'run_in_terminal']],
      text,
    );
  }
  // Two offered names equally near: no guess.
  const twins = functionNames(['read_a', 'read_b']).fromModel;
  assert.equal(parseCompletion('<|channel|>commentary to=functions.read_c json<|message|>{}<|call|>', { functionNames: twins }).toolCalls[0]!.unknownName, true);
});

test('stripped markers: split at clear seams into reasoning, calls and answer; ambiguous text stays the answer, noted', () => {
  const call = parseCompletion('analysisWe need the file.assistantcommentary to=functions.read_file json{"filePath":"a.ts"}', {
    functionNames: functionNames(['read_file']).fromModel,
  });
  assert.equal(call.reasoning, 'We need the file.');
  assert.deepEqual(calls(call), [['read_file', { filePath: 'a.ts' }]]);
  const glued = splitStrippedMarkers('analysisRead it.assistantcommentary to=functions.read_filejson{"filePath":"a.ts"}');
  assert.deepEqual(
    glued?.messages.map((m) => [m.header.channel, m.header.recipient, m.header.contentType, m.content]),
    [
      ['analysis', undefined, undefined, 'Read it.'],
      ['commentary', 'functions.read_file', 'json', '{"filePath":"a.ts"}'],
    ],
  );
  const roleFirst = splitStrippedMarkers('analysisOk.assistant to=functions.get_weathercommentary json{"city":"Paris"}');
  assert.deepEqual(
    roleFirst?.messages.map((m) => [m.header.channel, m.header.recipient, m.content]),
    [
      ['analysis', undefined, 'Ok.'],
      ['commentary', 'functions.get_weather', '{"city":"Paris"}'],
    ],
  );
  // A reasoning field (the analysis channel already) with the answer glued on.
  const field = splitStrippedMarkers('Thinking.assistantfinalThe answer.', { leadingChannel: 'analysis' });
  assert.deepEqual(
    field?.messages.map((m) => [m.header.channel, m.content]),
    [
      ['analysis', 'Thinking.'],
      ['final', 'The answer.'],
    ],
  );
  // Ordinary words are not headers.
  assert.equal(splitStrippedMarkers('analysis of the logs shows no error'), undefined);
  assert.equal(splitStrippedMarkers('finally, it works'), undefined);
  // A seam whose header cannot be read: one answer, whole, with a note.
  const unclear = splitStrippedMarkers('analysisHmm.assistant to= {}');
  assert.equal(unclear?.split, false);
  assert.equal(unclear?.messages[0]!.content, 'analysisHmm.assistant to= {}');
  assert.equal(unclear?.messages[0]!.notes[0]!.code, 'strippedAmbiguous');
  // With ids, no markers means none were written: the text is the answer (ids decide).
  const ids = parseCompletion(encodeWithMarkup('analysisWe think.assistantfinalHi'));
  assert.equal(ids.content, 'analysisWe think.assistantfinalHi');
});

test('ids no vocabulary has are noted on their message, and between messages', () => {
  const s = parseCompletion([...encodeWithMarkup('<|channel|>final<|message|>A'), 999999, ...encodeWithMarkup('<|end|>'), -5]);
  assert.equal(s.content, 'A\uFFFD');
  assert.deepEqual(codes(s), [['invalidTokenId']]);
  assert.deepEqual(
    s.events.flatMap((e) => (e.type === 'unparsed' ? [[e.text, e.note.code]] : [])),
    [['\uFFFD', 'invalidTokenId']],
  );
});

test('<|start|><|start|>…: empty headers make no messages, only one count noted on the next', () => {
  const s = parseCompletion(`<|channel|>final<|message|>A<|end|>${'<|start|>'.repeat(1000)}assistant<|channel|>final<|message|>B<|return|>`);
  assert.deepEqual(
    s.messages.map((m) => m.content),
    ['A', 'B'],
  );
  assert.deepEqual(
    s.messages[1]!.notes.map((n) => n.message),
    ['999 empty headers (<|start|> right after <|start|>) dropped'],
  );
});
