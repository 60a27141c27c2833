// Every capture of a real llama-server, replayed byte for byte over loopback, whole and
// cut at awkward places (inside `data:`, inside `<|markers|>`, between the two newlines,
// every 7 bytes, every byte): the SDK-decoded chunks must be the same each time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chatEvent } from '../../../src/servers/routes/chat';
import { completionEvent } from '../../../src/servers/routes/completions';
import { sseJson } from '../../../src/servers/http/sse';
import { complete } from '../../../src/servers/client';
import { ServerError } from '../../../src/servers/errors';
import { httpContext, openExchange } from '../../../src/servers/http/http';
import type { ChatChunk, RawChunk, StreamEvent } from '../../../src/servers/types';
import { CAPTURES, SPLITS, capture, loopback, replayAt } from './loopback';
import { chatExpectation, collect, memoryLogger, messagesOf, recordingParser, streamedText } from './helpers';

async function* mapped<C>(items: AsyncIterable<unknown>, map: (item: unknown) => readonly C[]): AsyncGenerator<C> {
  for await (const item of items) yield* map(item);
}

const captures = readdirSync(CAPTURES).filter((f) => f.startsWith('sse-'));
const chatCaptures = captures.filter((f) => f !== 'sse-scripted-v1-completions.txt');
const leaking = new Set(['sse-chat-reasoning-content-rfnone.txt', 'sse-scripted-toolcall-stream-rfnone.txt']);

/** The request that produced a capture (req-*.json with the matching name). */
function requestFor(name: string): Record<string, unknown> {
  const stem = name.replace(/^sse-/, '').replace(/\.txt$/, '');
  const candidates = [`req-${stem}-stream.json`, `req-${stem}.json`, `req-${stem.replace('-rfnone', '-stream-rfnone')}.json`, `req-${stem.replace(/^chat-reasoning-content/, 'chat-grammar-reasoning-stream')}.json`];
  const special: Record<string, string> = {
    'sse-free-random.txt': 'req-stream-free.json',
    'sse-chat-toolcall-required.txt': 'req-chat-toolcall-required-stream.json',
    'sse-chat-prefill-reasoning-toolcall.txt': 'req-chat-prefill-reasoning-toolcall-stream.json',
    'sse-chat-reasoning-content-rfnone.txt': 'req-chat-grammar-reasoning-stream-rfnone.json',
  };
  for (const file of [special[name], ...candidates]) {
    if (file === undefined) continue;
    try {
      return JSON.parse(readFileSync(join(CAPTURES, file), 'utf8')) as Record<string, unknown>;
    } catch {
      // next candidate
    }
  }
  throw new Error(`no request for ${name}`);
}

async function chatChunksOf(name: string, split: string): Promise<{ items: ChatChunk[]; error?: unknown }> {
  const bytes = capture(name);
  const server = await loopback(replayAt('/v1/chat/completions', bytes, SPLITS[split]!(bytes)));
  try {
    const http = httpContext({ url: server.url });
    const exchange = await openExchange(http, { method: 'POST', path: '/v1/chat/completions', body: requestFor(name) });
    try {
      return await collect(mapped(sseJson(exchange, http.logger), chatEvent));
    } finally {
      exchange.close();
    }
  } finally {
    await server.close();
  }
}

function summarise(chunks: readonly ChatChunk[]): { reasoning: string; content: string; toolName?: string; toolArguments: string; finish?: string; usage?: unknown } {
  const out: { reasoning: string; content: string; toolName?: string; toolArguments: string; finish?: string; usage?: unknown } = { reasoning: '', content: '', toolArguments: '' };
  for (const c of chunks) {
    if (c.type === 'reasoning') out.reasoning += c.text;
    else if (c.type === 'content') out.content += c.text;
    else if (c.type === 'toolCall') {
      out.toolName ??= c.name;
      out.toolArguments += c.arguments ?? '';
    } else if (c.type === 'finish') out.finish = c.raw;
    else if (c.type === 'usage') out.usage = { prompt_tokens: c.promptTokens, completion_tokens: c.completionTokens };
  }
  return out;
}

