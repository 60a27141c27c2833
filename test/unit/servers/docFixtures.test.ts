// vLLM, Ollama, LM Studio and llama.cpp /completion streams BUILT FROM DOCS, NOT CAPTURED
// (test/fixtures/servers/README.md), replayed over loopback whole and split (inside
// multi-byte characters, markers and `data:` lines), through the whole raw path up to
// the parser; the parser here is a recorder, so the test sees exactly what it is fed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { complete } from '../../../src/servers/client';
import { decode, encodeWithMarkup } from '../../../src/harmony/tokenizer';
import { ServerError } from '../../../src/servers/errors';
import type { ServerConfig, StreamEvent } from '../../../src/servers/types';
import { FINAL_UTF8, TOOLCALL } from '../../fixtures/servers/build-fixtures';
import { NDJSON_HEADERS, SPLITS, capture, fixture, loopback, replayAt, type Handler } from './loopback';
import { collect, messagesOf, recordingParser } from './helpers';

const PROMPT = { ids: encodeWithMarkup('<|start|>user<|message|>What is the weather in Tokyo?<|end|><|start|>assistant') };
const withoutStop = (s: string): string => s.replace(/<\|(call|return)\|>$/, '');

async function raw(config: Omit<ServerConfig, 'url'>, handler: Handler) {
  const server = await loopback(handler);
  try {
    const recorder = recordingParser();
    const result = await collect<StreamEvent>(complete({ url: server.url, endpoint: 'raw', ...config }, { prompt: PROMPT, maxTokens: 256 }, undefined, { parser: recorder.factory }));
    return { ...result, pushed: recorder.pushed, requests: server.requests };
  } finally {
    await server.close();
  }
}

function done(items: readonly StreamEvent[]): Extract<StreamEvent, { type: 'done' }> {
  const last = items.at(-1);
  assert.equal(last?.type, 'done');
  return last as Extract<StreamEvent, { type: 'done' }>;
}

describe('vLLM /v1/completions, built from docs, not captured', () => {
  for (const split of Object.keys(SPLITS)) {
    test(`tool call with token_ids, ${split}: the parser gets the model's exact ids, the stop id included once`, async () => {
      const bytes = fixture('vllm-completions-toolcall.sse');
      const { items, error, pushed } = await raw({ kind: 'vllm', model: 'openai/gpt-oss-20b' }, replayAt('/v1/completions', bytes, SPLITS[split]!(bytes)));
      assert.equal(error, undefined);
      assert.deepEqual(pushed.ids, encodeWithMarkup(TOOLCALL));
      assert.equal(pushed.text, '');
      const end = done(items);
      assert.deepEqual(end.completion?.ids, encodeWithMarkup(TOOLCALL));
      assert.equal(end.completion?.text, TOOLCALL);
      assert.ok(items.some((e) => e.type === 'usage' && e.promptTokens === PROMPT.ids.length && e.completionTokens === 38));
    });
  }

  for (const split of ['whole', 'awkward', 'every byte']) {
    test(`CJK and emoji split across tokens and bytes, ${split}: the ids arrive intact (the stop id comes only as stop_reason)`, async () => {
      const bytes = fixture('vllm-completions-utf8-no-stop-id.sse');
      const { error, pushed, items } = await raw({ kind: 'vllm', model: 'openai/gpt-oss-20b' }, replayAt('/v1/completions', bytes, SPLITS[split]!(bytes)));
      assert.equal(error, undefined);
      assert.deepEqual(pushed.ids, encodeWithMarkup(withoutStop(FINAL_UTF8)));
      assert.equal(done(items).finishReason, 'stop');
    });
  }
});

