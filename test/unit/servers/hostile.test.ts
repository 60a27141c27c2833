// Hostile and broken servers (test/support/hostile-server.ts), each through the transports and
// through `harmony chat`: one classified error (one line, exit 1), what streamed is kept, the
// client stops early (the server counts what it had written when the client hung up: bounded
// memory), the key is never printed by us or by a library, and nothing is left hanging.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatCommand } from '../../../src/cli/chat';
import type { CliIo } from '../../../src/cli/io';
import { complete } from '../../../src/servers/client';
import { ServerError } from '../../../src/servers/errors';
import { MAX_FRAME_BYTES } from '../../../src/servers/http/framing';
import type { ServerConfig, StreamEvent } from '../../../src/servers/types';
import { PARTIAL_REASONING, startHostileServer, type HostileMode, type HostileOptions, type HostileServer } from '../../support/hostile-server';
import { FAKE_KEY, collect, memoryLogger, messagesOf } from './helpers';

/** A key shorter than the 4 characters redaction used to need. */
const SHORT_KEY = 'k9';
const REQUEST = JSON.stringify({ messages: [{ role: 'user', content: 'Hi!' }] });
/** Socket buffers on both sides (loopback autotunes them to several MiB) may hold bytes the client never read. */
const SOCKET_SLACK = 8 * 1024 * 1024;
const bounded = { timeout: 30_000 };

/** Everything a library could print on the console while `run` runs. */
async function consoleDuring<T>(run: () => Promise<T>): Promise<{ result: T; printed: string[] }> {
  const printed: string[] = [];
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const keep = (...args: unknown[]): void => void printed.push(args.map(String).join(' '));
  Object.assign(console, { log: keep, info: keep, warn: keep, error: keep, debug: keep });
  try {
    return { result: await run(), printed };
  } finally {
    Object.assign(console, saved);
  }
}

function configFor(mode: HostileMode, server: HostileServer, apiKey: string, extra: Partial<ServerConfig> = {}): ServerConfig {
  const ollama = mode.startsWith('ndjson');
  return { url: server.url, apiKey, kind: ollama ? 'ollama' : 'llamacpp', endpoint: ollama ? 'raw' : 'chat', ...(ollama ? { model: 'm' } : {}), idleTimeoutMs: 10_000, ...extra };
}

async function throughTransport(mode: HostileMode, server: HostileServer, apiKey: string, extra: Partial<ServerConfig> = {}) {
  const logger = memoryLogger();
  const { result, printed } = await consoleDuring(() =>
    collect<StreamEvent>(complete({ ...configFor(mode, server, apiKey, extra), logger }, { chat: JSON.parse(REQUEST) as Record<string, unknown> })),
  );
  return { ...result, logger, printed };
}

async function throughCli(mode: HostileMode, server: HostileServer, apiKey: string, flags: string[] = []) {
  const saved = process.env.HARMONY_API_KEY;
  process.env.HARMONY_API_KEY = apiKey;
  let out = '';
  let err = '';
  const io: CliIo = { readInput: async () => REQUEST, stdout: (t) => void (out += t), stderr: (t) => void (err += t) };
  const ollama = mode.startsWith('ndjson');
  const args = ['--url', server.url, '--kind', ollama ? 'ollama' : 'llamacpp', '--endpoint', ollama ? 'raw' : 'chat', ...(ollama ? ['--model', 'm'] : []), ...flags, 'req.json'];
  try {
    const { result: code, printed } = await consoleDuring(() => chatCommand(args, io));
    return { code, out, err, printed };
  } finally {
    if (saved === undefined) delete process.env.HARMONY_API_KEY;
    else process.env.HARMONY_API_KEY = saved;
  }
}

function asServerError(error: unknown): ServerError {
  assert.ok(error instanceof ServerError, `expected a ServerError, got ${String(error)}`);
  return error;
}

/** The CLI's failure: exactly one `harmony chat:` line, last on stderr. */
function cliErrorLine(err: string): string {
  const lines = err.trimEnd().split('\n');
  const errorLines = lines.filter((l) => l.startsWith('harmony chat:'));
  assert.equal(errorLines.length, 1, err);
  assert.equal(lines.at(-1), errorLines[0]);
  return errorLines[0]!;
}

function assertNeverPrinted(key: string, ...texts: (string | readonly string[])[]): void {
  for (const text of texts.flat()) assert.ok(!text.includes(key), `the key was printed: ${text.slice(0, 300)}`);
}

