// The sixteen malformed or surprising output patterns of docs/harmony-recovery.md, each built from the
// evidence the table cites (engine tests, harmony tests, bug reports), parsed both as
// token ids and as literal-markup text, with the handling the table asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify } from '../../../src/harmony/classify';
import { functionNames } from '../../../src/harmony/functionNames';
import { parseCompletion, type CompletionOptions, type CompletionSummary } from '../../../src/harmony/parseCompletion';
import { createParser } from '../../../src/harmony/parser';
import { encodeOrdinary, encodeWithMarkup } from '../../../src/harmony/tokenizer';
import { Special } from '../../../src/harmony/tokens';

/** Parses the output as ids and as text; both must read the same. Returns the ids reading. */
function parse(output: string, options: CompletionOptions = {}): CompletionSummary {
  const ids = parseCompletion(encodeWithMarkup(output), options);
  const text = parseCompletion(output, options);
  const strip = (s: CompletionSummary): unknown => ({ ...s, events: undefined, messages: s.messages.map((m) => ({ ...m, tokens: undefined })) });
  assert.deepEqual(strip(text), strip(ids), 'ids and text read the same');
  return ids;
}

const calls = (s: CompletionSummary): [string, unknown][] => s.toolCalls.map((c) => [c.name, c.arguments]);
const noLeak = (s: CompletionSummary): void => {
  for (const text of [s.content, s.reasoning, s.unparsed, ...s.messages.map((m) => m.content)]) {
    assert.ok(!/<\|(channel|message|start|constrain|end|call|return)\|>/.test(text), `markup leaked: ${JSON.stringify(text)}`);
  }
};

test('#1 recipient in the role part (llama.cpp #15181; vLLM test_tool_call_split_across_deltas; harmony docs)', () => {
  const afterAnalysis = parse(
    '<|channel|>analysis<|message|>Thinking<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary<|constrain|>json<|message|>{"location": "Paris"}<|call|>',
  );
  assert.equal(afterAnalysis.reasoning, 'Thinking');
  assert.deepEqual(calls(afterAnalysis), [['get_weather', { location: 'Paris' }]]);
  // llama.cpp "Tool call with constraint": the completion's first header, right after `<|start|>assistant`.
  const first = parse(' to=functions.special_function<|channel|>analysis <|constrain|>json<|message|>{"arg1": 1}');
  assert.deepEqual(calls(first), [['special_function', { arg1: 1 }]]);
  assert.equal(first.messages[0]!.recipient, 'functions.special_function');
  assert.deepEqual(first.messages[0]!.notes, []);
});

test('#2 <|constrain|> glued to the recipient (harmony *_constrain_adjacent; Ollama header test)', () => {
  const s = parse('<|channel|>commentary to=functions.get_weather<|constrain|>json<|message|>{"latitude":48.8566,"longitude":2.3522}<|call|>');
  assert.equal(s.messages[0]!.recipient, 'functions.get_weather');
  assert.equal(s.messages[0]!.contentType, '<|constrain|>json');
  assert.deepEqual(calls(s), [['get_weather', { latitude: 48.8566, longitude: 2.3522 }]]);
});

test('#3 content type without <|constrain|>: " json" parses as JSON, " code" text stays raw, a " code" body that is a JSON object is the arguments (harmony test_simple_tool_call; jinja/vLLM render; waybarrios/vllm-mlx#562)', () => {
  const json = parse('<|channel|>commentary to=functions.get_weather json<|message|>{"city": "SF"}<|call|>');
  assert.equal(json.messages[0]!.contentType, 'json');
  assert.deepEqual(calls(json), [['get_weather', { city: 'SF' }]]);
  const code = parse('<|channel|>analysis to=functions.run code<|message|>print(1)<|call|>');
  assert.equal(code.messages[0]!.contentType, 'code');
  assert.deepEqual(code.toolCalls.map((c) => [c.arguments, c.invalidJson]), [['print(1)', false]]);
  const codeJson = parse('<|channel|>analysis to=functions.grep code<|message|>{"pattern":"x"}<|call|>');
  assert.deepEqual(codeJson.toolCalls.map((c) => [c.arguments, c.invalidJson]), [[{ pattern: 'x' }, false]]);
  const codeArray = parse('<|channel|>analysis to=functions.grep code<|message|>["x"]<|call|>');
  assert.deepEqual(codeArray.toolCalls.map((c) => [c.arguments, c.invalidJson]), [['["x"]', false]]);
  // No content type at all: JSON is assumed (vLLM "6 calls incl. no content type").
  assert.deepEqual(calls(parse('<|channel|>commentary to=functions.get_weather<|message|>{"location": "SF"}<|end|>')), [['get_weather', { location: 'SF' }]]);
});