describe('llama.cpp /completion with a token prompt, built from docs, not captured', () => {
  for (const split of Object.keys(SPLITS)) {
    test(`${split}: one id per event, <|call|> as its own event, final stop event → finish and usage`, async () => {
      const bytes = fixture('llamacpp-completion-toolcall.sse');
      const { items, error, pushed, requests } = await raw({ kind: 'llamacpp' }, replayAt('/completion', bytes, SPLITS[split]!(bytes)));
      assert.equal(error, undefined);
      assert.deepEqual(pushed.ids, encodeWithMarkup(TOOLCALL));
      assert.ok(items.some((e) => e.type === 'usage' && e.promptTokens === PROMPT.ids.length && e.completionTokens === 38));
      assert.equal(requests.length, 1);
      assert.equal(requests[0]!.path, '/completion');
    });
  }

  test('multi-byte answer: ids are the tokenizer’s, whatever the SSE chunking', async () => {
    const bytes = fixture('llamacpp-completion-utf8.sse');
    const { error, pushed } = await raw({ kind: 'llamacpp' }, replayAt('/completion', bytes, SPLITS.awkward!(bytes)));
    assert.equal(error, undefined);
    assert.deepEqual(pushed.ids, encodeWithMarkup(FINAL_UTF8));
  });

  test('a token that ends inside a character is never streamed (seen on the live llama-server): the text is kept, not U+FFFD', async () => {
    // " ☀" is ids 25701 (" \xE2\x98") + 222; llama.cpp sends one event with the whole text and only id 222.
    const answer = encodeWithMarkup('<|channel|>final<|message|>Sunny ☀ today');
    const lost = answer.indexOf(25701);
    assert.ok(lost > 0 && answer[lost + 1] === 222, 'the fixture has the split character');
    const events = answer.flatMap((id, i) => {
      if (i === lost) return [];
      const content = i === lost + 1 ? decode([25701, 222]) : decode([id]);
      return [`data: ${JSON.stringify({ index: 0, content, tokens: [id], stop: false })}\n\n`];
    });
    events.push(`data: ${JSON.stringify({ index: 0, content: '', tokens: [], stop: true, stop_type: 'eos', tokens_evaluated: PROMPT.ids.length, tokens_predicted: answer.length })}\n\n`);
    const bytes = Buffer.from(events.join(''));
    const { error, pushed } = await raw({ kind: 'llamacpp' }, replayAt('/completion', bytes, SPLITS.awkward!(bytes)));
    assert.equal(error, undefined);
    assert.equal(decode(pushed.ids).replace(/<\|return\|>$/, ''), '<|channel|>final<|message|>Sunny ☀ today');
    // The lost id is recovered from the bytes the event's text has beyond its own id: the model's tokens exactly.
    assert.deepEqual(pushed.ids.slice(0, answer.length), answer);
  });

  test('a proxy without /completion: falls back to /v1/completions with the same token prompt (the real capture)', async () => {
    const { error, pushed, requests } = await raw({ kind: 'llamacpp' }, replayAt('/v1/completions', capture('sse-scripted-v1-completions.txt'), []));
    assert.equal(error, undefined);
    assert.deepEqual(requests.map((r) => r.path), ['/completion', '/v1/completions']);
    assert.deepEqual(JSON.parse(requests[1]!.body).prompt, PROMPT.ids);
    // Text only there: markup as literal text, and the <|call|> the server kept out is not invented by a recorder.
    assert.equal(pushed.text, withoutStop(TOOLCALL));
  });
});

