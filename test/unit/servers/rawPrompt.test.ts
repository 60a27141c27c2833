// The prompt a raw endpoint receives is exactly the renderer's token ids (or, for the
// servers that only take text, exactly their decoding with markup in messages broken); the server records the body.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChatRequest } from '../../../src/harmony/chatRequest';
import { decode } from '../../../src/harmony/tokenizer';
import { complete } from '../../../src/servers/client';
import type { ServerKind } from '../../../src/servers/types';
import { NDJSON_HEADERS, SSE_HEADERS, fixture, loopback } from './loopback';
import { collect, memoryLogger, recordingParser } from './helpers';

const request = JSON.parse(readFileSync(join(__dirname, '../../fixtures/agent-request.json'), 'utf8')) as Record<string, unknown>;
const rendered = renderChatRequest(request, { date: '2026-11-22' });

const routes: Partial<Record<ServerKind, { path: string; file: string; headers: Record<string, string> }>> = {
  vllm: { path: '/v1/completions', file: 'vllm-completions-toolcall.sse', headers: SSE_HEADERS },
  sglang: { path: '/generate', file: 'sglang-generate-toolcall-cumulative.sse', headers: SSE_HEADERS },
  llamacpp: { path: '/completion', file: 'llamacpp-completion-toolcall.sse', headers: SSE_HEADERS },
  ollama: { path: '/api/generate', file: 'ollama-generate-raw-toolcall.ndjson', headers: NDJSON_HEADERS },
  lmstudio: { path: '/v1/completions', file: 'lmstudio-completions-toolcall.sse', headers: SSE_HEADERS },
  openai: { path: '/v1/completions', file: 'lmstudio-completions-toolcall.sse', headers: SSE_HEADERS },
};

async function sentBody(kind: ServerKind, prompt: { ids: readonly number[] } | undefined): Promise<Record<string, unknown>> {
  const route = routes[kind]!;
  const server = await loopback((req, res) => {
    res.writeHead(req.path === route.path ? 200 : 404, route.headers);
    res.end(req.path === route.path ? fixture(route.file) : undefined);
  });
  try {
    const { error } = await collect(
      complete({ url: server.url, kind, endpoint: 'raw', model: 'gpt-oss', logger: memoryLogger() }, { ...(prompt ? { prompt } : { chat: request }), maxTokens: 64 }, undefined, {
        parser: recordingParser().factory,
      }),
    );
    assert.equal(error, undefined);
    // The Ollama transport asks /api/show for the model's context before it sends the prompt.
    const sent = server.requests.filter((r) => !(kind === 'ollama' && r.path === '/api/show'));
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.path, route.path);
    return JSON.parse(sent[0]!.body) as Record<string, unknown>;
  } finally {
    await server.close();
  }
}

/** decode(ids), with the fixture's two `<|end|>` literals inside message text broken by a WORD JOINER (docs/text-prompts.md). */
const textPrompt = decode(rendered.ids).replaceAll("<|end|> hello", '<|\u2060end|> hello');

describe('the raw prompt is the renderer’s, token for token', () => {
  test(`agent request: ${rendered.ids.length} ids, ending with <|start|>assistant`, () => {
    assert.deepEqual(rendered.ids.slice(-2), [200006, 173781]);
  });

  test('vLLM /v1/completions: prompt = the ids; stop ids 200002/200012, markup kept, ids returned', async () => {
    const body = await sentBody('vllm', { ids: rendered.ids });
    assert.deepEqual(body.prompt, rendered.ids);
    assert.deepEqual(body.stop_token_ids, [200002, 200012]);
    assert.equal(body.skip_special_tokens, false);
    assert.equal(body.spaces_between_special_tokens, false);
    assert.equal(body.return_token_ids, true);
    assert.equal(body.max_tokens, 64);
    assert.equal(body.model, 'gpt-oss');
  });

  test('SGLang /generate: input_ids = the ids (the agent request), stop ids, max_new_tokens', async () => {
    const body = await sentBody('sglang', { ids: rendered.ids });
    assert.deepEqual(body.input_ids, rendered.ids);
    assert.deepEqual((body.sampling_params as Record<string, unknown>).stop_token_ids, [200002, 200012]);
    assert.equal((body.sampling_params as Record<string, unknown>).max_new_tokens, 64);
  });

  test('llama.cpp /completion: prompt = the ids, return_tokens, n_predict', async () => {
    const body = await sentBody('llamacpp', { ids: rendered.ids });
    assert.deepEqual(body.prompt, rendered.ids);
    assert.equal(body.return_tokens, true);
    assert.equal(body.stream, true);
    assert.equal(body.n_predict, 64);
  });

  test('Ollama /api/generate raw: prompt = decode(ids) with markup in message text broken, raw: true', async () => {
    const body = await sentBody('ollama', { ids: rendered.ids });
    assert.equal(body.prompt, textPrompt);
    assert.equal(body.raw, true);
  });

  test('LM Studio and generic /v1/completions: prompt = decode(ids) with markup in message text broken', async () => {
    assert.equal((await sentBody('lmstudio', { ids: rendered.ids })).prompt, textPrompt);
    assert.equal((await sentBody('openai', { ids: rendered.ids })).prompt, textPrompt);
  });

  test('given only the chat request, the raw path renders it itself (same ids, today’s date aside)', async () => {
    const before = renderChatRequest(request).ids;
    const body = await sentBody('vllm', undefined);
    const after = renderChatRequest(request).ids;
    assert.ok([before, after].some((ids) => JSON.stringify(ids) === JSON.stringify(body.prompt)));
  });
});
