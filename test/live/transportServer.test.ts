// Our transport against the real llama-server, beyond the scripted answers: /tokenize of our
// rendered prompts, model discovery and context length through listModels/detect, the
// chat-completions path when the server's own gpt-oss parser fails, and real faults (a server
// killed mid-stream, a server that is not there) through `complete`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { agentRequest } from '../../bench/agentRequest';
import { decode } from '../../src/harmony/tokenizer';
import { complete, detect, listModels } from '../../src/servers/client';
import { ServerError } from '../../src/servers/errors';
import { harmonyGrammar, scriptCompletion } from '../llama/script';
import { freePort, startLlamaServer, type LlamaServer } from '../llama/server';
import { WEATHER_TOOL } from './support/scripts';
import { GREETING_CHAT, WEATHER_CHAT, consume, liveConfig, rendered, run } from './support/transport';

const CTX = 2048;

/** Requests whose rendering must tokenize on the server exactly as we encoded it. */
const RENDERED: Record<string, Record<string, unknown>> = {
  'a greeting': GREETING_CHAT,
  'a question with one tool': WEATHER_CHAT,
  'a tool loop (reasoning, call, result, answer, a new question with CJK and emoji; effort high)': {
    reasoning_effort: 'high',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: "What's the weather in Tokyo?" },
      { role: 'assistant', reasoning_content: 'Need weather.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '{"sky":"sunny","temp":25}' },
      { role: 'assistant', content: 'Sunny, 25 °C.' },
      { role: 'user', content: 'And in Paris? 天気 ☀️' },
    ],
    tools: [WEATHER_TOOL],
  },
  'the agent-mode request of bench/agentRequest.ts (36 tools)': agentRequest(),
};

function isServerError(error: unknown): error is ServerError {
  return error instanceof ServerError;
}