test('#4 constrained final answer is an answer with a content type, not a recipient (vLLM #28000, #45657)', () => {
  for (const header of ['<|channel|>final <|constrain|>json', '<|channel|>final<|constrain|>json', '<|channel|>final json']) {
    const s = parse(`<|channel|>analysis<|message|>Format as JSON.<|end|><|start|>assistant${header}<|message|>{"answer": 42}<|return|>`);
    const final = s.messages[1]!;
    assert.equal(final.recipient, undefined, header);
    assert.ok(final.contentType?.endsWith('json'), header);
    assert.equal(s.content, '{"answer": 42}', header);
    assert.deepEqual(s.toolCalls, []);
  }
});

test('#5 function calls on the analysis channel are calls (llama.cpp recipient-in-channel test; vLLM #35907)', () => {
  const s = parse('<|channel|>analysis to=functions.special_function<|message|>{"arg1": 1}');
  assert.deepEqual(calls(s), [['special_function', { arg1: 1 }]]);
  assert.equal(s.reasoning, '', 'never reasoning text');
});

test('#6 stray <|channel|>commentary to=assistant prefix (llama.cpp PEG stray_commentary tests, #27720; Ollama #11704)', () => {
  const s = parse("<|channel|>commentary to=assistant<|channel|>analysis<|message|>I'm\nthinking<|end|><|start|>assistant<|channel|>final<|message|>Hello, world!\nWhat's up?");
  assert.equal(s.reasoning, "I'm\nthinking");
  assert.equal(s.content, "Hello, world!\nWhat's up?");
  assert.deepEqual(s.toolCalls, [], 'no tool named "assistant<|channel|>analysis"');
  assert.equal(s.messages[0]!.recipient, undefined);
  assert.deepEqual(s.messages[0]!.notes, [{ code: 'strayHeader', message: 'stray header "<|channel|>commentary to=assistant" dropped' }]);
  const beforeFinal = parse('<|channel|>commentary to=assistant<|channel|>final<|message|>Hello<|return|>');
  assert.equal(beforeFinal.content, 'Hello');
  // The other garbage of #27720: a `??` channel header with no <|message|>, then a good message.
  const garbled = parse('<|channel|>??<|end|><|start|>assistant<|channel|>analysis<|message|>We must comply with the gating rules.');
  assert.equal(garbled.reasoning, 'We must comply with the gating rules.');
  assert.equal(garbled.messages[0]!.channel, '??');
  assert.ok(garbled.messages[0]!.notes.map((n) => n.message).includes('unknown channel "??"'));
  const glued = parse('<|channel|>commentary?commentary?We need temperature difference.<|end|><|start|>assistant<|channel|>analysis<|message|>Need it.');
  assert.equal(glued.messages[0]!.channel, 'commentary');
  assert.equal(glued.messages[0]!.content, '?commentary?We need temperature difference.', 'kept, as a preamble the user sees');
  noLeak(glued);
});

