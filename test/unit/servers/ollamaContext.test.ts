// Ollama's context: the num_ctx each request sends, the context reported to VS Code, and a
// STAND-IN Ollama (test/support/ollama-stand-in.ts) that truncates prompts as Ollama's runner
// does when num_ctx is missing. /api/show and /api/ps fixtures are BUILT FROM DOCS, not captured.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { agentRequest } from '../../../bench/agentRequest';
import { renderChatRequest } from '../../../src/harmony/chatRequest';
import { decode } from '../../../src/harmony/tokenizer';
import { complete, listModels } from '../../../src/servers/client';
import { ServerError } from '../../../src/servers/errors';
import { ollamaGenerateBody, ollamaModelContext, ollamaNumCtx, ollamaRunningModels } from '../../../src/servers/routes/ollama';
import { ollamaChatBody } from '../../../src/servers/routes/ollamaChat';
import { startOllamaStandIn, type OllamaStandIn } from '../../support/ollama-stand-in';
import { collect, memoryLogger, messagesOf } from './helpers';
import { fixture } from './loopback';

const showGptOss = JSON.parse(fixture('ollama-show-gpt-oss.json').toString('utf8')) as unknown;
const showLlama = JSON.parse(fixture('ollama-show-llama.json').toString('utf8')) as unknown;

