// `/v1/responses` through the openai SDK's responses.create stream: replays BUILT FROM DOCS, NOT
// CAPTURED (OpenAI's documented stream events, vLLM's and Ollama's Responses code; sources in
// test/fixtures/servers/README.md), whole and split at awkward cuts; the fault cases; and the
// chain of thought through a tool loop (turn N's reasoning in request N+1, gone after a final answer).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { complete } from '../../../src/servers/client';
import { ServerError } from '../../../src/servers/errors';
import { responsesBody, responsesInput } from '../../../src/servers/routes/responses';
import type { CompletionRequest, ServerConfig, ServerKind, StreamEvent } from '../../../src/servers/types';
import { SPLITS, SSE_HEADERS, fixture, loopback, replayAt, writePieces, type Handler } from './loopback';
import { FAKE_KEY, collect, memoryLogger, messagesOf, streamedText } from './helpers';

const WEATHER = { type: 'function', function: { name: 'get_weather', description: 'Get the current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const ASK = { role: 'user', content: "What's the weather in Tokyo?" };
const CHAT = { messages: [{ role: 'system', content: 'Be brief.' }, ASK], tools: [WEATHER] };
const REASONING = 'User asks for the weather in Tokyo. Need to call get_weather.';
const ANSWER = 'こんにちは！👋 東京の天気は晴れ☀️です。';

type Done = Extract<StreamEvent, { type: 'done' }>;

async function run(handler: Handler, config: Omit<ServerConfig, 'url'>, request: CompletionRequest = { chat: CHAT, reasoningEffort: 'low', maxTokens: 256 }, signal?: AbortSignal) {
  const server = await loopback(handler);
  try {
    const result = await collect<StreamEvent>(complete({ url: server.url, model: 'gpt-oss-120b', ...config }, request, signal));
    return { ...result, requests: server.requests, bodies: server.requests.map((r) => (r.body === '' ? undefined : (JSON.parse(r.body) as Record<string, unknown>))) };
  } finally {
    await server.close();
  }
}

function done(items: readonly StreamEvent[]): Done {
  const last = items.at(-1);
  assert.equal(last?.type, 'done');
  return last as Done;
}

const TOOL_LOOP_MESSAGES = [
  ['analysis', undefined, REASONING, 'end'],
  ['commentary', 'functions.get_weather', '{"city":"Tokyo"}', 'call'],
];

function summary(items: readonly StreamEvent[]): unknown[] {
  return messagesOf(items).map((m) => [m.channel, m.recipient, m.content, m.stop]);
}

/** A stream's events up to (not including) the first of `type`, then `tail`: for the fault cases. */
function cutBefore(file: string, type: string, tail = ''): Buffer {
  const text = fixture(file).toString('utf8');
  const at = text.indexOf(`event: ${type}\n`);
  assert.ok(at > 0, `${file} has ${type}`);
  return Buffer.from(text.slice(0, at) + tail);
}

const event = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

const sdkClientLoaded = (): boolean => Object.keys(require.cache).some((path) => /[\\/]node_modules[\\/]openai[\\/]client\.js$/.test(path));

test('the SDK client (about 0.3 s to load) is loaded by the first Responses request, not by importing the transport', async () => {
  assert.equal(sdkClientLoaded(), false);
  const bytes = fixture('vllm-responses-final-utf8.sse');
  const { error } = await run(replayAt('/v1/responses', bytes, []), { kind: 'vllm', endpoint: 'responses' });
  assert.equal(error, undefined);
  assert.equal(sdkClientLoaded(), true);
});

describe('/v1/responses replays, built from docs, not captured', () => {
  const cases: { file: string; kind: ServerKind; what: string }[] = [
    { file: 'openai-responses-toolcall.sse', kind: 'openai', what: "OpenAI's documented events: reasoning_text deltas, streamed function-call arguments" },
    { file: 'ollama-responses-toolcall.sse', kind: 'ollama', what: 'Ollama: reasoning as summary deltas, the function call whole' },
  ];
  test('Ollama on /v1/responses: a warning in the log that num_ctx cannot go there', async () => {
    const logger = memoryLogger();
    const { error } = await run(replayAt('/v1/responses', fixture('ollama-responses-toolcall.sse'), []), { kind: 'ollama', endpoint: 'responses', logger });
    assert.equal(error, undefined);
    assert.ok(logger.lines.some((l) => /^warn \[client\] Ollama's \/v1\/responses cannot carry num_ctx/.test(l)), logger.lines.join('\n'));
  });

  for (const { file, kind, what } of cases) {
    for (const split of Object.keys(SPLITS)) {
      test(`${what}, ${split}: thinking, then the tool call, closed at its arguments.done; usage; done via responses`, async () => {
        const bytes = fixture(file);
        const { items, error, requests, bodies } = await run(replayAt('/v1/responses', bytes, SPLITS[split]!(bytes)), { kind, endpoint: 'responses', extraBody: { top_k: 20, input: 'not ours', stream: false } });
        assert.equal(error, undefined);
        assert.deepEqual(summary(items), TOOL_LOOP_MESSAGES);
        // The call's message ends when the server says it is whole, before the usage and the end.
        const callEnd = items.findIndex((e) => e.type === 'messageEnd' && e.message.recipient === 'functions.get_weather');
        const usageAt = items.findIndex((e) => e.type === 'usage');
        assert.ok(callEnd >= 0 && callEnd < usageAt, 'the call closes at function_call_arguments.done');
        const usage = items[usageAt] as Extract<StreamEvent, { type: 'usage' }>;
        assert.equal(usage.promptTokens, 139);
        assert.equal(usage.completionTokens, 38);
        assert.equal(usage.cachedPromptTokens, kind === 'openai' ? 128 : 0);
        assert.deepEqual([done(items).finishReason, done(items).endpoint], ['toolCalls', 'responses']);
        assert.deepEqual(requests.map((r) => r.path), ['/v1/responses']);
        const body = bodies[0]!;
        assert.equal(body.stream, true);
        assert.equal(body.store, false);
        assert.deepEqual(body.reasoning, { effort: 'low' });
        assert.equal(body.max_output_tokens, 256);
        assert.equal(body.instructions, 'Be brief.');
        assert.deepEqual(body.input, [{ type: 'message', role: 'user', content: ASK.content }]);
        assert.deepEqual(body.tools, [{ type: 'function', name: 'get_weather', description: WEATHER.function.description, parameters: WEATHER.function.parameters, strict: false }]);
        assert.equal(body.top_k, 20, 'extraBody reaches the body');
      });
    }
  }

  for (const split of Object.keys(SPLITS)) {
    test(`vLLM: reasoning_text inside vLLM's reasoning_part events, a multi-byte answer, ${split}`, async () => {
      const bytes = fixture('vllm-responses-final-utf8.sse');
      const { items, error } = await run(replayAt('/v1/responses', bytes, SPLITS[split]!(bytes)), { kind: 'vllm', endpoint: 'responses' });
      assert.equal(error, undefined);
      assert.deepEqual(summary(items), [
        ['analysis', undefined, 'ユーザーは挨拶している。短く返す。', 'end'],
        ['final', undefined, ANSWER, 'return'],
      ]);
      // Streamed as it came, not at the item's end: the answer arrived in four deltas.
      assert.equal(items.filter((e) => e.type === 'contentDelta' && e.index === 1).length, 4);
      assert.deepEqual([done(items).finishReason, done(items).endpoint], ['stop', 'responses']);
    });
  }

  test('a server that sends items only whole (no deltas): output_item.done carries the reasoning, the answer and the call', async () => {
    const stream =
      event('response.output_item.done', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: REASONING }] } }) +
      event('response.output_item.done', { output_index: 1, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }] } }) +
      event('response.output_item.done', { output_index: 2, item: { id: 'fc_1', type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{"city":"Tokyo"}' } }) +
      event('response.completed', { response: { status: 'completed', usage: { input_tokens: 9, output_tokens: 5 } } });
    const { items, error } = await run(replayAt('/v1/responses', Buffer.from(stream), []), { kind: 'vllm', endpoint: 'responses' });
    assert.equal(error, undefined);
    assert.deepEqual(summary(items), [
      ['analysis', undefined, REASONING, 'end'],
      ['final', undefined, 'Checking.', 'end'],
      ['commentary', 'functions.get_weather', '{"city":"Tokyo"}', 'call'],
    ]);
  });

  test('reasoning sent both as text and as a summary is shown once (the stream that came first)', async () => {
    const stream =
      event('response.reasoning_text.delta', { output_index: 0, item_id: 'rs', delta: 'Thinking in full.' }) +
      event('response.reasoning_summary_text.delta', { output_index: 0, item_id: 'rs', summary_index: 0, delta: 'A summary.' }) +
      event('response.output_text.delta', { output_index: 1, item_id: 'm', delta: 'Hi.' }) +
      event('response.completed', { response: { status: 'completed' } });
    const { items, error } = await run(replayAt('/v1/responses', Buffer.from(stream), []), { kind: 'vllm', endpoint: 'responses' });
    assert.equal(error, undefined);
    assert.deepEqual(summary(items), [
      ['analysis', undefined, 'Thinking in full.', 'end'],
      ['final', undefined, 'Hi.', 'return'],
    ]);
  });
});