test('#7 missing <|message|>: the header runs into the content (harmony #80/PR #82; vLLM #47062 malformed_msgs)', () => {
  const s = parse('<|channel|>analysis<|message|>thinking<|end|><|start|>assistant<|channel|>commentary<|message|>thinking<|end|><|start|>assistant<|channel|>final {"answer": "hi"}<|return|>');
  assert.equal(s.content, '{"answer": "hi"}', 'raw text recovered as the answer, for every message, not only the first');
  assert.ok(s.messages[2]!.notes.map((n) => n.message).includes('no <|message|> after the header: the rest is content'));
  assert.deepEqual(s.toolCalls, []);
  // A 120b refusal without <|message|>: the words keep their spacing.
  const refusal = parse("<|channel|>final I'm sorry,  but\tI can't help with that.<|return|>");
  assert.equal(refusal.content, "I'm sorry,  but\tI can't help with that.");
  // A header that runs on past a newline is streamed as content before the message ends.
  const parser = createParser({ role: 'assistant' });
  const events = parser.pushText('<|channel|>final Sorry, I cannot help.\nMore text');
  assert.equal(
    events
      .filter((e) => e.type === 'contentDelta')
      .map((e) => (e as { text: string }).text)
      .join(''),
    'Sorry, I cannot help.\nMore text',
  );
  assert.deepEqual(parser.messages, [], 'still open: streamed before its end');
});

test('#8 junk words in a header are noted, the call still goes through (harmony #38 "––commentary"; vLLM #51977 to=functions.web-browsing)', () => {
  const junk = parse('<|channel|>commentary ––commentary to=functions.get_weather <|constrain|>json<|message|>{"city": "Paris"}<|call|>');
  assert.deepEqual(calls(junk), [['get_weather', { city: 'Paris' }]]);
  assert.ok(junk.messages[0]!.notes.map((n) => n.message).includes('ignored header text "––commentary"'));
  assert.equal(junk.messages[0]!.headerText, '<|channel|>commentary ––commentary to=functions.get_weather <|constrain|>json');
  // The recipient written twice (role part and channel part) left "to=functions.web-browsing" over in harmony.
  const names = functionNames(['web-browsing']);
  const twice = parse('assistant to=functions.web-browsing<|channel|>commentary to=functions.web-browsing json<|message|>{"q": "x"}<|call|>', {
    functionNames: names.fromModel,
  });
  assert.deepEqual(calls(twice), [['web-browsing', { q: 'x' }]]);
  assert.ok(twice.messages[0]!.notes.map((n) => n.message).includes('recipient "functions.web-browsing" repeated'));
  const conflicting = parse('<|channel|>commentary to=functions.a to=functions.b<|message|>{}<|call|>');
  assert.deepEqual(calls(conflicting), [['a', {}]]);
  assert.ok(conflicting.messages[0]!.notes.map((n) => n.message).includes('second recipient "functions.b" ignored'));
});

test('#9 text after a stop token is unparsed, messages after it are still read (vLLM #22515/#22519, harmony #60)', () => {
  // harmony #60: "Unexpected token 12606 while expecting start token 200006" — 12606 is "comment".
  const ids = [...encodeWithMarkup('<|channel|>commentary to=functions.f<|message|>{}<|call|>'), 12606, 815, 13];
  const s = parseCompletion(ids);
  assert.deepEqual(calls(s), [['f', {}]]);
  assert.equal(s.unparsed, 'commentary.');
  const notes = new Set(s.events.flatMap((e) => (e.type === 'unparsed' ? [e.note.message] : [])));
  assert.deepEqual([...notes], ['text after <|call|>, where generation should have stopped']);
  // A fine-tune that writes <|end|><|return|>: the extra stop token is nothing.
  const double = parse('<|channel|>final<|message|>Done.<|end|><|return|>');
  assert.deepEqual([double.content, double.unparsed, double.messages.length], ['Done.', '', 1]);
  // ignore_eos (vLLM test_tool_index_across_calls, test_cross_channel_with_tool): both calls and the final are read.
  const onward = parse(
    '<|channel|>analysis<|message|>Thinking<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary<|constrain|>json<|message|>{"location": "Paris"}<|call|><|start|>assistant to=functions.get_time<|channel|>commentary<|constrain|>json<|message|>{"timezone": "UTC"}<|call|><|start|>assistant<|channel|>final<|message|>Done',
  );
  assert.deepEqual(calls(onward), [
    ['get_weather', { location: 'Paris' }],
    ['get_time', { timezone: 'UTC' }],
  ]);
  assert.equal(onward.content, 'Done');
});