async function withStandIn<T>(options: Parameters<typeof startOllamaStandIn>[0], body: (server: OllamaStandIn) => Promise<T>): Promise<T> {
  const server = await startOllamaStandIn(options);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

describe('Ollama /api/show and /api/ps, built from docs, not captured', () => {
  test('/api/show: the model maximum from model_info, a num_ctx from the parameters', () => {
    assert.deepEqual(ollamaModelContext(showGptOss), { maxContext: 131072, maxContextKey: 'gptoss.context_length', parameterNumCtx: undefined });
    assert.deepEqual(ollamaModelContext(showLlama), { maxContext: 131072, maxContextKey: 'llama.context_length', parameterNumCtx: 8192 });
    assert.deepEqual(ollamaModelContext({ parameters: 'temperature 1' }), { parameterNumCtx: undefined });
  });

  test('/api/ps: the context the loaded model runs with now', () => {
    assert.deepEqual(ollamaRunningModels(JSON.parse(fixture('ollama-ps.json').toString('utf8'))), [{ model: 'gpt-oss:20b', contextLength: 4096 }]);
    assert.deepEqual(ollamaRunningModels({ models: [] }), []);
    assert.deepEqual(ollamaRunningModels({ models: [{ name: 'old:1b' }] }), [{ model: 'old:1b' }], 'older servers have no context_length');
  });
});

describe('num_ctx per request', () => {
  const gptOss = { maxContext: 131072 };
  test('prompt + output budget rounded up to a step of 8,192', () => {
    assert.deepEqual(ollamaNumCtx({ promptTokens: 8360, maxTokens: 4096, context: gptOss }), { fits: true, numCtx: 16384 });
    assert.deepEqual(ollamaNumCtx({ promptTokens: 100, maxTokens: 8092, context: gptOss }), { fits: true, numCtx: 8192 });
    assert.deepEqual(ollamaNumCtx({ promptTokens: 100, maxTokens: 8093, context: gptOss }), { fits: true, numCtx: 16384 });
  });
  test('without max_tokens an output budget of 8,192 is assumed', () => {
    assert.deepEqual(ollamaNumCtx({ promptTokens: 1, context: gptOss }), { fits: true, numCtx: 16384 });
  });
  test('never above the model maximum', () => {
    assert.deepEqual(ollamaNumCtx({ promptTokens: 120000, maxTokens: 8192, context: gptOss }), { fits: true, numCtx: 131072 });
    assert.deepEqual(ollamaNumCtx({ promptTokens: 125000, context: gptOss }), { fits: true, numCtx: 131072 });
  });
  test('never below a num_ctx the user set, in extraBody or in the model parameters', () => {
    assert.deepEqual(ollamaNumCtx({ promptTokens: 100, maxTokens: 100, context: gptOss, userNumCtx: 40000 }), { fits: true, numCtx: 40000 });
    assert.deepEqual(ollamaNumCtx({ promptTokens: 100, maxTokens: 100, context: { maxContext: 131072, parameterNumCtx: 20000 } }), { fits: true, numCtx: 20000 });
    assert.deepEqual(ollamaNumCtx({ promptTokens: 100, maxTokens: 100, context: {} }), { fits: true, numCtx: 8192 }, 'no /api/show: sized to the prompt');
  });
  test('a prompt that cannot fit is refused with the numbers', () => {
    assert.deepEqual(ollamaNumCtx({ promptTokens: 130000, maxTokens: 4096, context: gptOss }), { fits: false, promptTokens: 130000, outputBudget: 4096, ceiling: 131072 });
    assert.deepEqual(ollamaNumCtx({ promptTokens: 131072, context: gptOss }), { fits: false, promptTokens: 131072, outputBudget: 0, ceiling: 131072 });
  });
});

describe('stand-in Ollama (truncates as Ollama does without num_ctx)', () => {
  const agent = agentRequest();
  const rendered = renderChatRequest(agent);

  test('without num_ctx (the request body we sent before) a multi-turn agent request loses its system message and tools', async () => {
    await withStandIn({ defaultNumCtx: 4096 }, async (server) => {
      const before = ollamaGenerateBody({ model: 'gpt-oss:20b', prompt: decode(rendered.ids), sampling: { maxTokens: 4096 }, extraBody: {} });
      const response = await fetch(`${server.url}/api/generate`, { method: 'POST', body: JSON.stringify(before) });
      await response.text();
      assert.ok(rendered.ids.length > 8000, `the agent prompt has ${rendered.ids.length} tokens`);
      const seen = server.received[0]!;
      assert.equal(seen.length, 4096);
      assert.deepEqual(server.log, [`level=WARN source=runner.go msg="truncating input prompt" limit=4096 prompt=${rendered.ids.length} keep=4 new=4096`]);
      const text = decode(seen);
      assert.ok(!text.includes('You are ChatGPT'), 'the system message is gone');
      assert.ok(!text.includes('# Instructions'), 'the developer instructions are gone');
      assert.ok(!text.includes('type apply_patch'), 'the first tools are gone');
    });
  });

  test('with num_ctx the whole agent prompt arrives, nothing is truncated, and /api/ps shows the context given', async () => {
    await withStandIn({ defaultNumCtx: 4096 }, async (server) => {
      const logger = memoryLogger();
      const config = { url: server.url, kind: 'ollama' as const, model: 'gpt-oss:20b', logger };
      const { error } = await collect(complete(config, { prompt: { ids: rendered.ids }, maxTokens: 4096 }));
      assert.equal(error, undefined);
      assert.deepEqual(server.received[0], rendered.ids);
      assert.deepEqual(server.log, []);
      const body = JSON.parse(server.requests.find((r) => r.path === '/api/generate')!.body) as { options: Record<string, unknown> };
      assert.equal(body.options.num_ctx, 16384);
      assert.equal(body.options.num_predict, 4096);
      const ps = (await (await fetch(`${server.url}/api/ps`)).json()) as unknown;
      assert.deepEqual(ollamaRunningModels(ps), [{ model: 'gpt-oss:20b', contextLength: 16384 }]);
    });
  });

  test('a num_ctx in extraBody.options is a floor, never lowered', async () => {
    await withStandIn({}, async (server) => {
      const config = { url: server.url, kind: 'ollama' as const, model: 'gpt-oss:20b', extraBody: { options: { num_ctx: 65536, temperature: 0.5 } } };
      await collect(complete(config, { prompt: { ids: rendered.ids }, maxTokens: 4096 }));
      const body = JSON.parse(server.requests.find((r) => r.path === '/api/generate')!.body) as { options: Record<string, unknown> };
      assert.deepEqual(body.options, { num_predict: 4096, num_ctx: 65536, temperature: 0.5 });
    });
  });

  test('the context reported for the model is the most we send: a prompt of exactly that size goes whole, one token more fails before sending', async () => {
    await withStandIn({ maxContext: 16384 }, async (server) => {
      const config = { url: server.url, kind: 'ollama' as const, model: 'gpt-oss:20b' };
      const [model] = await listModels(config);
      assert.equal(model?.contextLength, 16384);
      const maxOutputTokens = 4096;
      const maxInputTokens = model!.contextLength! - maxOutputTokens;
      const fill = (n: number): number[] => [...rendered.ids, ...Array<number>(n - rendered.ids.length).fill(rendered.ids[rendered.ids.length - 1]!)];
      // A prompt of exactly maxInputTokens (its text re-tokenises to the same ids: one id repeated after the prompt).
      const exact = fill(maxInputTokens);
      const fits = await collect(complete(config, { prompt: { ids: exact, text: decode(exact) }, maxTokens: maxOutputTokens }));
      assert.equal(fits.error, undefined);
      assert.equal(server.numCtx[0], 16384);
      assert.equal(server.received[0]?.length, maxInputTokens);
      assert.deepEqual(server.log, []);

      const generates = server.requests.filter((r) => r.path === '/api/generate').length;
      const over = fill(maxInputTokens + 1);
      const refused = await collect(complete(config, { prompt: { ids: over, text: decode(over) }, maxTokens: maxOutputTokens }));
      assert.ok(refused.error instanceof ServerError);
      assert.equal(refused.error.kind, 'badRequest');
      assert.match(refused.error.message, /12289 tokens\).*4096 tokens\).*16385 tokens.*at most 16384/);
      assert.equal(server.requests.filter((r) => r.path === '/api/generate').length, generates, 'nothing was sent');
    });
  });
});