describe('Ollama /api/generate raw, built from docs, not captured', () => {
  for (const split of Object.keys(SPLITS)) {
    test(`NDJSON through the ollama client, ${split}: the response text with markup, counts from the done line`, async () => {
      const bytes = fixture('ollama-generate-raw-utf8.ndjson');
      const { items, error, pushed, requests } = await raw({ kind: 'ollama', model: 'gpt-oss:20b' }, replayAt('/api/generate', bytes, SPLITS[split]!(bytes), NDJSON_HEADERS));
      assert.equal(error, undefined);
      assert.equal(pushed.text, withoutStop(FINAL_UTF8));
      assert.ok(items.some((e) => e.type === 'usage' && e.promptTokens === PROMPT.ids.length));
      const body = JSON.parse(requests.find((r) => r.path === '/api/generate')!.body) as Record<string, unknown>;
      assert.equal(body.raw, true);
      assert.equal(body.stream, true);
      // No /api/show here (404): the context is sized to the prompt alone, one step of 8,192.
      assert.deepEqual(body.options, { num_predict: 256, num_ctx: 8192 });
      assert.equal(done(items).completion?.ids, undefined);
    });
  }

  test('an {"error": …} line mid-stream: what streamed is delivered, then a streamError', async () => {
    const lines = fixture('ollama-generate-raw-toolcall.ndjson').toString('utf8').split('\n').slice(0, 5);
    const body = Buffer.from(`${lines.join('\n')}\n{"error":"model runner has unexpectedly stopped, this may be due to resource limitations"}\n`);
    const { items, error, pushed } = await raw({ kind: 'ollama', model: 'gpt-oss:20b' }, replayAt('/api/generate', body, [40, 300], NDJSON_HEADERS));
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'streamError');
    assert.match(error.message, /reported an error after 5 chunks.*model runner has unexpectedly stopped/);
    assert.equal(pushed.text, '<|channel|>analysis<|message|>User asks');
    assert.ok(items.some((e) => e.type === 'unparsed' && e.text === ' asks'));
    assert.equal(pushed.ends, 1, 'the parser is ended (its open message closed) before the error');
  });

  test('NDJSON that stops without a done line: a cut, partial output kept', async () => {
    const lines = fixture('ollama-generate-raw-toolcall.ndjson').toString('utf8').split('\n').slice(0, 3);
    const { error, pushed } = await raw({ kind: 'ollama', model: 'gpt-oss:20b' }, replayAt('/api/generate', Buffer.from(`${lines.join('\n')}\n`), [], NDJSON_HEADERS));
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'cut');
    assert.equal(pushed.text, '<|channel|>analysis<|message|>');
  });
});

describe('LM Studio /v1/completions (text), built from docs, not captured', () => {
  for (const split of ['whole', 'awkward', 'every 7 bytes']) {
    test(`${split}: the text prompt is the decoded ids, the answer text arrives with markup`, async () => {
      const bytes = fixture('lmstudio-completions-toolcall.sse');
      const { error, pushed, requests, items } = await raw({ kind: 'lmstudio', model: 'openai/gpt-oss-20b' }, replayAt('/v1/completions', bytes, SPLITS[split]!(bytes)));
      assert.equal(error, undefined);
      assert.equal(pushed.text, withoutStop(TOOLCALL));
      const body = JSON.parse(requests[0]!.body) as Record<string, unknown>;
      assert.equal(body.prompt, '<|start|>user<|message|>What is the weather in Tokyo?<|end|><|start|>assistant');
      assert.deepEqual(body.stop, ['<|call|>', '<|return|>']);
      assert.equal(done(items).completion?.text, withoutStop(TOOLCALL));
    });
  }
});