test('#10 unsolicited builtin calls are builtin calls, never answer text (llama.cpp PEG "unsolicited" tests)', () => {
  const python = parse('<|channel|>analysis<|message|>I will execute python to say hello<|end|><|start|>assistant<|channel|>commentary to=python <|constrain|>code<|message|>print("hello")');
  assert.equal(python.reasoning, 'I will execute python to say hello');
  assert.equal(python.content, '');
  assert.deepEqual(python.toolCalls, []);
  assert.deepEqual(python.builtinCalls, [{ recipient: 'python', rawArguments: 'print("hello")' }]);
  for (const recipient of ['container.exec', 'browser.search', 'browser.open']) {
    const s = parse(`<|channel|>commentary to=${recipient} <|constrain|>json<|message|>{"cmd": ["ls"]}<|call|>`);
    assert.deepEqual(
      s.builtinCalls.map((c) => c.recipient),
      [recipient],
    );
    assert.equal(s.content, '');
    assert.deepEqual(classify(s.messages[0]!), { kind: 'builtinCall', recipient, rawArguments: '{"cmd": ["ls"]}' });
  }
});

test('#11 tool names: functions. prefix missing, sanitised names mapped back, unknown names flagged (Ollama #11991)', () => {
  const names = functionNames(['get_weather', 'mcp_github-create_issue', '3d.render']).fromModel;
  const cases: [string, string, boolean][] = [
    ['to=functions.get_weather', 'get_weather', false],
    ['to=get_weather', 'get_weather', false],
    ['to=functions.mcp_github_create_issue', 'mcp_github-create_issue', false],
    ['to=functions.mcp_github-create_issue', 'mcp_github-create_issue', false],
    ['to=functions._3d_render', '3d.render', false],
    ['to=functions.Get_Weather', 'get_weather', false],
    ['to=functions.launch_rockets', 'launch_rockets', true],
  ];
  for (const [recipient, name, unknown] of cases) {
    const s = parse(`<|channel|>commentary ${recipient} <|constrain|>json<|message|>{}<|call|>`, { functionNames: names });
    assert.deepEqual(
      s.toolCalls.map((c) => [c.name, c.unknownName === true]),
      [[name, unknown]],
      recipient,
    );
  }
});

test('#12 truncation mid-header and mid-JSON: truncated flag, partial text kept, no markup leaks (vLLM #47062/#45736)', () => {
  // The bug report's input: cut by max_tokens inside the call header.
  const header = parse('<|channel|>analysis<|message|>The user asks ...<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json');
  assert.equal(header.truncated, true);
  assert.equal(header.content, '');
  assert.equal(header.unparsed, '');
  noLeak(header);
  const cut = header.messages[1]!;
  assert.deepEqual([cut.recipient, cut.stop, cut.content], ['functions.get_weather', 'truncated', '']);
  assert.ok(cut.notes.map((n) => n.message).includes('cut off in the header'));
  // Mid-JSON (llama.cpp regex-era partial arguments `{"arg1`): the raw text is kept, marked invalid.
  const json = parse('<|channel|>commentary to=functions.special_function <|constrain|>json<|message|>{"arg1');
  assert.equal(json.truncated, true);
  assert.deepEqual(json.toolCalls.map((c) => [c.name, c.invalidJson, c.rawArguments, c.truncated]), [['special_function', true, '{"arg1', true]]);
  // Mid-answer (vLLM test_truncated_output).
  const answer = parse("<|channel|>analysis<|message|>I'm thinking.<|end|><|start|>assistant<|channel|>final<|message|>I'm in the middle of answering");
  assert.deepEqual([answer.reasoning, answer.content, answer.truncated], ["I'm thinking.", "I'm in the middle of answering", true]);
});