describe('stand-in Ollama /api/chat (the chat route: num_ctx as on the raw route)', () => {
  const agent = agentRequest();
  const rendered = renderChatRequest(agent);
  // The sample request's one tool call, as Ollama's /api/chat carries it: arguments as an object.
  const agentCallArguments: unknown = JSON.parse(
    (agent.messages as { tool_calls?: { function: { arguments: string } }[] }[]).flatMap((m) => m.tool_calls ?? [])[0]!.function.arguments,
  );
  const chatConfig = (url: string) => ({ url, kind: 'ollama' as const, endpoint: 'chat' as const, model: 'gpt-oss:20b' });
  const chatBodyOf = (server: OllamaStandIn) => JSON.parse(server.requests.find((r) => r.path === '/api/chat')!.body) as Record<string, unknown> & { options: Record<string, unknown> };

  test('without num_ctx (all /v1/chat/completions can send) the 36-tool agent request loses its system message and first tools', async () => {
    await withStandIn({ defaultNumCtx: 4096 }, async (server) => {
      const body = ollamaChatBody({ model: 'gpt-oss:20b', chat: agent, request: { maxTokens: 4096 }, extraBody: {} });
      assert.equal(body.options?.num_ctx, undefined);
      await (await fetch(`${server.url}/api/chat`, { method: 'POST', body: JSON.stringify(body) })).text();
      assert.equal(server.received[0]!.length, 4096);
      assert.match(server.log[0] ?? '', new RegExp(`truncating input prompt" limit=4096 prompt=${rendered.ids.length} keep=4 new=4096$`));
      const text = decode(server.received[0]!);
      assert.ok(!text.includes('You are ChatGPT'), 'the system message is gone');
      assert.ok(!text.includes('type apply_patch'), 'the first tools are gone');
    });
  });

  test('with endpoint chat the whole agent request arrives: num_ctx sized as on the raw route, 36 tools, think from the effort, reasoning and answer read back', async () => {
    await withStandIn({ defaultNumCtx: 4096 }, async (server) => {
      const { items, error } = await collect(complete(chatConfig(server.url), { chat: agent, maxTokens: 4096 }));
      assert.equal(error, undefined);
      assert.deepEqual(server.received[0], rendered.ids, 'the model was given exactly the prompt we render, all of it');
      assert.deepEqual(server.log, []);
      const body = chatBodyOf(server);
      assert.equal(body.options.num_ctx, 16384, 'what the raw route sends for the same prompt and budget');
      assert.equal(body.options.num_predict, 4096);
      assert.equal((body.tools as unknown[]).length, 36);
      assert.equal(body.think, 'medium', "the request's reasoning_effort");
      const messages = body.messages as Record<string, unknown>[];
      assert.deepEqual(messages.at(-2), { role: 'assistant', content: '', thinking: 'I need to find usages of greet first.', tool_calls: [{ function: { name: 'grep_search', arguments: agentCallArguments } }] });
      assert.deepEqual(messages.at(-1), { role: 'tool', content: 'src/app.ts:1: export function greet() {}\nsrc/main.ts:3: greet();', tool_name: 'grep_search' });
      assert.deepEqual(
        messagesOf(items).map((m) => [m.channel, m.content]),
        [
          ['analysis', 'The user wants a short answer.'],
          ['final', 'All of it arrived.'],
        ],
      );
      assert.ok(items.some((e) => e.type === 'usage' && e.promptTokens === rendered.ids.length));
      const ps = (await (await fetch(`${server.url}/api/ps`)).json()) as unknown;
      assert.deepEqual(ollamaRunningModels(ps), [{ model: 'gpt-oss:20b', contextLength: 16384 }]);
    });
  });

  test('a tool call in message.tool_calls comes back as a tool call; the effort asked for becomes think', async () => {
    await withStandIn({ chatReply: { thinking: 'Search first.', toolCalls: [{ name: 'grep_search', arguments: { filePath: 'app/src', explanation: 'find hello' } }] } }, async (server) => {
      const { items, error } = await collect(complete(chatConfig(server.url), { chat: agent, maxTokens: 4096, reasoningEffort: 'high' }));
      assert.equal(error, undefined);
      assert.deepEqual(
        messagesOf(items).map((m) => [m.channel, m.recipient, m.content]),
        [
          ['analysis', undefined, 'Search first.'],
          ['commentary', 'functions.grep_search', '{"filePath":"app/src","explanation":"find hello"}'],
        ],
      );
      const done = items.at(-1);
      assert.equal(done?.type === 'done' ? done.finishReason : undefined, 'toolCalls');
      assert.equal(chatBodyOf(server).think, 'high');
    });
  });

  test('a num_ctx in extraBody.options is a floor on the chat route too; a prompt that cannot fit fails before sending', async () => {
    await withStandIn({ maxContext: 8192 }, async (server) => {
      const refused = await collect(complete(chatConfig(server.url), { chat: agent, maxTokens: 4096 }));
      assert.ok(refused.error instanceof ServerError);
      assert.equal(refused.error.kind, 'badRequest');
      assert.equal(refused.error.endpoint, 'POST /api/chat');
      assert.match(refused.error.message, new RegExp(`\\(${rendered.ids.length} tokens\\).*at most 8192`));
      assert.equal(server.requests.filter((r) => r.path === '/api/chat').length, 0, 'nothing was sent');
    });
    await withStandIn({}, async (server) => {
      await collect(complete({ ...chatConfig(server.url), extraBody: { options: { num_ctx: 65536 } } }, { chat: agent, maxTokens: 4096 }));
      assert.equal(chatBodyOf(server).options.num_ctx, 65536);
    });
  });
});