describe('chat endpoints, built from docs, not captured', () => {
  const CHAT = {
    messages: [{ role: 'user', content: "What's the weather in Tokyo?" }],
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'Get the current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
  };
  const cases = [
    { file: 'vllm-chat-toolcall.sse', kind: 'vllm' as const, what: 'vLLM: delta.reasoning, incremental tool call', path: '/v1/chat/completions', effort: { reasoning_effort: 'low' } },
    {
      file: 'vllm-chat-toolcall-transition.sse',
      kind: 'vllm' as const,
      what: 'vLLM transition builds: reasoning and reasoning_content side by side, read once',
      path: '/v1/chat/completions',
      effort: { reasoning_effort: 'low' },
    },
    { file: 'ollama-chat-toolcall.ndjson', kind: 'ollama' as const, what: 'Ollama /api/chat: message.thinking, whole tool call with object arguments, done line', path: '/api/chat', effort: { think: 'low' } },
  ];
  for (const { file, kind, what, path, effort } of cases) {
    for (const split of ['whole', 'awkward', 'every byte']) {
      test(`${what}, ${split}`, async () => {
        const bytes = fixture(file);
        const server = await loopback(replayAt(path, bytes, SPLITS[split]!(bytes), path === '/api/chat' ? NDJSON_HEADERS : undefined));
        try {
          const { items, error } = await collect<StreamEvent>(complete({ url: server.url, kind, endpoint: 'chat', model: 'm' }, { chat: CHAT, reasoningEffort: 'low' }, undefined, { parser: recordingParser().factory }));
          assert.equal(error, undefined);
          const messages = messagesOf(items);
          assert.deepEqual(
            messages.map((m) => [m.channel, m.recipient, m.content, m.stop]),
            [
              ['analysis', undefined, 'User asks for the weather in Tokyo. Need to call get_weather.', 'end'],
              ['commentary', 'functions.get_weather', '{"city":"Tokyo"}', 'call'],
            ],
          );
          assert.equal(done(items).finishReason, 'toolCalls');
          const body = JSON.parse(server.requests.find((r) => r.path === path)!.body) as Record<string, unknown>;
          for (const [field, value] of Object.entries(effort)) assert.equal(body[field], value);
          assert.equal(body.model, 'm');
        } finally {
          await server.close();
        }
      });
    }
  }

  test('LM Studio: reasoning and a multi-byte answer, split inside characters', async () => {
    const bytes = fixture('lmstudio-chat-utf8.sse');
    const server = await loopback(replayAt('/v1/chat/completions', bytes, SPLITS.awkward!(bytes)));
    try {
      const { items, error } = await collect<StreamEvent>(
        complete({ url: server.url, kind: 'lmstudio', endpoint: 'chat', model: 'openai/gpt-oss-20b' }, { chat: { messages: [{ role: 'user', content: 'こんにちは' }] } }, undefined, {
          parser: recordingParser().factory,
        }),
      );
      assert.equal(error, undefined);
      assert.deepEqual(
        messagesOf(items).map((m) => [m.channel, m.content, m.stop]),
        [
          ['analysis', 'ユーザーは挨拶している。', 'end'],
          ['final', 'こんにちは！👋 東京の天気は晴れ☀️です。', 'return'],
        ],
      );
    } finally {
      await server.close();
    }
  });
});

describe('endpoint choice', () => {
  test('auto: a server without /v1/completions nor /v1/responses gets the chat request instead, and the next request goes there at once (LM Studio chat fixture, built from docs)', async () => {
    const bytes = fixture('lmstudio-chat-utf8.sse');
    const server = await loopback(replayAt('/v1/chat/completions', bytes, []));
    try {
      const chat = { messages: [{ role: 'user', content: 'こんにちは' }] };
      const { items, error } = await collect<StreamEvent>(
        complete({ url: server.url, kind: 'lmstudio', model: 'openai/gpt-oss-20b' }, { prompt: PROMPT, chat }, undefined, { parser: recordingParser().factory }),
      );
      assert.equal(error, undefined);
      assert.deepEqual(server.requests.map((r) => r.path), ['/v1/completions', '/v1/responses', '/v1/chat/completions']);
      assert.equal(done(items).endpoint, 'chat');
      const again = await collect<StreamEvent>(
        complete({ url: server.url, kind: 'lmstudio', model: 'openai/gpt-oss-20b' }, { prompt: PROMPT, chat }, undefined, { parser: recordingParser().factory }),
      );
      assert.equal(again.error, undefined);
      assert.deepEqual(server.requests.slice(3).map((r) => r.path), ['/v1/chat/completions']);
    } finally {
      await server.close();
    }
  });

  test('raw chosen explicitly: the 404 is the answer, with the hint', async () => {
    const server = await loopback(replayAt('/v1/chat/completions', Buffer.from(''), []));
    try {
      const { error } = await collect<StreamEvent>(
        complete({ url: server.url, kind: 'lmstudio', model: 'm', endpoint: 'raw' }, { prompt: PROMPT, chat: { messages: [] } }, undefined, { parser: recordingParser().factory }),
      );
      assert.ok(error instanceof ServerError);
      assert.equal(error.kind, 'notFound');
      assert.match(error.message, /probably not LM Studio/);
    } finally {
      await server.close();
    }
  });
});