describe('/v1/responses faults: what streamed stays, the error names the server', () => {
  const FILE = 'openai-responses-toolcall.sse';

  test('an `error` event mid-stream: the reasoning so far is delivered (truncated), then a streamError with its code', async () => {
    const bytes = cutBefore(FILE, 'response.reasoning_text.done', event('error', { code: 'server_error', message: 'The model crashed.', param: null, sequence_number: 99 }));
    const { items, error } = await run(replayAt('/v1/responses', bytes, SPLITS.awkward!(bytes)), { kind: 'vllm', endpoint: 'responses' });
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'streamError');
    assert.match(error.message, /reported an error after \d+ chunks \(POST \/v1\/responses\): "server_error: The model crashed\."/);
    assert.deepEqual(summary(items), [['analysis', undefined, REASONING, 'truncated']]);
    assert.ok(!items.some((e) => e.type === 'done'));
  });

  test('response.failed after the call started: the partial call is delivered truncated, the error carries the response error', async () => {
    const text = fixture(FILE).toString('utf8');
    const partial = text.slice(0, text.indexOf('event: response.function_call_arguments.delta\n', text.indexOf('"delta":"city"') - 200));
    const bytes = Buffer.from(partial + event('response.failed', { response: { id: 'resp_x', status: 'failed', error: { code: 'rate_limit_exceeded', message: 'Too many tokens.' } } }));
    const { items, error } = await run(replayAt('/v1/responses', bytes, []), { kind: 'vllm', endpoint: 'responses' });
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'streamError');
    assert.match(error.message, /rate_limit_exceeded: Too many tokens\./);
    const messages = summary(items);
    assert.deepEqual(messages[0], TOOL_LOOP_MESSAGES[0]);
    assert.deepEqual(messages[1], ['commentary', 'functions.get_weather', '{"', 'truncated']);
  });

  test('response.incomplete for the output budget: a finish like `length`, the open message truncated, usage kept', async () => {
    const bytes = cutBefore(FILE, 'response.reasoning_text.done', event('response.incomplete', { response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { input_tokens: 139, output_tokens: 14 } } }));
    const { items, error } = await run(replayAt('/v1/responses', bytes, []), { kind: 'vllm', endpoint: 'responses' });
    assert.equal(error, undefined);
    assert.deepEqual(summary(items), [['analysis', undefined, REASONING, 'truncated']]);
    assert.equal(done(items).finishReason, 'length');
    assert.ok(items.some((e) => e.type === 'usage' && e.completionTokens === 14));
  });

  test('response.incomplete for another reason (content filter): an error that says so, after what streamed', async () => {
    const bytes = cutBefore(FILE, 'response.reasoning_text.done', event('response.incomplete', { response: { status: 'incomplete', incomplete_details: { reason: 'content_filter' } } }));
    const { items, error } = await run(replayAt('/v1/responses', bytes, []), { kind: 'vllm', endpoint: 'responses' });
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'streamError');
    assert.match(error.message, /ended incomplete \(content_filter\)/);
    assert.equal(streamedText(items).get(0), REASONING);
  });

  test('an `{"error": …}` payload in a data line (the SDK throws it): a streamError with the server’s words', async () => {
    const bytes = cutBefore(FILE, 'response.output_item.added', 'data: {"error":{"message":"Engine loop died","type":"InternalServerError","code":500}}\n\n');
    const { error } = await run(replayAt('/v1/responses', bytes, []), { kind: 'vllm', endpoint: 'responses' });
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'streamError');
    assert.match(error.message, /Engine loop died/);
  });

  test('the connection closes before response.completed: a cut, with the partial call kept', async () => {
    const bytes = cutBefore(FILE, 'response.function_call_arguments.done');
    const { items, error } = await run(replayAt('/v1/responses', bytes, SPLITS['every 7 bytes']!(bytes)), { kind: 'vllm', endpoint: 'responses' });
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'cut');
    assert.match(error.message, /closed after \d+ chunks before the completion finished \(POST \/v1\/responses\)/);
    assert.deepEqual(summary(items).at(-1), ['commentary', 'functions.get_weather', '{"city":"Tokyo"}', 'truncated']);
  });

  test('a data line that is not JSON: a protocol error, classified by us (the SDK only logs it to our debug log)', async () => {
    const bytes = cutBefore(FILE, 'response.output_item.added', 'event: response.output_item.added\ndata: {"type": oops}\n\n');
    const { error } = await run(replayAt('/v1/responses', bytes, []), { kind: 'vllm', endpoint: 'responses' });
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'protocol');
    assert.match(error.message, /a data line that is not JSON/);
  });

  for (const [status, kind, pattern] of [
    [401, 'auth', /refused the API key/],
    [400, 'badRequest', /longer than the context/],
    [500, 'server', /Check the server's log/],
  ] as const) {
    test(`HTTP ${status} before the stream: ${kind}, the server's message quoted, the key never echoed`, async () => {
      const handler: Handler = (_request, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: status === 400 ? `prompt too long: exceeds the maximum context (key ${FAKE_KEY})` : `failed for ${FAKE_KEY}`, type: 'invalid_request_error', code: null } }));
      };
      const { error, requests } = await run(handler, { kind: 'vllm', endpoint: 'responses', apiKey: FAKE_KEY, maxRetries: 0 });
      assert.ok(error instanceof ServerError);
      assert.equal(error.kind, kind);
      assert.equal(error.status, status);
      assert.match(error.message, pattern);
      assert.match(error.message, /POST \/v1\/responses at http:\/\/127\.0\.0\.1:\d+ answered/);
      assert.ok(!error.message.includes(FAKE_KEY));
      // The key goes once, as ours: the SDK's placeholder never reaches the server.
      assert.equal(requests[0]!.headers.authorization, `Bearer ${FAKE_KEY}`);
    });
  }

  test('a connection that times out (ETIMEDOUT) keeps our classification, though the SDK would call it its own timeout', async () => {
    const timedOut: typeof fetch = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:8000'), { code: 'ETIMEDOUT' }) });
    };
    const { error } = await collect<StreamEvent>(complete({ url: 'http://10.0.0.1:8000', kind: 'vllm', endpoint: 'responses', model: 'm', fetch: timedOut }, { chat: CHAT }));
    assert.ok(error instanceof ServerError, String(error));
    assert.equal(error.kind, 'stalled');
    assert.match(error.message, /did not answer in time \(ETIMEDOUT, POST \/v1\/responses\)/);
  });

  test('503 is retried by our exchange (not the SDK), then the stream is read', async () => {
    let calls = 0;
    const bytes = fixture(FILE);
    const replay = replayAt('/v1/responses', bytes, []);
    const handler: Handler = (request, res, raw) => {
      if (calls++ === 0) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end('{"error":{"message":"busy"}}');
        return;
      }
      return replay(request, res, raw);
    };
    const { items, error, requests } = await run(handler, { kind: 'vllm', endpoint: 'responses', sleep: async () => {} });
    assert.equal(error, undefined);
    assert.equal(requests.length, 2);
    assert.deepEqual(summary(items), TOOL_LOOP_MESSAGES);
  });

  test('an event that never ends: the frame bound (8 MiB) stops it with a protocol error, the reasoning kept, nothing printed by the SDK', { timeout: 60_000 }, async () => {
    const head = cutBefore(FILE, 'response.reasoning_text.done');
    let written = 0;
    const handler: Handler = async (_request, res: ServerResponse) => {
      res.writeHead(200, SSE_HEADERS);
      await writePieces(res, head, []);
      const piece = Buffer.alloc(64 * 1024, 'a');
      res.write('data: {"type":"response.reasoning_text.delta","delta":"');
      while (!res.destroyed && written < 24 * 1024 * 1024) {
        written += piece.length;
        if (res.write(piece)) continue;
        await new Promise<void>((resolve) => {
          const go = (): void => {
            res.off('drain', go).off('close', go);
            resolve();
          };
          res.on('drain', go).on('close', go);
        });
      }
      res.end();
    };
    const printed: unknown[] = [];
    const saved = console.error;
    console.error = (...args: unknown[]) => void printed.push(args);
    try {
      const { items, error } = await run(handler, { kind: 'vllm', endpoint: 'responses' });
      assert.ok(error instanceof ServerError);
      assert.equal(error.kind, 'protocol');
      assert.match(error.message, /POST \/v1\/responses at .* sent an SSE event longer than 8 MiB/);
      assert.deepEqual(summary(items), [['analysis', undefined, REASONING, 'truncated']]);
      assert.ok(written < 24 * 1024 * 1024, 'the client hung up before the server was done');
      assert.deepEqual(printed, []);
    } finally {
      console.error = saved;
    }
  });

  test('an HTML page with status 200: a protocol error naming the content type', async () => {
    const handler: Handler = (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    };
    const { error } = await run(handler, { kind: 'openai', endpoint: 'responses' });
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'protocol');
    assert.match(error.message, /content type "text\/html"/);
  });

  test('a server that goes silent mid-stream: stalled after the idle timeout, what streamed kept', async () => {
    const bytes = cutBefore(FILE, 'response.reasoning_text.done');
    const handler: Handler = async (_request, res: ServerResponse) => {
      res.writeHead(200, SSE_HEADERS);
      await writePieces(res, bytes, []);
      // …and nothing more, without closing.
    };
    const { items, error } = await run(handler, { kind: 'vllm', endpoint: 'responses', idleTimeoutMs: 300 });
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'stalled');
    assert.deepEqual(summary(items), [['analysis', undefined, REASONING, 'truncated']]);
  });

  test('cancelled by the caller mid-stream: a cancelled error, the socket closed', async () => {
    const bytes = cutBefore(FILE, 'response.reasoning_text.done');
    const controller = new AbortController();
    const handler: Handler = async (_request, res: ServerResponse) => {
      res.writeHead(200, SSE_HEADERS);
      await writePieces(res, bytes, []);
      setTimeout(() => controller.abort(), 50);
    };
    const { items, error } = await run(handler, { kind: 'vllm', endpoint: 'responses' }, undefined, controller.signal);
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'cancelled');
    assert.equal(streamedText(items).get(0), REASONING);
  });
});

