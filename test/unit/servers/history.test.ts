// Chat history rewritten into what each server accepts, and the chat request in each
// server's own field names.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatBody } from '../../../src/servers/routes/chat';
import { repairHistory } from '../../../src/servers/routes/history';

const call = (id: string, name: string, args: unknown = '{}') => ({ id, type: 'function', function: { name, arguments: args } });

describe('history repair', () => {
  test('reasoning goes in the field each server reads while a tool loop runs; generic servers get none', () => {
    const history = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: '', reasoning_content: 'Need the tool.', tool_calls: [call('c1', 'weather')] },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
    ];
    const loopStep = { role: 'assistant', content: '', tool_calls: [call('c1', 'weather')] };
    assert.deepEqual(repairHistory('vllm', history)[1], { ...loopStep, reasoning: 'Need the tool.' });
    assert.deepEqual(repairHistory('llamacpp', history)[1], { ...loopStep, reasoning_content: 'Need the tool.' });
    assert.deepEqual(repairHistory('ollama', [{ role: 'assistant', content: '', thinking: 'Need the tool.', tool_calls: [call('c1', 'weather')] }])[0], { ...loopStep, reasoning: 'Need the tool.' });
    assert.deepEqual(repairHistory('openai', history)[1], loopStep);
  });

  test("a turn that reached its answer loses its reasoning (the renderer's rule); the next turn's tool loop keeps its own", () => {
    const history = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: '', reasoning: 'Need the tool.', tool_calls: [call('c1', 'weather')] },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      { role: 'assistant', content: 'Sunny.', reasoning: 'Say it.' },
      { role: 'user', content: 'And Oslo?' },
      { role: 'assistant', content: '', reasoning: 'Again the tool.', tool_calls: [call('c2', 'weather')] },
      { role: 'tool', tool_call_id: 'c2', content: 'rain' },
    ];
    const out = repairHistory('vllm', history);
    assert.deepEqual(
      out.filter((m) => m.role === 'assistant').map((m) => m.reasoning),
      [undefined, undefined, 'Again the tool.'],
    );
    // The answer closes the trailing turn too: nothing of it goes back.
    const answered = repairHistory('vllm', history.slice(0, 4));
    assert.ok(answered.every((m) => m.reasoning === undefined));
  });

  test('empty content: null becomes "", an empty assistant message is dropped, content parts become a string', () => {
    const out = repairHistory('ollama', [
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      { role: 'assistant', content: null },
      { role: 'assistant', content: null, tool_calls: [call('c1', 'read', { path: 'x' })] },
      { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: 'file body' }] },
    ]);
    assert.deepEqual(out, [
      { role: 'user', content: 'ab' },
      { role: 'assistant', content: '', tool_calls: [call('c1', 'read', '{"path":"x"}')] },
      { role: 'tool', tool_call_id: 'c1', name: 'read', content: 'file body' },
    ]);
  });

  test('a tool result with no call before it becomes a user message the template accepts', () => {
    const out = repairHistory('llamacpp', [
      { role: 'user', content: 'go' },
      { role: 'tool', tool_call_id: 'lost', name: 'search', content: '3 results' },
    ]);
    assert.deepEqual(out[1], { role: 'user', content: 'Result of tool call search:\n3 results' });
  });

  test('jinja servers: several calls in one message become one call per message, each followed by its own result', () => {
    const out = repairHistory('llamacpp', [
      { role: 'user', content: 'both' },
      { role: 'assistant', content: '', reasoning: 'Two lookups.', tool_calls: [call('a', 'weather', '{"city":"Tokyo"}'), call('b', 'weather', '{"city":"Oslo"}')] },
      { role: 'tool', tool_call_id: 'a', content: 'sunny' },
      { role: 'tool', tool_call_id: 'b', content: 'rain' },
    ]);
    assert.deepEqual(out, [
      { role: 'user', content: 'both' },
      { role: 'assistant', content: '', reasoning_content: 'Two lookups.', tool_calls: [call('a', 'weather', '{"city":"Tokyo"}')] },
      { role: 'tool', tool_call_id: 'a', name: 'weather', content: 'sunny' },
      { role: 'assistant', content: '', tool_calls: [call('b', 'weather', '{"city":"Oslo"}')] },
      { role: 'tool', tool_call_id: 'b', name: 'weather', content: 'rain' },
    ]);
    // vLLM renders with harmony itself: parallel calls stay as sent, results without `name`.
    const vllm = repairHistory('vllm', [
      { role: 'assistant', content: '', tool_calls: [call('a', 'w'), call('b', 'w')] },
      { role: 'tool', tool_call_id: 'a', content: '1' },
      { role: 'tool', tool_call_id: 'b', content: '2' },
    ]);
    assert.equal(vllm.length, 3);
    assert.deepEqual(vllm[1], { role: 'tool', tool_call_id: 'a', content: '1' });
  });

  test('system and developer messages become one leading system message; our harmony_tokens never leave', () => {
    const out = repairHistory('ollama', [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'developer', content: 'Use metric units.' },
      { role: 'assistant', content: 'Hello', harmony_tokens: [200006, 173781, 200007] },
    ]);
    assert.deepEqual(out, [
      { role: 'system', content: 'Be brief.\n\nUse metric units.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
    ]);
  });
});

describe('chat request per server', () => {
  const chat = {
    messages: [{ role: 'user', content: 'Hi' }],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    tool_choice: 'auto',
    reasoning_effort: 'high',
    harmony_tokens: [1],
  };

  test('reasoning effort: top-level for vLLM, Ollama /v1 (its think), LM Studio and hosted; chat_template_kwargs too for llama.cpp', () => {
    for (const kind of ['vllm', 'ollama', 'lmstudio', 'openai'] as const) {
      const body = chatBody(kind, 'm', chat, {}, {});
      assert.equal(body.reasoning_effort, 'high', kind);
      assert.equal(body.chat_template_kwargs, undefined, kind);
    }
    const llama = chatBody('llamacpp', undefined, chat, { reasoningEffort: 'low' }, {});
    assert.equal(llama.reasoning_effort, 'low');
    assert.deepEqual(llama.chat_template_kwargs, { reasoning_effort: 'low' });
    assert.equal(llama.model, undefined);
  });

  test('streaming with usage, tools kept, our fields dropped, extraBody merged but not over messages/stream', () => {
    const body = chatBody('vllm', 'm', chat, { maxTokens: 100, temperature: 0.5 }, { top_k: 20, stream: false, messages: [] });
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(body.max_tokens, 100);
    assert.equal(body.temperature, 0.5);
    assert.equal(body.top_k, 20);
    assert.equal(body.tool_choice, 'auto');
    assert.equal((body.messages as unknown[]).length, 1);
    assert.equal('harmony_tokens' in body, false);
    const noTools = chatBody('vllm', 'm', { ...chat, tools: [] }, {}, {});
    assert.equal('tools' in noTools || 'tool_choice' in noTools, false);
  });
});
