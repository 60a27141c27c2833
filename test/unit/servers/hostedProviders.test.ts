// Hosted gpt-oss providers on chat completions: streams BUILT FROM EACH PROVIDER'S DOCS, NOT
// CAPTURED (test/fixtures/servers/README.md; the doc URLs are in src/servers/routes/providers.ts),
// replayed over loopback whole and split; a two-request tool loop checks that turn N's reasoning
// goes back in request N+1 in the provider's documented field, exactly, and that nothing goes
// back once the turn has its answer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatEvent } from '../../../src/servers/routes/chat';
import { complete, detect, forgetServer } from '../../../src/servers/client';
import { ServerError } from '../../../src/servers/errors';
import { GENERIC_GATEWAY, HOSTED_KINDS, HOSTED_PROVIDERS, hostedKindOfUrl, type HostedKind } from '../../../src/servers/routes/providers';
import type { StreamEvent } from '../../../src/servers/types';
import { HOSTED_ANSWER, HOSTED_ANSWER_REASONING, HOSTED_REASONING } from '../../fixtures/servers/build-fixtures';
import { SPLITS, SSE_HEADERS, fixture, loopback, replayAt, writePieces, type Handler } from './loopback';
import { collect, memoryLogger, messagesOf } from './helpers';
import { harmonyParser } from '../../../src/servers/stream/harmonyParser';