describe('endpoint auto: raw, then responses, then chat, by what the server answers', () => {
  test('a hosted (OpenAI-compatible) server: /v1/responses first', async () => {
    const bytes = fixture('openai-responses-toolcall.sse');
    const { items, error, requests } = await run(replayAt('/v1/responses', bytes, []), { kind: 'openai' });
    assert.equal(error, undefined);
    assert.deepEqual(requests.map((r) => r.path), ['/v1/responses']);
    assert.equal(done(items).endpoint, 'responses');
  });

  for (const [status, message] of [
    [405, 'Method Not Allowed'],
    [501, 'Not Implemented'],
    [400, 'The Responses API is not supported for this model'],
  ] as const) {
    test(`a gateway (kind openai) answering ${status} "${message}" on /v1/responses: the chat endpoint next`, async () => {
      const chat = fixture('lmstudio-chat-utf8.sse');
      const handler: Handler = (request, res, raw) => {
        if (request.path === '/v1/responses') {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message } }));
          return;
        }
        replayAt('/v1/chat/completions', chat, [])(request, res, raw);
      };
      const { items, error, requests } = await run(handler, { kind: 'openai' });
      assert.equal(error, undefined);
      assert.deepEqual(requests.map((r) => r.path), ['/v1/responses', '/v1/chat/completions']);
      assert.equal(done(items).endpoint, 'chat');
    });
  }

  test('a 400 about something else on /v1/responses is the error, not a reason to try chat', async () => {
    const handler: Handler = (_request, res) => {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: "Invalid value for 'reasoning.effort'" } }));
    };
    const { error, requests } = await run(handler, { kind: 'openai' });
    assert.ok(error instanceof Error);
    assert.deepEqual(requests.map((r) => r.path), ['/v1/responses']);
  });

  test('a server without a raw completion endpoint: /v1/responses next', async () => {
    const bytes = fixture('vllm-responses-final-utf8.sse');
    const { items, error, requests } = await run(replayAt('/v1/responses', bytes, []), { kind: 'lmstudio' }, { prompt: { ids: [200006, 1428, 200008, 3575, 200007, 200006, 173781] }, chat: CHAT });
    assert.equal(error, undefined);
    assert.deepEqual(requests.map((r) => r.path), ['/v1/completions', '/v1/responses']);
    assert.equal(done(items).endpoint, 'responses');
  });
});

