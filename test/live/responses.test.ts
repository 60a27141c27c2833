// The Responses transport against a real llama-server's /v1/responses (llama.cpp converts the
// request to its chat path and streams Responses events from its own gpt-oss parser): the crafted
// tool-call model's reasoning and call arrive through the openai SDK's stream, and the next request
// of the tool loop, carrying our reasoning item, the call and its output, is accepted and answered.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { complete } from '../../src/servers/client';
import type { StreamEvent } from '../../src/servers/types';
import { craftedToolCallModel, startLlamaServer, type LlamaServer } from '../llama/server';
import { ANALYSIS_TOOL, TOOL_ARGUMENTS, WEATHER_TOOL } from './support/scripts';

async function events(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

function ended(items: readonly StreamEvent[]): [string | undefined, string | undefined, string][] {
  return items.flatMap((e) => (e.type === 'messageEnd' ? [[e.message.channel, e.message.recipient, e.message.content] as [string | undefined, string | undefined, string]] : []));
}

describe('/v1/responses on a real llama-server', () => {
  let server: LlamaServer;
  before(async () => {
    server = await startLlamaServer({ model: craftedToolCallModel, ctxSize: 4096, alias: 'tiny-gpt-oss' });
  });
  after(async () => {
    await server?.stop();
  });

  it('reasoning streams as thinking, the call as a tool call; the loop request with our reasoning item is accepted', async () => {
    const config = { url: server.url, kind: 'llamacpp' as const, endpoint: 'responses' as const };
    const ask = { role: 'user', content: "What's the weather in Tokyo?" };
    const first = await events(complete(config, { chat: { messages: [ask], tools: [WEATHER_TOOL] }, maxTokens: 128, reasoningEffort: 'low' }));
    assert.deepEqual(ended(first), [
      ['analysis', undefined, ANALYSIS_TOOL],
      ['commentary', 'functions.get_weather', TOOL_ARGUMENTS],
    ]);
    const done = first.at(-1);
    assert.ok(done?.type === 'done' && done.endpoint === 'responses' && done.finishReason === 'toolCalls', JSON.stringify(done));
    assert.ok(first.some((e) => e.type === 'usage' && (e.completionTokens ?? 0) > 0));

    const loop = [
      ask,
      { role: 'assistant', content: '', reasoning: ANALYSIS_TOOL, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: TOOL_ARGUMENTS } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":21}' },
    ];
    // What matters is that llama.cpp took every input item (it rejects a malformed one with a 400);
    // the crafted model then calls the tool again.
    const second = await events(complete(config, { chat: { messages: loop, tools: [WEATHER_TOOL] }, maxTokens: 128 }));
    assert.ok(ended(second).some(([channel, recipient]) => channel === 'commentary' && recipient === 'functions.get_weather'), JSON.stringify(ended(second)));
    assert.equal(second.at(-1)?.type, 'done');
  });
});
