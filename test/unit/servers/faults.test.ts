// One test per fault: the message names the server and what to check, what had
// streamed is delivered before the error, and the key appears nowhere.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { complete } from '../../../src/servers/client';
import { ServerError } from '../../../src/servers/errors';
import type { CompletionRequest, ServerConfig, StreamEvent } from '../../../src/servers/types';
import { SSE_HEADERS, capture, loopback, replayAt, tick, writePieces, type Loopback } from './loopback';
import { FAKE_KEY, collect, memoryLogger, messagesOf, recordingParser, ssePayloads, streamedText } from './helpers';

const CHAT: CompletionRequest = { chat: { messages: [{ role: 'user', content: 'Hi!' }] } };
const parser = recordingParser().factory;

function run(config: ServerConfig, request: CompletionRequest = CHAT, signal?: AbortSignal): Promise<{ items: StreamEvent[]; error?: unknown }> {
  return collect(complete({ kind: 'llamacpp', endpoint: 'chat', ...config }, request, signal, { parser }));
}

function asServerError(error: unknown): ServerError {
  assert.ok(error instanceof ServerError, `expected a ServerError, got ${String(error)}`);
  return error;
}

/**
 * The facts a message must carry, whatever its wording: where (the URL, the endpoint), what
 * (the status, the server's words, how far the stream got) and what to check.
 */
function assertCarries(message: string, facts: { url: string; endpoint?: string; status?: number; said?: string; progress?: string; check: RegExp[] }): void {
  assert.ok(message.includes(facts.url), `no URL in: ${message}`);
  if (facts.endpoint !== undefined) assert.ok(message.includes(facts.endpoint), `no endpoint in: ${message}`);
  if (facts.status !== undefined) assert.match(message, new RegExp(`\\b${facts.status}\\b`), `no status in: ${message}`);
  if (facts.said !== undefined) assert.ok(message.includes(facts.said), `not the server's words in: ${message}`);
  if (facts.progress !== undefined) assert.ok(message.includes(facts.progress), `not how far the stream got in: ${message}`);
  for (const check of facts.check) assert.match(message, check);
}

/** Fails (instead of hanging) unless the server saw the client's socket of request `n` close. */
async function assertSocketClosed(server: Loopback, n = 0): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 5000)));
  const closed = await Promise.race([server.closed(n).then(() => true as const), gaveUp]);
  clearTimeout(timer);
  assert.ok(closed, 'the connection was not released: the server still holds the socket');
}

/** The first `n` events of the scripted final answer (reasoning, then the start of the answer). */
function firstEvents(n: number): Buffer {
  const text = capture('sse-scripted-final.txt').toString('utf8');
  return Buffer.from(
    text
      .split('\n\n')
      .filter((e) => e.startsWith('data: '))
      .slice(0, n)
      .map((e) => `${e}\n\n`)
      .join(''),
  );
}

/** What the first `n` events carry: the reasoning the user had already seen. */
function reasoningIn(n: number): string {
  return (ssePayloads(firstEvents(n)) as { choices?: { delta?: { reasoning_content?: string } }[] }[])
    .map((p) => p.choices?.[0]?.delta?.reasoning_content ?? '')
    .join('');
}

function assertPartialKept(items: readonly StreamEvent[], n: number): void {
  const expected = reasoningIn(n);
  assert.ok(expected.length > 0);
  assert.equal(streamedText(items).get(0), expected);
  const analysis = messagesOf(items).find((m) => m.channel === 'analysis');
  assert.equal(analysis?.content, expected);
  assert.equal(analysis?.stop, 'truncated');
}

