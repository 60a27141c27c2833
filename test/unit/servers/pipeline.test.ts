// The whole way, with the real Harmony parser: loopback replay → HTTP → SSE/NDJSON →
// chunks → parser → events. Captures where llama.cpp leaks raw Harmony into `content`
// (reasoning_format none), its /v1/completions text stream, and the fixtures built from
// docs (not captured) for vLLM, llama.cpp /completion, Ollama and LM Studio.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify } from '../../../src/harmony/classify';
import { encodeWithMarkup } from '../../../src/harmony/tokenizer';
import { complete } from '../../../src/servers/client';
import type { ServerConfig, StreamEvent } from '../../../src/servers/types';
import { FINAL_UTF8, TOOLCALL } from '../../fixtures/servers/build-fixtures';
import { CAPTURES, NDJSON_HEADERS, SPLITS, SSE_HEADERS, capture, fixture, loopback, replayAt } from './loopback';
import { collect, messagesOf, streamedText } from './helpers';

const PROMPT = { ids: encodeWithMarkup('<|start|>user<|message|>What is the weather in Tokyo?<|end|><|start|>assistant') };
const ANALYSIS_TOOL = 'User asks for the weather in Tokyo. Need to call get_weather.';
const requestOf = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(CAPTURES, file), 'utf8')) as Record<string, unknown>;

async function run(bytes: Uint8Array, path: string, split: string, config: Omit<ServerConfig, 'url'>, request: Parameters<typeof complete>[1], headers: Record<string, string> = SSE_HEADERS) {
  const server = await loopback(replayAt(path, bytes, SPLITS[split]!(bytes), headers));
  try {
    return await collect<StreamEvent>(complete({ url: server.url, ...config }, request));
  } finally {
    await server.close();
  }
}

function summary(items: readonly StreamEvent[]) {
  return messagesOf(items).map((m) => [m.channel, m.recipient, m.content, m.stop]);
}

function doneOf(items: readonly StreamEvent[]): Extract<StreamEvent, { type: 'done' }> {
  const last = items.at(-1);
  assert.equal(last?.type, 'done');
  return last as Extract<StreamEvent, { type: 'done' }>;
}

describe('llama.cpp reasoning_format none: raw Harmony in content goes through the parser (captures)', () => {
  for (const split of Object.keys(SPLITS)) {
    test(`sse-chat-reasoning-content-rfnone.txt, ${split}: analysis, then the bare answer (its header dropped by the server) as the final answer`, async () => {
      const { items, error } = await run(capture('sse-chat-reasoning-content-rfnone.txt'), '/v1/chat/completions', split, { kind: 'llamacpp', endpoint: 'chat' }, {
        chat: requestOf('req-chat-grammar-reasoning-stream-rfnone.json'),
      });
      assert.equal(error, undefined);
      assert.deepEqual(summary(items), [
        ['analysis', undefined, 'User asks weather; answer briefly.', 'end'],
        ['final', undefined, 'It is sunny in Tokyo.', 'return'],
      ]);
      const [analysis, final] = messagesOf(items);
      assert.ok(analysis!.notes.some((n) => n.includes('leaked')));
      assert.ok(final!.notes.some((n) => n.includes('without its header')));
      // Every character streamed once, into its message.
      const streamed = streamedText(items);
      for (const m of messagesOf(items)) assert.equal(streamed.get(m.index), m.content);
      assert.ok(!items.some((e) => e.type === 'unparsed'));
      assert.equal(doneOf(items).finishReason, 'stop');
    });

    test(`sse-scripted-toolcall-stream-rfnone.txt, ${split}: leaked analysis parsed, the dangling leaked header dropped, the server's tool call kept`, async () => {
      const { items, error } = await run(capture('sse-scripted-toolcall-stream-rfnone.txt'), '/v1/chat/completions', split, { kind: 'llamacpp', endpoint: 'chat' }, {
        chat: requestOf('req-scripted-toolcall-stream-rfnone.json'),
      });
      assert.equal(error, undefined);
      assert.deepEqual(summary(items), [
        ['analysis', undefined, ANALYSIS_TOOL, 'end'],
        ['commentary', 'functions.get_weather', '{"city":"Tokyo"}', 'call'],
      ]);
      const call = messagesOf(items)[1]!;
      const kind = classify({ role: 'assistant', recipient: call.recipient, contentType: '<|constrain|>json', content: call.content, stop: 'call', notes: [] }, { functionNames: new Map([['get_weather', 'get_weather']]) });
      assert.deepEqual(kind, { kind: 'functionCall', name: 'get_weather', rawArguments: '{"city":"Tokyo"}', arguments: { city: 'Tokyo' }, invalidJson: false });
      assert.equal(doneOf(items).finishReason, 'toolCalls');
    });
  }

  test('a tool call written as Harmony text in content (no tool_calls from the server) becomes a tool call', async () => {
    const head = { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'gpt-oss' };
    const pieces = ['<|channel|>analysis<|message|>Need weather.<|end|>', '<|start|>assistant<|channel|>commentary to=functions.get', '_weather <|constrain|>json<|message|>{"city":', '"Tokyo"}'];
    const sse = [...pieces.map((content) => ({ ...head, choices: [{ index: 0, delta: { content }, finish_reason: null }] })), { ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }]
      .map((c) => `data: ${JSON.stringify(c)}\n\n`)
      .join('');
    const { items, error } = await run(Buffer.from(`${sse}data: [DONE]\n\n`), '/v1/chat/completions', 'awkward', { kind: 'openai', endpoint: 'chat', model: 'm' }, {
      chat: { messages: [{ role: 'user', content: 'weather?' }], tools: [{ type: 'function', function: { name: 'get_weather' } }] },
    });
    assert.equal(error, undefined);
    assert.deepEqual(summary(items), [
      ['analysis', undefined, 'Need weather.', 'end'],
      ['commentary', 'functions.get_weather', '{"city":"Tokyo"}', 'call'],
    ]);
    assert.equal(doneOf(items).finishReason, 'toolCalls');
  });
});