describe('llama.cpp captures through the SDK SSE decoder, whole and split', () => {
  test('every capture in the shared folder is covered', () => {
    assert.deepEqual([...captures].sort(), [
      'sse-chat-prefill-reasoning-toolcall.txt',
      'sse-chat-reasoning-content-rfnone.txt',
      'sse-chat-reasoning-content.txt',
      'sse-chat-toolcall-required.txt',
      'sse-free-random.txt',
      'sse-scripted-final.txt',
      'sse-scripted-toolcall-stream-rfnone.txt',
      'sse-scripted-toolcall.txt',
      'sse-scripted-v1-completions.txt',
    ]);
  });

  for (const name of chatCaptures) {
    for (const split of Object.keys(SPLITS)) {
      test(`${name}, ${split}: reasoning, content, tool call, finish and usage as the capture has them`, async () => {
        const expected = chatExpectation(capture(name));
        const { items, error } = await chatChunksOf(name, split);
        const got = summarise(items);
        assert.equal(got.reasoning, expected.reasoning);
        assert.equal(got.content, expected.content);
        assert.equal(got.toolName, expected.toolName);
        assert.equal(got.toolArguments, expected.toolArguments);
        assert.equal(got.finish, expected.finish);
        if (expected.usage) assert.deepEqual(got.usage, { prompt_tokens: expected.usage.prompt_tokens, completion_tokens: expected.usage.completion_tokens });
        if (expected.error) {
          assert.ok(error instanceof ServerError, String(error));
          assert.equal(error.kind, 'streamError');
          assert.ok(error.message.includes(expected.error));
        } else assert.equal(error, undefined);
      });
    }
  }

  for (const split of Object.keys(SPLITS)) {
    test(`sse-scripted-v1-completions.txt, ${split}: the text pieces are the scripted tool call, markup as literal text, no stop token`, async () => {
      const bytes = capture('sse-scripted-v1-completions.txt');
      const server = await loopback(replayAt('/v1/completions', bytes, SPLITS[split]!(bytes)));
      try {
        const http = httpContext({ url: server.url });
        const exchange = await openExchange(http, { method: 'POST', path: '/v1/completions', body: requestFor('sse-scripted-v1-completions.txt') });
        const { items, error } = await collect<RawChunk>(mapped(sseJson(exchange, http.logger), completionEvent));
        exchange.close();
        assert.equal(error, undefined);
        const text = items.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('');
        assert.equal(
          text,
          '<|channel|>analysis<|message|>User asks for the weather in Tokyo. Need to call get_weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Tokyo"}',
        );
        assert.deepEqual(items.filter((c) => c.type !== 'text'), [
          { type: 'finish', reason: 'stop', raw: 'stop' },
          // The capture's usage.prompt_tokens_details.cached_tokens: the server's prefix-cache reuse.
          { type: 'usage', promptTokens: 139, completionTokens: 38, cachedPromptTokens: 138 },
        ]);
      } finally {
        await server.close();
      }
    });
  }
});

describe('llama.cpp chat captures to parser events (no Harmony leak: the server split the fields)', () => {
  for (const name of chatCaptures.filter((n) => !leaking.has(n) && n !== 'sse-free-random.txt')) {
    for (const split of ['whole', 'awkward']) {
      test(`${name}, ${split}: reasoning → analysis, content → final, tool_calls → a functions.* call`, async () => {
        const bytes = capture(name);
        const expected = chatExpectation(bytes);
        const server = await loopback(replayAt('/v1/chat/completions', bytes, SPLITS[split]!(bytes)));
        try {
          const { items, error } = await collect<StreamEvent>(
            complete({ url: server.url, kind: 'llamacpp', endpoint: 'chat' }, { chat: requestFor(name) }, undefined, { parser: recordingParser().factory }),
          );
          assert.equal(error, undefined, String(error));
          const messages = messagesOf(items);
          const analysis = messages.find((m) => m.channel === 'analysis');
          const final = messages.find((m) => m.channel === 'final');
          const call = messages.find((m) => m.recipient !== undefined);
          assert.equal(analysis?.content ?? '', expected.reasoning);
          assert.equal(final?.content ?? '', expected.content);
          if (expected.toolName) {
            assert.equal(call?.recipient, `functions.${expected.toolName}`);
            assert.equal(call?.content, expected.toolArguments);
            assert.equal(call?.stop, 'call');
          }
          // What streamed is what each message ended with.
          const streamed = streamedText(items);
          for (const m of messages) assert.equal(streamed.get(m.index) ?? '', m.content);
          const done = items.at(-1);
          assert.equal(done?.type, 'done');
          assert.equal(done?.type === 'done' && done.finishReason, expected.toolName ? 'toolCalls' : 'stop');
          if (expected.usage) assert.ok(items.some((e) => e.type === 'usage' && e.promptTokens === expected.usage?.prompt_tokens));
          // The request went out in llama.cpp's field names, streaming with usage.
          const body = JSON.parse(server.requests.at(-1)!.body) as Record<string, unknown>;
          assert.equal(body.stream, true);
          assert.deepEqual(body.stream_options, { include_usage: true });
        } finally {
          await server.close();
        }
      });
    }
  }

  test('sse-free-random.txt: the mid-stream error event becomes a streamError naming the server and suggesting the raw endpoint', async () => {
    const server = await loopback(replayAt('/v1/chat/completions', capture('sse-free-random.txt'), []));
    try {
      const logger = memoryLogger();
      const { items, error } = await collect<StreamEvent>(
        complete({ url: server.url, kind: 'llamacpp', endpoint: 'chat', logger }, { chat: requestFor('sse-free-random.txt') }, undefined, { parser: recordingParser().factory }),
      );
      assert.ok(error instanceof ServerError);
      assert.equal(error.kind, 'streamError');
      assert.equal(error.status, 500);
      assert.match(error.message, /The model produced output that does not match the expected peg-native format/);
      assert.ok(error.message.includes(server.url));
      assert.match(error.message, /raw completion endpoint/);
      assert.deepEqual(items, []);
    } finally {
      await server.close();
    }
  });
});
