import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChatRequest } from '../../../src/harmony/chatRequest';
import { HarmonyInputError } from '../../../src/harmony/errors';
import { functionNames, sanitiseFunctionName } from '../../../src/harmony/functionNames';
import { decode, encodeOrdinary, encodeWithMarkup } from '../../../src/harmony/tokenizer';
import { Special } from '../../../src/harmony/tokens';
import { referenceEncodeAllSpecial } from '../../support/jsTiktokenHarmony';
import { assertTokensEqual } from '../../support/assertTokens';

const agentRequest = JSON.parse(readFileSync(join(__dirname, '../../fixtures/agent-request.json'), 'utf8')) as Record<string, unknown>;

const EXPECTED_AGENT_PROMPT = [
  '<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: 2026-11-22\n\nReasoning: high\n\n',
  "# Valid channels: analysis, commentary, final. Channel must be included for every message.\nCalls to these tools must go to the commentary channel: 'functions'.<|end|>",
  '<|start|>developer<|message|># Instructions\n\nYou are a coding agent in VS Code. Use the tools to read and edit files.\n\n# Tools\n\n## functions\n\nnamespace functions {\n\n',
  '// Read the contents of a file.\n// Line numbers are 1-based.\ntype read_file = (_: {\n// The absolute path of the file to read.\nfilePath: string,\n',
  '// The line number to start reading from, 1-based.\nstartLine: number,\n// The inclusive line number to end reading at, 1-based.\nendLine: number,\n}) => any;\n\n',
  '// Replace one occurrence of a string in a file.\ntype replace_string_in_file = (_: {\nfilePath: string,\noldString: string,\nnewString: string,\n}) => any;\n\n',
  '// Who am I on GitHub.\ntype mcp_github_get_me = () => any;\n\n} // namespace functions<|end|>',
  // First turn: finished with a final answer, so its analysis is dropped.
  '<|start|>user<|message|>What does greet() in src/app.ts print?<|end|>',
  '<|start|>assistant to=functions.read_file<|channel|>commentary <|constrain|>json<|message|>{"filePath":"src/app.ts","startLine":1,"endLine":20}<|call|>',
  "<|start|>functions.read_file to=assistant<|channel|>commentary<|message|>export function greet() { console.log('<|end|> hello'); }<|end|>",
  '<|start|>assistant<|channel|>final<|message|>It prints `<|end|> hello`.<|end|>',
  // Second turn: the tool loop is still going, so its analysis stays.
  '<|start|>user<|message|>Rename it to hello().<|end|>',
  '<|start|>assistant<|channel|>analysis<|message|>Use the edit tool.<|end|>',
  '<|start|>assistant to=functions.replace_string_in_file<|channel|>commentary <|constrain|>json<|message|>{"filePath":"src/app.ts","oldString":"greet","newString":"hello"}<|call|>',
  '<|start|>functions.replace_string_in_file to=assistant<|channel|>commentary<|message|>The file was edited.<|end|>',
  '<|start|>assistant',
].join('');

test('a multi-turn agent conversation renders as the rules say', () => {
  const rendered = renderChatRequest(agentRequest, { date: '2026-11-22' });
  assert.equal(decode(rendered.ids), EXPECTED_AGENT_PROMPT);
  assert.equal(rendered.functionNames.fromModel.get('mcp_github_get_me'), 'mcp_github-get_me');
});

test('markers inside tool results and answers are ordinary tokens, not control tokens', () => {
  const { ids } = renderChatRequest(agentRequest, { date: '2026-11-22' });
  const endCount = ids.filter((id) => id === Special.end).length;
  // system, developer, user, tool, final, user, analysis, tool: eight real ends.
  assert.equal(endCount, 8);
  const literal = encodeOrdinary("export function greet() { console.log('<|end|> hello'); }");
  assert.ok(literal.every((id) => id < 199998));
  const at = ids.findIndex((_, i) => literal.every((id, k) => ids[i + k] === id));
  assert.ok(at > 0, 'the tool result is encoded as ordinary text, id for id');
  // A tokenizer that parses markup in text (what jinja-based servers do) would see a control token there.
  const naive = referenceEncodeAllSpecial(decode(ids));
  assert.ok(naive.filter((id) => id === Special.end).length > endCount);
});

test('the rendered prompt equals a piecewise reference rendering for simple text (pre-token boundaries hold)', () => {
  const request = { messages: [{ role: 'user', content: 'Hello there' }] };
  const { ids } = renderChatRequest(request, { date: null });
  assertTokensEqual(ids, referenceEncodeAllSpecial(decode(ids)));
  assert.ok(!decode(ids).includes('Current date'));
});