describe('faults', () => {
  test('server down (ECONNREFUSED): names the URL, says to start the server or fix the URL', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const { items, error } = await run({ url });
    const e = asServerError(error);
    assert.equal(e.kind, 'unreachable');
    assertCarries(e.message, { url, check: [/connection refused/, /server running/, /fix the URL/] });
    assert.deepEqual(items, []);
  });

  test('DNS failure: names the host that does not resolve', async () => {
    // The exact shape Node's fetch rejects with for an unknown host (recorded from fetch('http://nonexistent-host.invalid')).
    const fetchDns: typeof fetch = async () => {
      const cause = Object.assign(new Error('getaddrinfo ENOTFOUND gpu-box.invalid'), { errno: -3008, code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'gpu-box.invalid' });
      throw new TypeError('fetch failed', { cause });
    };
    const { error } = await run({ url: 'http://gpu-box.invalid:8000', fetch: fetchDns });
    const e = asServerError(error);
    assert.equal(e.kind, 'dns');
    assertCarries(e.message, { url: 'http://gpu-box.invalid:8000', check: [/"gpu-box\.invalid" does not resolve/, /ENOTFOUND/, /host name/] });
  });

  for (const status of [401, 403]) {
    test(`${status}: says the key was refused, and the key (echoed by the server) appears in no message, log line or request body`, async () => {
      const server = await loopback((request, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${FAKE_KEY}`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
      });
      try {
        const logger = memoryLogger();
        const { error } = await run({ url: server.url, apiKey: FAKE_KEY, logger });
        const e = asServerError(error);
        assert.equal(e.kind, 'auth');
        assert.equal(e.status, status);
        assertCarries(e.message, { url: server.url, endpoint: 'POST /v1/chat/completions', status, said: 'Incorrect API key provided: [redacted]', check: [/key set for this server/] });
        const everything = [e.message, e.serverMessage ?? '', e.stack ?? '', ...logger.lines].join('\n');
        assert.ok(!everything.includes(FAKE_KEY), 'the key leaked');
        const sent = server.requests[0]!;
        assert.equal(sent.headers.authorization, `Bearer ${FAKE_KEY}`);
        assert.ok(!sent.body.includes(FAKE_KEY) && !sent.path.includes(FAKE_KEY));
      } finally {
        await server.close();
      }
    });
  }

  test('401 without a key: says to set one', async () => {
    const server = await loopback((_, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}}');
    });
    try {
      const { error } = await run({ url: server.url });
      const e = asServerError(error);
      assert.equal(e.kind, 'auth');
      assertCarries(e.message, { url: server.url, status: 401, check: [/set an API key for this server/] });
      assert.equal(server.requests[0]!.headers.authorization, undefined);
    } finally {
      await server.close();
    }
  });

  test('404 endpoint: suggests the right kind or URL', async () => {
    const server = await loopback((_, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found');
    });
    try {
      const { error } = await run({ url: server.url, kind: 'vllm', model: 'm' });
      const e = asServerError(error);
      assert.equal(e.kind, 'notFound');
      assertCarries(e.message, {
        url: server.url,
        endpoint: 'POST /v1/chat/completions',
        status: 404,
        said: '404 page not found',
        check: [/no such endpoint/, /not vLLM/, /server kind/, /base address/],
      });
    } finally {
      await server.close();
    }
  });

  test('404 model: says to pick a model the server lists', async () => {
    const server = await loopback((_, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'error', message: 'The model `gpt-oss-200b` does not exist.', type: 'NotFoundError', param: null, code: 404 }));
    });
    try {
      const { error } = await run({ url: server.url, kind: 'vllm', model: 'gpt-oss-200b' });
      const e = asServerError(error);
      assert.equal(e.kind, 'notFound');
      assertCarries(e.message, { url: server.url, status: 404, said: 'The model `gpt-oss-200b` does not exist.', check: [/pick one the server lists/] });
    } finally {
      await server.close();
    }
  });

  test('429: honours retry-after (recorded, not slept), then succeeds', async () => {
    const final = capture('sse-scripted-final.txt');
    const server = await loopback(async (request, res) => {
      if (server.requests.length <= 2) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': server.requests.length === 1 ? '2' : '0.5' });
        res.end('{"error":{"message":"slow down","type":"rate_limit"}}');
        return;
      }
      res.writeHead(200, SSE_HEADERS);
      await writePieces(res, final, []);
      res.end();
    });
    try {
      const waits: number[] = [];
      const { items, error } = await run({ url: server.url, sleep: async (ms) => void waits.push(ms) });
      assert.equal(error, undefined);
      assert.deepEqual(waits, [2000, 500]);
      assert.equal(server.requests.length, 3);
      assert.equal(messagesOf(items).find((m) => m.channel === 'final')?.content, 'Hello! How can I help you today?');
    } finally {
      await server.close();
    }
  });

  test('429 that persists: bounded retries, then a rateLimited error with the server’s wait', async () => {
    const server = await loopback((_, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end('{"error":{"message":"Rate limit reached","type":"rate_limit"}}');
    });
    try {
      const waits: number[] = [];
      const { error } = await run({ url: server.url, maxRetries: 2, sleep: async (ms) => void waits.push(ms) });
      const e = asServerError(error);
      assert.equal(e.kind, 'rateLimited');
      assert.equal(e.retryAfterSeconds, 1);
      assert.deepEqual(waits, [1000, 1000]);
      assert.equal(server.requests.length, 3);
      assertCarries(e.message, { url: server.url, status: 429, said: 'Rate limit reached', check: [/wait 1 s/, /rate-limiting/] });
    } finally {
      await server.close();
    }
  });

  test('429 asking for longer than we wait: fails at once, saying how long', async () => {
    const server = await loopback((_, res) => {
      res.writeHead(429, { 'retry-after': '3600' });
      res.end();
    });
    try {
      const waits: number[] = [];
      const { error } = await run({ url: server.url, sleep: async (ms) => void waits.push(ms) });
      const e = asServerError(error);
      assert.equal(e.kind, 'rateLimited');
      assert.deepEqual(waits, []);
      assert.match(e.message, /it asks to wait 3600 s/);
    } finally {
      await server.close();
    }
  });

  test('5xx: quotes the server and points at its log; 503 "Loading model" is retried, then says the model is loading', async () => {
    const server = await loopback((_, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"code":500,"message":"failed to decode the batch","type":"server_error"}}');
    });
    try {
      const { error } = await run({ url: server.url, sleep: async () => {} });
      const e = asServerError(error);
      assert.equal(e.kind, 'server');
      assert.equal(e.status, 500);
      assert.equal(server.requests.length, 1, '500 is not retried');
      assertCarries(e.message, { url: server.url, status: 500, said: 'failed to decode the batch', check: [/server's log/] });
    } finally {
      await server.close();
    }
    const loadingServer = await loopback((_, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}');
    });
    try {
      const waits: number[] = [];
      const { error } = await run({ url: loadingServer.url, sleep: async (ms) => void waits.push(ms) });
      const e = asServerError(error);
      assert.equal(e.kind, 'server');
      assert.equal(waits.length, 2);
      assertCarries(e.message, { url: loadingServer.url, status: 503, said: 'Loading model', check: [/still loading the model/, /try again/] });
    } finally {
      await loadingServer.close();
    }
  });

  test('llama.cpp error event mid-stream: the reasoning that streamed is delivered, then the error', async () => {
    const errorLine = capture('sse-free-random.txt').toString('utf8').split('\n\n').find((e) => e.includes('"error"'))!;
    const body = Buffer.concat([firstEvents(5), Buffer.from(`${errorLine}\n\n`)]);
    const server = await loopback(replayAt('/v1/chat/completions', body, [100, 700]));
    try {
      const { items, error } = await run({ url: server.url });
      const e = asServerError(error);
      assert.equal(e.kind, 'streamError');
      assertCarries(e.message, { url: server.url, progress: 'after 5 chunks', said: 'peg-native format', check: [/raw completion endpoint/] });
      assertPartialKept(items, 5);
    } finally {
      await server.close();
    }
  });

  test('connection cut mid-stream (socket destroyed): partial output delivered, then a cut error', async () => {
    const server = await loopback(async (_, res, req) => {
      res.writeHead(200, SSE_HEADERS);
      await writePieces(res, firstEvents(6), []);
      await tick();
      req.socket.destroy();
    });
    try {
      const { items, error } = await run({ url: server.url });
      const e = asServerError(error);
      assert.equal(e.kind, 'cut');
      assertCarries(e.message, { url: server.url, progress: 'after 6 chunks', check: [/closed/, /server's log/] });
      assertPartialKept(items, 6);
    } finally {
      await server.close();
    }
  });

  test('stream closed cleanly before finish_reason: also a cut, partial output kept', async () => {
    const server = await loopback(replayAt('/v1/chat/completions', firstEvents(4), []));
    try {
      const { items, error } = await run({ url: server.url });
      assert.equal(asServerError(error).kind, 'cut');
      assertPartialKept(items, 4);
    } finally {
      await server.close();
    }
  });

  test('stalled stream: idle timeout stops it, partial output delivered, and the socket is closed', async () => {
    let release: () => void = () => {};
    const server = await loopback(async (_, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writePieces(res, firstEvents(3), []);
      await new Promise<void>((resolve) => (release = resolve)); // then silence
      res.end();
    });
    try {
      const { items, error } = await run({ url: server.url, idleTimeoutMs: 200 });
      const e = asServerError(error);
      assert.equal(e.kind, 'stalled');
      assertCarries(e.message, { url: server.url, progress: 'after 3 chunks', check: [/0\.2 s/, /raise the request timeout/] });
      assertPartialKept(items, 3);
      await assertSocketClosed(server);
    } finally {
      release();
      await server.close();
    }
  });

  test('stalled before any header: stopped by the same timeout', async () => {
    const server = await loopback(() => new Promise<void>(() => {}));
    try {
      const { items, error } = await run({ url: server.url, idleTimeoutMs: 200 });
      const e = asServerError(error);
      assert.equal(e.kind, 'stalled');
      assertCarries(e.message, { url: server.url, progress: 'before sending anything', check: [/0\.2 s/] });
      assert.deepEqual(items, []);
      await assertSocketClosed(server);
    } finally {
      await server.close();
    }
  });

  test('SSE comment pings keep a slow stream alive (activity is any byte)', async () => {
    const server = await loopback(async (_, res) => {
      res.writeHead(200, SSE_HEADERS);
      // Silent for twice the idle timeout in all, but never for longer than an eighth of it.
      for (let i = 0; i < 16; i++) {
        res.write(': ping\n\n');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await writePieces(res, capture('sse-scripted-final.txt'), []);
      res.end();
    });
    try {
      const { error } = await run({ url: server.url, idleTimeoutMs: 400 });
      assert.equal(error, undefined);
    } finally {
      await server.close();
    }
  });

  test('cancellation: the abort reaches the socket, partial output delivered, then a cancelled error', async () => {
    const server = await loopback(async (_, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writePieces(res, firstEvents(4), []);
      await new Promise<void>((resolve) => res.on('close', resolve)); // never finishes by itself
    });
    try {
      const controller = new AbortController();
      const items: StreamEvent[] = [];
      let error: unknown;
      try {
        for await (const event of complete({ url: server.url, kind: 'llamacpp', endpoint: 'chat' }, CHAT, controller.signal, { parser })) {
          items.push(event);
          if (event.type === 'contentDelta' && streamedText(items).get(0) === reasoningIn(4)) controller.abort();
        }
      } catch (e) {
        error = e;
      }
      const e = asServerError(error);
      assert.equal(e.kind, 'cancelled');
      assertCarries(e.message, { url: server.url, check: [/cancelled/] });
      assertPartialKept(items, 4);
      await assertSocketClosed(server); // the server saw the socket close
    } finally {
      await server.close();
    }
  });

  test('cancellation before the request: nothing is sent', async () => {
    const server = await loopback((_, res) => void res.end());
    try {
      const controller = new AbortController();
      controller.abort();
      const { error } = await run({ url: server.url }, CHAT, controller.signal);
      assert.equal(asServerError(error).kind, 'cancelled');
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });

  test('a data line that is not JSON: a protocol error naming the endpoint', async () => {
    const server = await loopback(replayAt('/v1/chat/completions', Buffer.from('data: {"choices":[{"delta":{"content":"Hel"}}]}\n\ndata: <html>oops\n\n'), []));
    try {
      const logger = memoryLogger();
      const { items, error } = await run({ url: server.url, logger });
      const e = asServerError(error);
      assert.equal(e.kind, 'protocol');
      assertCarries(e.message, { url: server.url, endpoint: 'POST /v1/chat/completions', check: [/not JSON/, /URL and the server kind/] });
      assert.equal(streamedText(items).get(0), 'Hel');
      assert.ok(logger.lines.some((l) => l.includes('<html>oops')), 'the SDK reports the line through our logger, not the console');
    } finally {
      await server.close();
    }
  });
});

describe('faults at the edges', () => {
  test('a socket closed before any answer: a cut, not "cannot connect"', async () => {
    const server = await loopback((_, res, req) => void req.socket.destroy());
    try {
      const { error } = await run({ url: server.url });
      const e = asServerError(error);
      assert.equal(e.kind, 'cut');
      assertCarries(e.message, { url: server.url, endpoint: 'POST /v1/chat/completions', check: [/closed before any answer/, /server's log/] });
    } finally {
      await server.close();
    }
  });

  test('the consumer stops reading: the request is aborted and the socket closed (the server sees it close)', async () => {
    const server = await loopback(async (_, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writePieces(res, firstEvents(4), []);
      await new Promise<void>((resolve) => res.on('close', resolve));
    });
    try {
      for await (const event of complete({ url: server.url, kind: 'llamacpp', endpoint: 'chat' }, CHAT, undefined, { parser })) {
        if (event.type === 'contentDelta') break;
      }
      await assertSocketClosed(server);
    } finally {
      await server.close();
    }
  });

  test('cancelled while waiting to retry a 429: stops at once, nothing more is sent', async () => {
    const server = await loopback((_, res) => {
      res.writeHead(429, { 'retry-after': '5' });
      res.end();
    });
    try {
      const controller = new AbortController();
      const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
          controller.abort();
        });
      const { error } = await run({ url: server.url, sleep }, CHAT, controller.signal);
      assert.equal(asServerError(error).kind, 'cancelled');
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  });
});