function assertPartialKept(items: readonly StreamEvent[]): void {
  const analysis = messagesOf(items).find((m) => m.channel === 'analysis');
  assert.equal(analysis?.content, PARTIAL_REASONING);
  assert.equal(analysis?.stop, 'truncated');
}

/** The client hung up before the server was done, having let it write at most `limit` bytes. */
async function assertStoppedEarly(server: HostileServer, limit: number): Promise<void> {
  const request = server.requests[0]!;
  await request.over;
  assert.ok(request.clientHungUp, 'the client read to the end instead of stopping');
  assert.ok(request.bytesWritten <= limit, `the client took ${request.bytesWritten} bytes before stopping (bound ${limit})`);
}

describe('hostile servers', () => {
  // A server per test: each counts its own requests.
  const fresh = async (mode: HostileMode, options: HostileOptions, run: (server: HostileServer) => Promise<void>): Promise<void> => {
    const server = await startHostileServer(mode, options);
    try {
      await run(server);
    } finally {
      await server.close();
    }
  };

  for (const mode of ['sse-endless-line', 'ndjson-endless-line'] as const) {
    test(`${mode}, transport: a protocol error naming the ${MAX_FRAME_BYTES / 2 ** 20} MiB bound, the reasoning kept, stopped after about the bound`, bounded, () =>
      fresh(mode, {}, async (server) => {
        const { items, error, printed } = await throughTransport(mode, server, FAKE_KEY);
        const e = asServerError(error);
        assert.equal(e.kind, 'protocol');
        assert.match(e.message, /longer than 8 MiB/);
        assert.ok(e.message.includes(server.url));
        assertPartialKept(items);
        assert.deepEqual(printed, []);
        await assertStoppedEarly(server, MAX_FRAME_BYTES + SOCKET_SLACK);
      }),
    );

    test(`${mode}, harmony chat: one line naming the bound, exit 1, the reasoning on stdout, key never printed`, bounded, () =>
      fresh(mode, {}, async (server) => {
        const { code, out, err, printed } = await throughCli(mode, server, FAKE_KEY);
        assert.equal(code, 1);
        assert.match(cliErrorLine(err), /longer than 8 MiB/);
        assert.ok(out.includes(PARTIAL_REASONING), out);
        assertNeverPrinted(FAKE_KEY, out, err, printed);
        await assertStoppedEarly(server, MAX_FRAME_BYTES + SOCKET_SLACK);
      }),
    );
  }

  test('sse-long-line: an honest 4 MiB event below the bound streams whole', bounded, () =>
    fresh('sse-long-line', { lineBytes: 4 * 2 ** 20 }, async (server) => {
      const { items, error } = await throughTransport('sse-long-line', server, FAKE_KEY);
      assert.equal(error, undefined);
      const answer = messagesOf(items).find((m) => m.channel === 'final');
      assert.equal(answer?.content.length, 4 * 2 ** 20);
      assert.equal(answer?.stop, 'return');
    }),
  );

  test('ndjson-garbage-echo, transport: the line is classified by us (a protocol error, the key redacted), the ollama client prints nothing', bounded, () =>
    fresh('ndjson-garbage-echo', { lineBytes: 4 * 2 ** 20 }, async (server) => {
      const { items, error, printed, logger } = await throughTransport('ndjson-garbage-echo', server, FAKE_KEY);
      const e = asServerError(error);
      assert.equal(e.kind, 'protocol');
      assert.match(e.message, /line 2 is not JSON/);
      assert.match(e.message, /Authorization: Bearer \[redacted\]/);
      assert.ok(e.message.length < 1000, 'a 4 MB line is not quoted whole');
      assertPartialKept(items);
      assert.deepEqual(printed, []);
      assertNeverPrinted(FAKE_KEY, e.message, logger.lines);
      assert.equal(server.requests[0]!.headers.authorization, `Bearer ${FAKE_KEY}`);
    }),
  );

  for (const key of [FAKE_KEY, SHORT_KEY]) {
    test(`ndjson-garbage-echo, harmony chat, key of ${key.length} characters: one line, exit 1, the key in no output`, bounded, () =>
      fresh('ndjson-garbage-echo', { lineBytes: 64 * 1024 }, async (server) => {
        const { code, out, err, printed } = await throughCli('ndjson-garbage-echo', server, key, ['--verbose']);
        assert.equal(code, 1);
        assert.match(cliErrorLine(err), /not JSON.*\[redacted\]/);
        assert.ok(out.includes(PARTIAL_REASONING), out);
        assert.deepEqual(printed, []);
        assertNeverPrinted(`Bearer ${key}`, out, err);
        assert.ok(!err.includes(`Authorization: Bearer ${key}`));
      }),
    );

    test(`echo-key-500, key of ${key.length} characters: the echoed key is redacted in the message, the log and the CLI`, bounded, () =>
      fresh('echo-key-500', {}, async (server) => {
        const { error, logger } = await throughTransport('echo-key-500', server, key, { maxRetries: 0 });
        const e = asServerError(error);
        assert.equal(e.status, 500);
        assert.match(e.message, /\[redacted\]/);
        assertNeverPrinted(`Bearer ${key}`, e.message, e.serverMessage ?? '', logger.lines);
        const cli = await throughCli('echo-key-500', server, key, ['--verbose']);
        assert.equal(cli.code, 1);
        assert.match(cliErrorLine(cli.err), /500/);
        assertNeverPrinted(`Bearer ${key}`, cli.out, cli.err, cli.printed);
      }),
    );
  }

  test('sse-drip: a ping every 20 ms never trips the idle timeout; the deadline stops it, naming itself, the reasoning kept', bounded, () =>
    fresh('sse-drip', {}, async (server) => {
      const { items, error } = await throughTransport('sse-drip', server, FAKE_KEY, { idleTimeoutMs: 200, deadlineMs: 600 });
      const e = asServerError(error);
      assert.equal(e.kind, 'deadline');
      assert.match(e.message, /0\.6 s deadline/);
      assertPartialKept(items);
      await assertStoppedEarly(server, 1024 * 1024);
    }),
  );

  test('sse-drip, harmony chat --deadline: one line naming the deadline, exit 1, the reasoning on stdout', bounded, () =>
    fresh('sse-drip', {}, async (server) => {
      const { code, out, err } = await throughCli('sse-drip', server, FAKE_KEY, ['--deadline', '0.5']);
      assert.equal(code, 1);
      assert.match(cliErrorLine(err), /0\.5 s deadline/);
      assert.ok(out.includes(PARTIAL_REASONING), out);
    }),
  );

  for (const [mode, type] of [
    ['html-200', 'text/html; charset=utf-8'],
    ['json-200', 'application/json'],
  ] as const) {
    test(`${mode}: the content type received is named (not "closed before sending anything")`, bounded, () =>
      fresh(mode, {}, async (server) => {
        const { error } = await throughTransport(mode, server, FAKE_KEY);
        const e = asServerError(error);
        assert.equal(e.kind, 'protocol');
        assert.ok(e.message.includes(`"${type}"`), e.message);
        assert.doesNotMatch(e.message, /closed/);
        const cli = await throughCli(mode, server, FAKE_KEY);
        assert.equal(cli.code, 1);
        assert.ok(cliErrorLine(cli.err).includes(type));
      }),
    );
  }

  test('broken-gzip: says the compressed body does not decompress', bounded, () =>
    fresh('broken-gzip', {}, async (server) => {
      const { error } = await throughTransport('broken-gzip', server, FAKE_KEY);
      const e = asServerError(error);
      assert.equal(e.kind, 'protocol');
      assert.match(e.message, /compressed body \(content-encoding\) that does not decompress/);
      assert.match(e.message, /Z_DATA_ERROR/);
      const cli = await throughCli('broken-gzip', server, FAKE_KEY);
      assert.equal(cli.code, 1);
      assert.match(cliErrorLine(cli.err), /does not decompress/);
    }),
  );

  test('redirect-other-port: reported as a redirect to the other port, not followed, the key never sent there', bounded, () =>
    fresh('redirect-other-port', {}, async (server) => {
      const { error } = await throughTransport('redirect-other-port', server, FAKE_KEY);
      const e = asServerError(error);
      assert.equal(e.kind, 'redirect');
      assert.equal(e.status, 302);
      assert.match(e.message, /redirecting to http:\/\/127\.0\.0\.1:\d+/);
      assert.ok(!e.message.includes(server.url.split(':').at(-1)!.concat('/v1')));
      const cli = await throughCli('redirect-other-port', server, FAKE_KEY);
      assert.equal(cli.code, 1);
      assert.match(cliErrorLine(cli.err), /302, redirecting to/);
      assert.equal(server.redirectTargetRequests.length, 0, 'a request reached the other port');
    }),
  );
});