const WEATHER_TOOL = { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const USER = { role: 'user', content: "What's the weather in Tokyo?" };
const REASONING = HOSTED_REASONING.join('');
const ANSWER_REASONING = HOSTED_ANSWER_REASONING.join('');
const REASONING_KEYS = ['reasoning', 'reasoning_content', 'reasoning_details', 'thinking'];

type Message = Record<string, unknown>;

/** Answers each POST with the next fixture in `files`, split at `cuts` of `split`. */
function sequence(files: readonly string[], split: string): Handler {
  let next = 0;
  return async (request, res) => {
    if (request.path !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    const bytes = fixture(files[next++] ?? files[files.length - 1]!);
    res.writeHead(200, SSE_HEADERS);
    await writePieces(res, bytes, SPLITS[split]!(bytes));
    res.end();
  };
}

/** The assistant message the adapter builds from a response: thinking as `reasoning`, tool calls, answer text. */
function assistantFrom(items: readonly StreamEvent[]): Message {
  const messages = messagesOf(items);
  const reasoning = messages.filter((m) => m.channel === 'analysis').map((m) => m.content).join('');
  const calls = messages.filter((m) => m.recipient?.startsWith('functions.'));
  return {
    role: 'assistant',
    content: messages.filter((m) => m.channel === 'final').map((m) => m.content).join(''),
    ...(reasoning === '' ? {} : { reasoning }),
    ...(calls.length === 0 ? {} : { tool_calls: calls.map((c, i) => ({ id: `call_${i}`, type: 'function', function: { name: c.recipient!.slice('functions.'.length), arguments: c.content } })) }),
  };
}

async function turn(url: string, kind: HostedKind, messages: readonly unknown[]): Promise<StreamEvent[]> {
  const { items, error } = await collect<StreamEvent>(complete({ url, kind, model: 'openai/gpt-oss-120b' }, { chat: { messages, tools: [WEATHER_TOOL] }, reasoningEffort: 'high' }, undefined, { parser: harmonyParser }));
  assert.equal(error, undefined);
  return items;
}

const sentMessages = (body: string): Message[] => (JSON.parse(body) as { messages: Message[] }).messages;

/** What each provider's documentation says (the URLs in providers.ts), held here so that the table cannot drift from it unnoticed. */
const DOCUMENTED: Record<HostedKind, { streams: string[]; sendBack: string | undefined }> = {
  openrouter: { streams: ['reasoning', 'reasoning_details'], sendBack: 'reasoning_details' },
  groq: { streams: ['reasoning'], sendBack: 'reasoning' },
  cerebras: { streams: ['reasoning'], sendBack: undefined },
  together: { streams: ['reasoning'], sendBack: undefined },
  fireworks: { streams: ['reasoning_content'], sendBack: 'reasoning_content' },
};

describe('the provider table', () => {
  test('rows as documented: the streamed reasoning field and the send-back field of each provider', () => {
    for (const kind of HOSTED_KINDS) assert.deepEqual({ streams: [...HOSTED_PROVIDERS[kind].streams], sendBack: HOSTED_PROVIDERS[kind].sendBack }, DOCUMENTED[kind], kind);
  });

  test('every row cites its documentation, and the chat reader reads every field a row says the stream carries', () => {
    for (const provider of [...HOSTED_KINDS.map((k) => HOSTED_PROVIDERS[k]), GENERIC_GATEWAY]) {
      if (provider !== GENERIC_GATEWAY) assert.ok(provider.docs.length > 0 && provider.docs.every((d) => d.startsWith('https://')), provider.name);
      if (provider.sendBack === undefined && provider !== GENERIC_GATEWAY) assert.ok(provider.note, `${provider.name}: why nothing is sent back`);
      for (const field of provider.streams) {
        const value = field === 'reasoning_details' ? [{ type: 'reasoning.text', text: 'Think.', index: 0 }] : 'Think.';
        assert.deepEqual(chatEvent({ choices: [{ delta: { [field]: value } }] }), [{ type: 'reasoning', text: 'Think.' }], `${provider.name} ${field}`);
      }
    }
  });

  test('each base URL is recognised by its host alone; lookalikes and other hosts are not', () => {
    for (const kind of HOSTED_KINDS) {
      assert.equal(hostedKindOfUrl(HOSTED_PROVIDERS[kind].baseUrl), kind);
      assert.equal(hostedKindOfUrl(`${HOSTED_PROVIDERS[kind].baseUrl}/`), kind);
    }
    assert.equal(hostedKindOfUrl('api.together.ai/v1'), 'together');
    assert.equal(hostedKindOfUrl('https://openrouter.ai.example.com/api/v1'), undefined);
    assert.equal(hostedKindOfUrl('https://my-groq-proxy.internal/openai/v1'), undefined);
    assert.equal(hostedKindOfUrl('http://127.0.0.1:8000'), undefined);
    assert.equal(hostedKindOfUrl('not a url at all'), undefined);
  });

  test('auto: a hosted base URL is its provider without a single request', async () => {
    const fetch = (() => Promise.reject(new Error('no request expected'))) as typeof globalThis.fetch;
    for (const kind of HOSTED_KINDS) {
      const detection = await detect({ url: HOSTED_PROVIDERS[kind].baseUrl, fetch });
      assert.equal(detection.kind, kind);
      assert.match(detection.evidence, new RegExp(HOSTED_PROVIDERS[kind].name));
    }
  });
});

for (const kind of HOSTED_KINDS) {
  const provider = HOSTED_PROVIDERS[kind];
  describe(`${provider.name} chat completions, built from docs (${provider.docs[0]}), not captured`, () => {
    for (const split of ['whole', 'awkward', 'every 7 bytes']) {
      test(`tool call, ${split}: reasoning from its documented field, the call, usage, effort where ${provider.name} reads it`, async () => {
        const bytes = fixture(`${kind}-chat-toolcall.sse`);
        const server = await loopback(replayAt('/v1/chat/completions', bytes, SPLITS[split]!(bytes)));
        try {
          const items = await turn(server.url, kind, [USER]);
          assert.deepEqual(
            messagesOf(items).map((m) => [m.channel, m.recipient, m.content, m.stop]),
            [
              ['analysis', undefined, REASONING, 'end'],
              ['commentary', 'functions.get_weather', '{"city":"Tokyo"}', 'call'],
            ],
          );
          assert.ok(items.some((e) => e.type === 'usage' && e.promptTokens === 139 && e.completionTokens === 38));
          assert.equal((items.at(-1) as Extract<StreamEvent, { type: 'done' }>).finishReason, 'toolCalls');
          const body = JSON.parse(server.requests[0]!.body) as Record<string, unknown>;
          assert.deepEqual(kind === 'openrouter' ? body.reasoning : body.reasoning_effort, kind === 'openrouter' ? { effort: 'high' } : 'high');
          if (kind === 'openrouter') assert.equal(body.reasoning_effort, undefined);
        } finally {
          await server.close();
        }
      });
    }

    test(`tool loop: turn N's reasoning goes back in request N+1 ${provider.sendBack ? `as \`${provider.sendBack}\`, exactly` : '— not at all (nothing documented)'}; after the answer nothing goes back`, async () => {
      const server = await loopback(sequence([`${kind}-chat-toolcall.sse`, `${kind}-chat-final.sse`, `${kind}-chat-toolcall.sse`], 'awkward'));
      try {
        const first = await turn(server.url, kind, [USER]);
        const step = assistantFrom(first);
        const loop = [USER, step, { role: 'tool', tool_call_id: 'call_0', content: '{"sky":"sunny"}' }];
        const second = await turn(server.url, kind, loop);
        assert.deepEqual(messagesOf(second).map((m) => [m.channel, m.content]), [
          ['analysis', ANSWER_REASONING],
          ['final', HOSTED_ANSWER.join('')],
        ]);
        const sentStep = sentMessages(server.requests[1]!.body)[1]!;
        assert.equal(sentStep.role, 'assistant');
        const expected =
          provider.sendBack === 'reasoning_details' ? { reasoning_details: [{ type: 'reasoning.text', text: REASONING, index: 0 }] } : provider.sendBack ? { [provider.sendBack]: REASONING } : {};
        assert.deepEqual(Object.fromEntries(REASONING_KEYS.flatMap((k) => (k in sentStep ? [[k, sentStep[k]]] : []))), expected);

        // The answer closed the turn: a new question sends none of that turn's reasoning back.
        await turn(server.url, kind, [...loop, assistantFrom(second), { role: 'user', content: 'And in Oslo?' }]);
        const third = sentMessages(server.requests[2]!.body);
        assert.deepEqual(third.filter((m) => m.role === 'assistant').length, 2);
        for (const m of third) for (const key of REASONING_KEYS) assert.equal(key in m, false, `${key} sent after the answer`);
      } finally {
        await server.close();
      }
    });
  });
}

describe('hosted faults', () => {
  test('cut mid-reasoning: what streamed is delivered as a cut-short message, then a cut error', async () => {
    const text = fixture('openrouter-chat-toolcall.sse').toString('utf8');
    const bytes = Buffer.from(text.slice(0, text.indexOf('_weather')));
    const server = await loopback(replayAt('/v1/chat/completions', bytes, SPLITS.awkward!(bytes)));
    try {
      const { items, error } = await collect<StreamEvent>(complete({ url: server.url, kind: 'openrouter', model: 'm' }, { chat: { messages: [USER] } }, undefined, { parser: harmonyParser }));
      assert.ok(error instanceof ServerError);
      assert.equal(error.kind, 'cut');
      assert.deepEqual(messagesOf(items).map((m) => [m.channel, m.content, m.stop]), [['analysis', 'User asks for the weather in Tokyo. Need to call get', 'truncated']]);
    } finally {
      await server.close();
    }
  });

  test('an error event mid-stream (OpenRouter: {"error": …, "choices": [{"finish_reason": "error"}]}): the reasoning so far, then a streamError', async () => {
    const text = fixture('openrouter-chat-toolcall.sse').toString('utf8').split('\n\n').slice(0, 4).join('\n\n');
    const failure = { id: 'gen-x', object: 'chat.completion.chunk', created: 1795303600, model: 'openai/gpt-oss-120b', provider: 'Groq', error: { code: 502, message: 'Provider returned error' }, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }] };
    const bytes = Buffer.from(`${text}\n\ndata: ${JSON.stringify(failure)}\n\n`);
    const server = await loopback(replayAt('/v1/chat/completions', bytes, [7, 300]));
    try {
      const { items, error } = await collect<StreamEvent>(complete({ url: server.url, kind: 'openrouter', model: 'm' }, { chat: { messages: [USER] } }, undefined, { parser: harmonyParser }));
      assert.ok(error instanceof ServerError);
      assert.equal(error.kind, 'streamError');
      assert.match(error.message, /Provider returned error/);
      assert.equal(messagesOf(items)[0]?.content, 'User asks for');
    } finally {
      await server.close();
    }
  });

  test('a provider that refuses the reasoning field sent back: the same request once more without it, and without it from then on', async () => {
    const toolcall = fixture('groq-chat-toolcall.sse');
    const server = await loopback((request, res) => {
      if (sentMessages(request.body).some((m) => 'reasoning' in m)) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: "'messages.1' : for 'role:assistant' the following must be satisfied[('messages.1' : property 'reasoning' is unsupported)]", type: 'invalid_request_error' } }));
        return;
      }
      res.writeHead(200, SSE_HEADERS).end(toolcall);
    });
    const logger = memoryLogger();
    const config = { url: server.url, kind: 'groq' as const, model: 'openai/gpt-oss-120b', maxRetries: 0, logger };
    const loop = [USER, { role: 'assistant', content: '', reasoning: 'Need the tool.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'sunny' }];
    try {
      for (const round of [1, 2]) {
        const { items, error } = await collect<StreamEvent>(complete(config, { chat: { messages: loop, tools: [WEATHER_TOOL] } }, undefined, { parser: harmonyParser }));
        assert.equal(error, undefined, `round ${round}`);
        assert.equal(messagesOf(items).at(-1)?.recipient, 'functions.get_weather');
      }
      // Round one: refused, then sent without; round two: without at once.
      assert.deepEqual(server.requests.map((r) => sentMessages(r.body)[1]!.reasoning), ['Need the tool.', undefined, undefined]);
      assert.equal(logger.lines.filter((l) => l.startsWith('warn ') && l.includes('refused the earlier reasoning')).length, 1);
    } finally {
      forgetServer(config);
      await server.close();
    }
  });

  test('a 400 about another field (reasoning_effort) is not taken for a refusal of the reasoning sent back: the error stands, nothing is remembered', async () => {
    const toolcall = fixture('groq-chat-toolcall.sse');
    let refuse = true;
    const server = await loopback((_request, res) => {
      if (refuse) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: '`reasoning_effort` must be one of low, medium, high', type: 'invalid_request_error' } }));
        return;
      }
      res.writeHead(200, SSE_HEADERS).end(toolcall);
    });
    const config = { url: server.url, kind: 'groq' as const, model: 'openai/gpt-oss-120b', maxRetries: 0 };
    const loop = [USER, { role: 'assistant', content: '', reasoning: 'Need the tool.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'sunny' }];
    try {
      const first = await collect<StreamEvent>(complete(config, { chat: { messages: loop, tools: [WEATHER_TOOL] } }, undefined, { parser: harmonyParser }));
      assert.ok(first.error instanceof ServerError && first.error.kind === 'badRequest', 'the 400 reaches the caller');
      assert.equal(server.requests.length, 1, 'no resend without the reasoning');
      refuse = false;
      const second = await collect<StreamEvent>(complete(config, { chat: { messages: loop, tools: [WEATHER_TOOL] } }, undefined, { parser: harmonyParser }));
      assert.equal(second.error, undefined);
      assert.equal(sentMessages(server.requests[1]!.body)[1]!.reasoning, 'Need the tool.', 'the reasoning still goes back');
    } finally {
      forgetServer(config);
      await server.close();
    }
  });

  test("a 400 naming a field the provider refuses: a badRequest with the provider's words", async () => {
    const server = await loopback((_request, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: "'messages.1' : for 'role:assistant' the following must be satisfied[('messages.1' : property 'reasoning' is unsupported)]", type: 'invalid_request_error' } }));
    });
    try {
      const { error } = await collect<StreamEvent>(complete({ url: server.url, kind: 'groq', model: 'm', maxRetries: 0 }, { chat: { messages: [USER] } }, undefined, { parser: harmonyParser }));
      assert.ok(error instanceof ServerError);
      assert.equal(error.kind, 'badRequest');
      assert.match(error.message, /property 'reasoning' is unsupported/);
    } finally {
      await server.close();
    }
  });
});

describe('chat usage', () => {
  test("the prefix-cache hit: cached_tokens (vLLM, SGLang, hosted) or llama.cpp's timings.cache_n; absent when neither is sent", () => {
    const usage = (chunk: Record<string, unknown>) => chatEvent({ choices: [], ...chunk }).find((c) => c.type === 'usage');
    assert.deepEqual(usage({ usage: { prompt_tokens: 900, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 768 } } }), { type: 'usage', promptTokens: 900, completionTokens: 10, cachedPromptTokens: 768 });
    assert.deepEqual(usage({ usage: { prompt_tokens: 900, completion_tokens: 10 }, timings: { prompt_ms: 12.5, cache_n: 512 } }), { type: 'usage', promptTokens: 900, completionTokens: 10, cachedPromptTokens: 512, promptMs: 12.5 });
    assert.equal('cachedPromptTokens' in (usage({ usage: { prompt_tokens: 900, completion_tokens: 10 } }) ?? {}), false);
  });
});