describe('the chain of thought through a tool loop (turn N’s reasoning items in request N+1)', () => {
  /** Serves one fixture per request, in order. */
  const sequence = (files: readonly string[]): Handler => {
    let n = 0;
    return (request, res, raw) => replayAt('/v1/responses', fixture(files[Math.min(n++, files.length - 1)]!), [])(request, res, raw);
  };

  /** What the adapter sends back for a streamed turn: thinking as `reasoning`, calls with their ids. */
  function assistantTurn(items: readonly StreamEvent[], callId: string): Record<string, unknown> {
    const messages = messagesOf(items);
    const reasoning = messages.filter((m) => m.channel === 'analysis').map((m) => m.content).join('');
    const answer = messages.filter((m) => m.channel === 'final').map((m) => m.content).join('');
    const calls = messages.filter((m) => m.recipient?.startsWith('functions.'));
    return {
      role: 'assistant',
      content: answer,
      reasoning,
      ...(calls.length === 0 ? {} : { tool_calls: calls.map((c) => ({ id: callId, type: 'function', function: { name: c.recipient!.slice('functions.'.length), arguments: c.content } })) }),
    };
  }

  for (const kind of ['vllm', 'ollama'] as const) {
    test(`${kind}: in the loop the reasoning item and the call go back with its output; after the final answer no reasoning goes back`, async () => {
      const first = kind === 'ollama' ? 'ollama-responses-toolcall.sse' : 'openai-responses-toolcall.sse';
      const server = await loopback(sequence([first, 'vllm-responses-final-utf8.sse', 'vllm-responses-final-utf8.sse']));
      const config = { url: server.url, kind, endpoint: 'responses' as const, model: 'gpt-oss-20b' };
      try {
        const turn1 = await collect<StreamEvent>(complete(config, { chat: CHAT }));
        assert.equal(turn1.error, undefined);
        const loop = [...CHAT.messages, assistantTurn(turn1.items, 'call_1'), { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":21,"sky":"clear"}' }];
        const turn2 = await collect<StreamEvent>(complete(config, { chat: { ...CHAT, messages: loop } }));
        assert.equal(turn2.error, undefined);
        const after = [...loop, assistantTurn(turn2.items, 'unused'), { role: 'user', content: 'And in Osaka?' }];
        const turn3 = await collect<StreamEvent>(complete(config, { chat: { ...CHAT, messages: after } }));
        assert.equal(turn3.error, undefined);

        const inputs = server.requests.map((r) => (JSON.parse(r.body) as { input: Record<string, unknown>[] }).input);
        const reasoningItem =
          kind === 'ollama'
            ? { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: REASONING }], encrypted_content: REASONING }
            : { type: 'reasoning', id: 'rs_1', summary: [], content: [{ type: 'reasoning_text', text: REASONING }] };
        assert.deepEqual(inputs[1], [
          { type: 'message', role: 'user', content: ASK.content },
          reasoningItem,
          { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
          { type: 'function_call_output', call_id: 'call_1', output: '{"temp_c":21,"sky":"clear"}' },
        ]);
        // The turn reached its final answer: both of its reasoning items are dropped, the rest stays.
        assert.deepEqual(inputs[2], [
          { type: 'message', role: 'user', content: ASK.content },
          { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
          { type: 'function_call_output', call_id: 'call_1', output: '{"temp_c":21,"sky":"clear"}' },
          { type: 'message', role: 'assistant', content: ANSWER },
          { type: 'message', role: 'user', content: 'And in Osaka?' },
        ]);
      } finally {
        await server.close();
      }
    });
  }

  test('a named tool choice takes the Responses shape; system and developer text become instructions', () => {
    const body = responsesBody('vllm', 'm', { messages: [{ role: 'system', content: 'A.' }, { role: 'developer', content: 'B.' }, ASK], tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'get_weather' } } }, { maxTokens: 9, temperature: 0.5 }, {});
    assert.deepEqual(body.tool_choice, { type: 'function', name: 'get_weather' });
    assert.equal(body.instructions, 'A.\n\nB.');
    assert.equal(body.max_output_tokens, 9);
    assert.equal(body.temperature, 0.5);
    assert.equal(body.reasoning, undefined, 'no effort asked, none sent');
  });

  test('the rule is the renderer’s: a turn still in its tool loop keeps every reasoning step, a finished one keeps none', () => {
    const step = (n: number) => [
      { role: 'assistant', reasoning: `think ${n}`, content: '', tool_calls: [{ id: `c${n}`, type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: `c${n}`, content: `r${n}` },
    ];
    const reasoningOf = (messages: unknown[]): string[] =>
      responsesInput('vllm', messages).input.flatMap((item) => (item.type === 'reasoning' ? [(item.content as { text: string }[])[0]!.text] : []));
    const looping = [{ role: 'user', content: 'q1' }, ...step(1), ...step(2)];
    assert.deepEqual(reasoningOf(looping), ['think 1', 'think 2']);
    const finished = [...looping, { role: 'assistant', reasoning: 'think 3', content: 'a1' }, { role: 'user', content: 'q2' }, ...step(4)];
    assert.deepEqual(reasoningOf(finished), ['think 4']);
    // A tool result without a call it answers becomes user text (servers look calls up by id).
    const orphan = responsesInput('vllm', [{ role: 'tool', tool_call_id: 'nope', name: 'get_weather', content: 'sunny' }]).input;
    assert.deepEqual(orphan, [{ type: 'message', role: 'user', content: 'Result of tool call get_weather:\nsunny' }]);
  });
});