test('assistant content with tool calls becomes a commentary preamble; arrays of text parts stay separate items', () => {
  const request = {
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'foo' }, { type: 'text', text: 'bar' }] },
      { role: 'assistant', content: 'Let me look.', tool_calls: [{ id: 'a', type: 'function', function: { name: 'ls', arguments: '{}' } }] },
    ],
    tools: [{ type: 'function', function: { name: 'ls', parameters: { type: 'object', properties: {} } } }],
  };
  const { ids } = renderChatRequest(request, { date: null });
  const text = decode(ids);
  assert.ok(text.includes('<|start|>user<|message|>foobar<|end|>'));
  assert.ok(text.includes('<|start|>assistant<|channel|>commentary<|message|>Let me look.<|end|><|start|>assistant to=functions.ls'));
  // "foo" and "bar" are encoded separately, as harmony does for two content items.
  const user = [...encodeOrdinary('foo'), ...encodeOrdinary('bar')];
  assert.ok(ids.some((_, i) => user.every((id, k) => ids[i + k] === id)));
});

test('reasoning effort comes from the request, and an option overrides it', () => {
  const request = { reasoning_effort: 'low', messages: [{ role: 'user', content: 'x' }] };
  assert.ok(decode(renderChatRequest(request, { date: null }).ids).includes('Reasoning: low'));
  assert.ok(decode(renderChatRequest(request, { date: null, effort: 'high' }).ids).includes('Reasoning: high'));
  assert.ok(decode(renderChatRequest({ messages: [] }, { date: null }).ids).includes('Reasoning: medium'));
});

test('bad input names the field', () => {
  const cases: [unknown, RegExp][] = [
    [[], /the request must be a JSON object/],
    [{ messages: {} }, /^messages: must be an array/],
    [{ messages: [{ role: 'robot', content: 'x' }] }, /^messages\[0\]\.role: unknown role "robot"/],
    [{ messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] }, /^messages\[0\]\.tool_call_id: "nope" matches no earlier assistant tool call/],
    [{ messages: [], tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] }, /^tools\[0\]\.function\.parameters: must be a JSON Schema object/],
    [{ messages: [], tools: [{ type: 'function', function: { description: 'no name' } }] }, /^tools\[0\]\.function\.name: must be a non-empty string/],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, /images cannot be sent/],
    [{ messages: [], reasoning_effort: 'max' }, /^reasoning_effort: must be "low", "medium" or "high"/],
  ];
  for (const [request, message] of cases) {
    assert.throws(() => renderChatRequest(request), (e: unknown) => e instanceof HarmonyInputError && message.test(e.message));
  }
});

test('function names are sanitised to identifiers, deduplicated, and mapped back', () => {
  assert.equal(sanitiseFunctionName('mcp_github-create_issue'), 'mcp_github_create_issue');
  assert.equal(sanitiseFunctionName('3d.render'), '_3d_render');
  assert.equal(sanitiseFunctionName(''), '_');
  const names = functionNames(['a-b', 'a.b', 'a_b', 'ok']);
  assert.deepEqual([...names.toModel], [['a-b', 'a_b'], ['a.b', 'a_b_2'], ['a_b', 'a_b_3'], ['ok', 'ok']]);
  assert.equal(names.fromModel.get('a_b_2'), 'a.b');
});

test('harmony_tokens: the model’s own tokens are reused in the ongoing turn, so each prompt extends the last', () => {
  const base = {
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'List the files.' },
    ],
    tools: [{ type: 'function', function: { name: 'list_dir', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }],
  };
  const first = renderChatRequest(base, { date: '2026-11-22' }).ids;
  // What the model generated after `<|start|>assistant`: channel-first call, spacing of its own.
  const completion = encodeWithMarkup('<|channel|>analysis<|message|>Need ls.<|end|><|start|>assistant<|channel|>commentary to=functions.list_dir <|constrain|>json<|message|>{ "path" : "." }<|call|>');
  const request = {
    ...base,
    messages: [
      ...base.messages,
      {
        role: 'assistant',
        reasoning: 'Need ls.',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'list_dir', arguments: '{"path":"."}' } }],
        harmony_tokens: [Special.start, ...encodeOrdinary('assistant'), ...completion],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'a.txt' },
    ],
  };
  const second = renderChatRequest(request, { date: '2026-11-22' }).ids;
  assertTokensEqual(second.slice(0, first.length + completion.length), [...first, ...completion]);
  assert.ok(decode(second.slice(first.length + completion.length)).startsWith('<|start|>functions.list_dir to=assistant'));
  // In a finished turn the tokens are not reused: analysis is dropped as usual.
  const finished = { ...request, messages: [...request.messages, { role: 'assistant', content: 'a.txt' }, { role: 'user', content: 'thanks' }] };
  assert.ok(!decode(renderChatRequest(finished, { date: '2026-11-22' }).ids).includes('Need ls.'));
  assert.throws(() => renderChatRequest({ messages: [{ role: 'assistant', content: 'x', harmony_tokens: [1, 2] }] }), /harmony_tokens: must be token ids/);
});