test('#13 several messages per completion: analysis, preamble, call (harmony docs "Preambles")', () => {
  const s = parse(
    '<|channel|>analysis<|message|>{long chain of thought}<|end|><|start|>assistant<|channel|>commentary<|message|>**Action plan**:\n1. Generate an HTML file\n---\nWill start executing the plan step by step<|end|><|start|>assistant<|channel|>commentary to=functions.generate_file<|constrain|>json<|message|>{"template": "basic_html", "path": "index.html"}<|call|>',
  );
  assert.equal(s.reasoning, '{long chain of thought}');
  assert.equal(s.content, '', 'a preamble is not the answer');
  assert.deepEqual(
    s.messages.map((m) => classify(m).kind),
    ['reasoning', 'preamble', 'functionCall'],
  );
  assert.equal(s.messages[1]!.content, '**Action plan**:\n1. Generate an HTML file\n---\nWill start executing the plan step by step');
  assert.deepEqual(calls(s), [['generate_file', { template: 'basic_html', path: 'index.html' }]]);
});

test('#14 <|end|> followed directly by <|channel|> is an implicit <|start|>assistant (Ollama "message start tag in the middle")', () => {
  const s = parse('<|channel|>analysis<|message|>Think.<|end|><|channel|>final<|message|>Answer.<|return|>');
  assert.deepEqual([s.reasoning, s.content, s.unparsed], ['Think.', 'Answer.', '']);
  assert.ok(s.messages[1]!.notes.map((n) => n.message).includes('no <|start|>assistant before <|channel|>'));
  // Also without the <|end|>: <|channel|> inside content closes the message.
  const noEnd = parse('<|channel|>analysis<|message|>Think.<|channel|>final<|message|>Answer.');
  assert.deepEqual([noEnd.reasoning, noEnd.content], ['Think.', 'Answer.']);
  assert.ok(noEnd.messages[0]!.notes.map((n) => n.message).includes('no <|end|> before <|channel|>'));
  const noEndStart = parse('<|channel|>analysis<|message|>Think.<|start|>assistant<|channel|>final<|message|>Answer.');
  assert.deepEqual([noEndStart.reasoning, noEndStart.content], ['Think.', 'Answer.']);
});

test('#15 split UTF-8: a character over two tokens streams once; invalid bytes are U+FFFD (harmony *_utf8_* tests)', () => {
  const parser = createParser({ role: 'assistant' });
  const prefix = encodeWithMarkup('<|channel|>final<|message|>');
  parser.pushTokens(prefix);
  const emoji = encodeOrdinary('🇺🇸');
  const deltas = emoji.flatMap((id) => parser.pushTokens([id]).flatMap((e) => (e.type === 'contentDelta' ? [e.text] : [])));
  assert.ok(deltas.every((d) => !d.includes('\uFFFD')));
  assert.equal(deltas.join(''), '🇺🇸');
  const bad = parseCompletion([...prefix, 9552, ...encodeOrdinary('ok'), Special.return]);
  assert.equal(bad.content, ' \uFFFDok');
});

test('#16 markup missing from the text (oobabooga #7374): split at its seams when they are clear, else the answer with a note, never lost', () => {
  const s = parseCompletion('analysisUser says hi. Simple greeting.assistantfinalHello! How can I help?');
  assert.deepEqual([s.reasoning, s.content], ['User says hi. Simple greeting.', 'Hello! How can I help?']);
  assert.deepEqual(
    s.messages.map((m) => [m.headerText, m.notes.map((n) => n.code)]),
    [
      ['analysis', ['strippedMarkers']],
      ['assistantfinal', ['strippedMarkers']],
    ],
  );
  // Plain text with no markup and no seams stays the answer, noted.
  const plain = parseCompletion('Hello! How can I help?');
  assert.equal(plain.content, 'Hello! How can I help?');
  assert.ok(plain.messages[0]!.notes.some((n) => n.message.startsWith('no Harmony markup in the output')));
  // With token ids the markup is never lost: the same completion parses properly.
  const ids = parseCompletion(encodeWithMarkup('<|channel|>analysis<|message|>User says hi.<|end|><|start|>assistant<|channel|>final<|message|>Hello!'));
  assert.deepEqual([ids.reasoning, ids.content], ['User says hi.', 'Hello!']);
});
