// The chat-completions path of a real llama-server, on the wire (plain fetch): the server renders
// the official template, the model answers, and llama.cpp's own gpt-oss parser splits the answer.
// - crafted-weights models say one Harmony answer by themselves, so the server's parser returns the
//   reasoning and the tool call (or the final answer) exactly, at any temperature;
// - the random model's garbage makes the server's parser fail mid-stream with an SSE error event.
// These pin what the transports' chat path and its fallback receive.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sseData } from '../llama/sse';
import { craftedFinalModel, craftedToolCallModel, manifestOf, startLlamaServer, withLlamaServer, type LlamaServer } from '../llama/server';
import { ANALYSIS_FINAL, ANALYSIS_TOOL, FINAL_ANSWER, FINAL_SCRIPT, TOOL_ARGUMENTS, TOOL_CALL_SCRIPT, WEATHER_TOOL } from './support/scripts';

interface Manifest {
  script: string;
  markers: { id: number; text: string }[];
}

interface ChatChunk {
  choices?: {
    finish_reason: string | null;
    delta: {
      role?: string;
      content?: string | null;
      reasoning_content?: string;
      tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[];
    };
  }[];
  usage?: { completion_tokens: number };
  error?: { code: number; message: string };
}

interface ChatStream {
  reasoning: string;
  content: string;
  calls: { id: string; name: string; arguments: string }[];
  finishReason: string | null;
  completionTokens: number | undefined;
  error: ChatChunk['error'];
  done: boolean;
}

async function streamChat(url: string, body: Record<string, unknown>): Promise<ChatStream> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  assert.ok(response.body);
  const result: ChatStream = { reasoning: '', content: '', calls: [], finishReason: null, completionTokens: undefined, error: undefined, done: false };
  for await (const data of sseData(response.body)) {
    if (data === '[DONE]') {
      result.done = true;
      continue;
    }
    const chunk = JSON.parse(data) as ChatChunk;
    if (chunk.error) result.error = chunk.error;
    if (chunk.usage) result.completionTokens = chunk.usage.completion_tokens;
    for (const choice of chunk.choices ?? []) {
      result.reasoning += choice.delta.reasoning_content ?? '';
      result.content += choice.delta.content ?? '';
      for (const call of choice.delta.tool_calls ?? []) {
        const slot = (result.calls[call.index] ??= { id: '', name: '', arguments: '' });
        slot.id += call.id ?? '';
        slot.name += call.function?.name ?? '';
        slot.arguments += call.function?.arguments ?? '';
      }
      if (choice.finish_reason) result.finishReason = choice.finish_reason;
    }
  }
  return result;
}

const WEATHER_REQUEST = { messages: [{ role: 'user', content: "What's the weather in Tokyo?" }], tools: [WEATHER_TOOL] };
const GREETING_REQUEST = { messages: [{ role: 'user', content: 'Hi!' }] };

/** The crafted model's precondition: the prompt the server renders holds none of its marker tokens. */
async function assertNoMarkers(server: LlamaServer, model: string, request: Record<string, unknown>): Promise<void> {
  const manifest = JSON.parse(readFileSync(manifestOf(model), 'utf8')) as Manifest;
  const rendered = await fetch(`${server.url}/apply-template`, { method: 'POST', body: JSON.stringify(request) });
  const { prompt } = (await rendered.json()) as { prompt: string };
  assert.ok(prompt.endsWith('<|start|>assistant'), prompt);
  const tokenized = await fetch(`${server.url}/tokenize`, { method: 'POST', body: JSON.stringify({ content: prompt, parse_special: true }) });
  const { tokens } = (await tokenized.json()) as { tokens: number[] };
  for (const marker of manifest.markers) assert.ok(!tokens.includes(marker.id), `the prompt contains marker ${JSON.stringify(marker.text)}`);
}

describe('chat completions with a crafted-weights model (tool call)', () => {
  let server: LlamaServer;
  before(async () => {
    server = await startLlamaServer({ model: craftedToolCallModel, alias: 'crafted-toolcall' });
  });
  after(async () => {
    await server?.stop();
  });

  it('its manifest scripts the tool-call answer, and the test prompt has none of its markers', async () => {
    const manifest = JSON.parse(readFileSync(manifestOf(craftedToolCallModel), 'utf8')) as Manifest;
    assert.equal(manifest.script, TOOL_CALL_SCRIPT);
    await assertNoMarkers(server, craftedToolCallModel, WEATHER_REQUEST);
  });

  for (const temperature of [0, 0.8, 1.5]) {
    it(`the server's Harmony parsing returns exactly the reasoning and the tool call (temperature ${temperature})`, async () => {
      const stream = await streamChat(server.url, { ...WEATHER_REQUEST, temperature, seed: 11 });
      assert.equal(stream.error, undefined);
      assert.equal(stream.reasoning, ANALYSIS_TOOL);
      assert.equal(stream.content, '');
      assert.equal(stream.calls.length, 1);
      assert.equal(stream.calls[0]?.name, 'get_weather');
      assert.equal(stream.calls[0]?.arguments, TOOL_ARGUMENTS);
      assert.ok(stream.calls[0]?.id, 'the call has an id');
      assert.equal(stream.finishReason, 'tool_calls');
      assert.equal(stream.completionTokens, 38);
      assert.ok(stream.done);
    });
  }
});

describe('chat completions with a crafted-weights model (final answer)', () => {
  it('the server returns exactly the reasoning and the answer; finish_reason stop', async () => {
    await withLlamaServer({ model: craftedFinalModel }, async (server) => {
      const manifest = JSON.parse(readFileSync(manifestOf(craftedFinalModel), 'utf8')) as Manifest;
      assert.equal(manifest.script, FINAL_SCRIPT);
      await assertNoMarkers(server, craftedFinalModel, GREETING_REQUEST);
      const stream = await streamChat(server.url, { ...GREETING_REQUEST, temperature: 1.5, seed: 3 });
      assert.equal(stream.error, undefined);
      assert.equal(stream.reasoning, ANALYSIS_FINAL);
      assert.equal(stream.content, FINAL_ANSWER);
      assert.deepEqual(stream.calls, []);
      assert.equal(stream.finishReason, 'stop');
      assert.ok(stream.done);
    });
  });
});

describe('chat completions with the random model', () => {
  it("the server's own gpt-oss parser fails mid-stream: a role chunk, then an SSE error event", async () => {
    await withLlamaServer({}, async (server) => {
      const stream = await streamChat(server.url, { ...WEATHER_REQUEST, seed: 1, max_tokens: 64 });
      assert.equal(stream.error?.code, 500);
      assert.match(stream.error?.message ?? '', /does not match the expected peg-native format/);
      assert.equal(stream.finishReason, null);
    });
  });

  it('a custom grammar together with tools is refused (400)', async () => {
    await withLlamaServer({}, async (server) => {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...WEATHER_REQUEST, grammar: 'root ::= "x"' }),
      });
      assert.equal(response.status, 400, await response.clone().text());
      await response.body?.cancel();
    });
  });
});