describe('our transport on the real llama-server (random weights)', () => {
  let server: LlamaServer;
  before(async () => {
    server = await startLlamaServer({ alias: 'tiny-gpt-oss', ctxSize: CTX });
  });
  after(async () => {
    await server?.stop();
  });

  for (const [name, chat] of Object.entries(RENDERED)) {
    it(`/tokenize of our rendered prompt is our ids: ${name}`, async () => {
      const { ids } = rendered(chat);
      const response = await fetch(`${server.url}/tokenize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: decode(ids), parse_special: true }),
      });
      assert.equal(response.status, 200);
      const { tokens } = (await response.json()) as { tokens: number[] };
      assert.deepEqual(tokens, ids);
    });
  }

  it('the 36-tool agent prompt is large enough to mean something (> 8000 tokens)', () => {
    assert.ok(rendered(agentRequest()).ids.length > 8000);
  });

  it('detect and listModels: llama.cpp from /props; the alias as model id; the context length from /props n_ctx', async () => {
    const config = liveConfig(server.url);
    const detection = await detect(config);
    assert.equal(detection.kind, 'llamacpp');
    assert.match(detection.evidence, /\/props/);
    assert.deepEqual(await listModels(config), [{ id: 'tiny-gpt-oss', contextLength: CTX, contextSource: 'GET /props default_generation_settings.n_ctx' }]);
    // The same through a URL written with /v1, as users often do.
    assert.deepEqual((await listModels(liveConfig(`${server.url}/v1`))).map((m) => [m.id, m.contextLength]), [['tiny-gpt-oss', CTX]]);
  });

  it("chat path with tools: the server's own parser fails mid-stream on the random model's output; our fallback makes it an actionable error", async () => {
    const outcome = await run(liveConfig(server.url, { endpoint: 'chat' }), { chat: { ...WEATHER_CHAT }, maxTokens: 64, extraBody: { seed: 1 } });
    assert.ok(isServerError(outcome.error), `expected a ServerError, got ${String(outcome.error)}`);
    assert.equal(outcome.error.kind, 'streamError');
    assert.equal(outcome.error.status, 500);
    assert.match(outcome.error.serverMessage ?? '', /does not match the expected peg-native format/);
    // Names the server and says what to do about it.
    assert.ok(outcome.error.message.includes(server.url), outcome.error.message);
    assert.match(outcome.error.message, /raw completion endpoint \(endpoint: raw\)/);
    assert.equal(outcome.done, undefined);
  });

  it('chat path, scripted: reasoning streams, then the model writes a turn the server cannot parse — the reasoning is kept, then the error', async () => {
    // No tools here: llama.cpp refuses a grammar together with tools (400).
    const text = '<|channel|>analysis<|message|>Partial thought here<|end|><|start|>user<|message|>hi';
    const outcome = await run(liveConfig(server.url, { endpoint: 'chat' }), {
      chat: { ...GREETING_CHAT },
      maxTokens: 40,
      extraBody: { grammar: harmonyGrammar(text), seed: 1 },
    });
    assert.ok(isServerError(outcome.error), `expected a ServerError, got ${String(outcome.error)}`);
    assert.equal(outcome.error.kind, 'streamError');
    assert.ok(outcome.error.message.includes(server.url));
    assert.equal(outcome.summary.reasoning, 'Partial thought here');
    assert.deepEqual(outcome.summary.messages.map((m) => [m.channel, m.stop]), [['analysis', 'truncated']]);
  });

  // Known gap, kept visible as a todo (it runs, and reports, without failing the suite): repairChat should
  // split reasoning at the first Harmony marker and feed the rest to the leak parser, as it does for content.
  it("chat path, scripted: the model skips <|end|> before its final message — llama.cpp's parser leaves the markup and the answer inside reasoning_content; our fallback should parse it like leaked content (the raw path does)", { todo: 'repairChat does not parse Harmony markup leaked into reasoning_content' }, async () => {
    const text = '<|channel|>analysis<|message|>Partial thought here<|start|>assistant<|channel|>final<|message|>Hi there';
    const outcome = await run(liveConfig(server.url, { endpoint: 'chat' }), {
      chat: { ...GREETING_CHAT },
      maxTokens: 40,
      extraBody: { grammar: harmonyGrammar(text), seed: 1 },
    });
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.ok(!/<\|(start|channel|message)\|>/.test(outcome.summary.reasoning), `Harmony markup shown as thinking: ${JSON.stringify(outcome.summary.reasoning)}`);
    assert.equal(outcome.summary.reasoning, 'Partial thought here');
    assert.equal(outcome.summary.content, 'Hi there');
  });
});

describe('real server faults through our transport', () => {
  it('a server killed mid-stream: the tokens already streamed are delivered, the message ends truncated, then an error naming the server', async () => {
    const server = await startLlamaServer();
    try {
      const text = `<|channel|>final<|message|>${'The answer goes on and on. '.repeat(40)}<|return|>`;
      const script = scriptCompletion(text);
      const stream = complete(liveConfig(server.url, { kind: 'llamacpp' }), {
        prompt: { ids: rendered(GREETING_CHAT).ids },
        maxTokens: script.ids.length + 8,
        extraBody: { grammar: script.grammar, logit_bias: script.logitBias, seed: 1 },
      });
      let killed = false;
      const outcome = await consume(stream, undefined, async (_event, received) => {
        if (!killed && received.filter((e) => e.type === 'contentDelta').length >= 5) {
          killed = true;
          await server.kill();
        }
      });
      assert.ok(killed, 'the stream reached the kill');
      assert.equal((await server.exited).signal, 'SIGKILL');
      assert.ok(isServerError(outcome.error), `expected a ServerError, got ${String(outcome.error)}`);
      assert.equal(outcome.error.kind, 'cut');
      assert.ok(outcome.error.message.includes(server.url), outcome.error.message);
      const streamed = outcome.summary.content;
      assert.ok(streamed.length > 0 && 'The answer goes on and on. '.repeat(40).startsWith(streamed), `partial answer kept: ${JSON.stringify(streamed)}`);
      assert.deepEqual(outcome.summary.messages.map((m) => [m.channel, m.stop]), [['final', 'truncated']]);
      assert.equal(outcome.done, undefined);
    } finally {
      await server.stop();
    }
  });

  it('a server that is not there: complete and listModels fail with an error naming the server', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    for (const config of [liveConfig(url), liveConfig(url, { kind: 'llamacpp' })]) {
      const outcome = await run(config, { prompt: { ids: rendered(GREETING_CHAT).ids } });
      assert.ok(isServerError(outcome.error), `expected a ServerError, got ${String(outcome.error)}`);
      assert.equal(outcome.error.kind, 'unreachable');
      assert.ok(outcome.error.message.includes(url), outcome.error.message);
      assert.deepEqual(outcome.events, []);
    }
    await assert.rejects(listModels(liveConfig(url, { kind: 'llamacpp' })), (error: unknown) => isServerError(error) && error.kind === 'unreachable' && error.message.includes(url));
  });
});