describe('raw completions with the real parser', () => {
  for (const split of Object.keys(SPLITS)) {
    test(`llama.cpp /v1/completions text (capture, via the /completion → /v1 fallback), ${split}: analysis and a tool call ending in the <|call|> the server left out`, async () => {
      const { items, error } = await run(capture('sse-scripted-v1-completions.txt'), '/v1/completions', split, { kind: 'llamacpp', endpoint: 'raw' }, { prompt: PROMPT });
      assert.equal(error, undefined);
      assert.deepEqual(summary(items), [
        ['analysis', undefined, ANALYSIS_TOOL, 'end'],
        ['commentary', 'functions.get_weather', '{"city":"Tokyo"}', 'call'],
      ]);
      const done = doneOf(items);
      assert.equal(done.finishReason, 'toolCalls');
      assert.equal(done.completion?.text, TOOLCALL);
      assert.equal(done.completion?.ids, undefined);
    });
  }

  const cases = [
    { what: 'vLLM /v1/completions, token ids (built from docs, not captured)', file: 'vllm-completions-toolcall.sse', path: '/v1/completions', kind: 'vllm' as const, answer: TOOLCALL, ids: true },
    { what: 'vLLM, CJK/emoji, the stop id only as stop_reason (built from docs, not captured)', file: 'vllm-completions-utf8-no-stop-id.sse', path: '/v1/completions', kind: 'vllm' as const, answer: FINAL_UTF8, ids: true },
    { what: 'llama.cpp /completion, token ids (built from docs, not captured)', file: 'llamacpp-completion-toolcall.sse', path: '/completion', kind: 'llamacpp' as const, answer: TOOLCALL, ids: true },
    { what: 'llama.cpp /completion, CJK/emoji (built from docs, not captured)', file: 'llamacpp-completion-utf8.sse', path: '/completion', kind: 'llamacpp' as const, answer: FINAL_UTF8, ids: true },
    { what: 'Ollama /api/generate raw (built from docs, not captured)', file: 'ollama-generate-raw-utf8.ndjson', path: '/api/generate', kind: 'ollama' as const, answer: FINAL_UTF8, ids: false },
    { what: 'Ollama /api/generate raw, tool call (built from docs, not captured)', file: 'ollama-generate-raw-toolcall.ndjson', path: '/api/generate', kind: 'ollama' as const, answer: TOOLCALL, ids: false },
    { what: 'LM Studio /v1/completions text (built from docs, not captured)', file: 'lmstudio-completions-toolcall.sse', path: '/v1/completions', kind: 'lmstudio' as const, answer: TOOLCALL, ids: false },
  ];
  for (const c of cases) {
    for (const split of ['whole', 'awkward', 'every byte']) {
      test(`${c.what}, ${split}: messages as the model wrote them, its exact completion kept for the next turn`, async () => {
        const headers = c.file.endsWith('.ndjson') ? NDJSON_HEADERS : SSE_HEADERS;
        const { items, error } = await run(fixture(c.file), c.path, split, { kind: c.kind, endpoint: 'raw', model: 'gpt-oss' }, { prompt: PROMPT }, headers);
        assert.equal(error, undefined);
        const toolCall = c.answer === TOOLCALL;
        assert.deepEqual(
          summary(items),
          toolCall
            ? [
                ['analysis', undefined, ANALYSIS_TOOL, 'end'],
                ['commentary', 'functions.get_weather', '{"city":"Tokyo"}', 'call'],
              ]
            : [
                ['analysis', undefined, 'ユーザーは挨拶している。短く返す。', 'end'],
                ['final', undefined, 'こんにちは！👋 東京の天気は晴れ☀️です。', 'return'],
              ],
        );
        const done = doneOf(items);
        assert.equal(done.finishReason, toolCall ? 'toolCalls' : 'stop');
        assert.equal(done.completion?.text, c.answer);
        if (c.ids) {
          assert.deepEqual(done.completion?.ids, encodeWithMarkup(c.answer));
          // Each message carries its own span of the model's tokens.
          const spans = items.flatMap((e) => (e.type === 'messageEnd' ? [e.message.tokens ?? []] : []));
          assert.deepEqual(spans.flat(), encodeWithMarkup(c.answer));
        }
        const streamed = streamedText(items);
        for (const m of messagesOf(items)) assert.equal(streamed.get(m.index), m.content);
      });
    }
  }
});
