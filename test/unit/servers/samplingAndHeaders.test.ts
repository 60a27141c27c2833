// What reaches the server for sampling and custom headers, recorded by a loopback server: each
// kind's route gets the sampling fields under its own names (llama.cpp /completion, vLLM and
// LM Studio /v1/completions, Ollama options, the chat body), gptOss.extraBody still over them;
// the user's headers on every request (detection, model list, completion); a header value from
// secret storage is never printed, even when the server echoes it back.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { complete, listModels } from '../../../src/servers/client';
import { REDACTED } from '../../../src/servers/http/redact';
import type { CompletionRequest, ServerConfig, ServerKind } from '../../../src/servers/types';
import { collect, memoryLogger } from './helpers';
import { loopback, type Recorded } from './loopback';

const SAMPLING = { maxTokens: 321, temperature: 0.7, topP: 0.9, topK: 40, minP: 0.05 } as const;
const CHAT = { messages: [{ role: 'user', content: 'Hi' }] };

/** Sends one completion to a loopback server that records it and refuses it with a 500; returns the completion request's body. */
async function bodySent(kind: ServerKind, route: string, request: CompletionRequest, extra: Partial<ServerConfig> = {}): Promise<Record<string, unknown>> {
  const server = await loopback((r, res) => {
    res.writeHead(r.path === route ? 500 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: r.path === route ? 'recorded' : 'not here' } }));
  });
  try {
    const { error } = await collect(complete({ url: server.url, kind, model: 'gpt-oss-20b', maxRetries: 0, ...extra }, { chat: CHAT, ...request }));
    assert.ok(error, 'the 500 ends the request');
    const sent = server.requests.filter((r) => r.path === route);
    assert.equal(sent.length, 1, `one request to ${route}: ${server.requests.map((r) => r.path).join(', ')}`);
    return JSON.parse(sent[0]!.body) as Record<string, unknown>;
  } finally {
    await server.close();
  }
}

describe('sampling fields as each server reads them', () => {
  const openAiNames = { max_tokens: 321, temperature: 0.7, top_p: 0.9, top_k: 40, min_p: 0.05 };

  test('llama.cpp /completion: n_predict, temperature, top_p, top_k, min_p', async () => {
    const body = await bodySent('llamacpp', '/completion', SAMPLING);
    assert.deepEqual(
      { n_predict: body.n_predict, temperature: body.temperature, top_p: body.top_p, top_k: body.top_k, min_p: body.min_p },
      { n_predict: 321, temperature: 0.7, top_p: 0.9, top_k: 40, min_p: 0.05 },
    );
    assert.equal(body.max_tokens, undefined);
  });

  for (const kind of ['vllm', 'lmstudio'] as const) {
    test(`${kind} /v1/completions: the OpenAI names, top_k and min_p beside them`, async () => {
      const body = await bodySent(kind, '/v1/completions', SAMPLING);
      for (const [field, value] of Object.entries(openAiNames)) assert.equal(body[field], value, field);
    });
  }

  test('Ollama /api/generate: options.num_predict, temperature, top_p, top_k, min_p (num_ctx beside them)', async () => {
    const body = await bodySent('ollama', '/api/generate', SAMPLING);
    const options = body.options as Record<string, unknown>;
    assert.deepEqual({ ...options, num_ctx: undefined }, { num_predict: 321, temperature: 0.7, top_p: 0.9, top_k: 40, min_p: 0.05, num_ctx: undefined });
    assert.equal(typeof options.num_ctx, 'number');
    assert.equal(body.temperature, undefined, 'nothing at the top level');
  });

  test('the chat endpoint: the OpenAI names', async () => {
    const body = await bodySent('openai', '/v1/chat/completions', SAMPLING);
    for (const [field, value] of Object.entries(openAiNames)) assert.equal(body[field], value, field);
  });

  test('unset fields are not sent; gptOss.extraBody is merged over the sampling fields', async () => {
    const body = await bodySent('llamacpp', '/completion', { temperature: 1 }, { extraBody: { top_k: 0, temperature: 0.2 } });
    assert.equal(body.temperature, 0.2);
    assert.equal(body.top_k, 0);
    for (const field of ['top_p', 'min_p', 'n_predict']) assert.equal(field in body, false, field);
    const ollama = await bodySent('ollama', '/api/generate', { temperature: 1, topP: 1 }, { extraBody: { options: { top_p: 0.5 } } });
    assert.deepEqual([(ollama.options as Record<string, unknown>).temperature, (ollama.options as Record<string, unknown>).top_p], [1, 0.5]);
  });
});

describe('custom headers', () => {
  const SECRET = 'cf-secret-5d41402abc4b2a76';
  const headers = { 'X-Api-Key': `Key ${SECRET}`, 'CF-Access-Client-Id': 'client-17' };

  test('arrive with every request (detection, model list, completion), after ours; a secret value never reaches the log or the error', async () => {
    const server = await loopback((r: Recorded, res) => {
      if (r.method === 'GET' && r.path === '/props') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ default_generation_settings: { n_ctx: 4096 }, model_path: '/m/gpt-oss-20b.gguf' }));
      } else if (r.method === 'GET' && r.path === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-oss-20b' }] }));
      } else if (r.method === 'GET') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{}');
      } else {
        // A gateway that quotes the header it refused.
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `x-api-key "Key ${SECRET}" is not allowed for this route` } }));
      }
    });
    const logger = memoryLogger();
    try {
      const config: ServerConfig = { url: server.url, headers, secrets: [SECRET], logger, maxRetries: 0 };
      const models = await listModels(config);
      assert.deepEqual(models.map((m) => m.id), ['gpt-oss-20b']);
      const { error } = await collect(complete({ ...config, endpoint: 'raw' }, { prompt: { ids: [200006] }, chat: CHAT }));
      assert.ok(error instanceof Error);
      assert.ok(server.requests.length >= 3, server.requests.map((r) => `${r.method} ${r.path}`).join(', '));
      for (const r of server.requests) {
        assert.equal(r.headers['x-api-key'], `Key ${SECRET}`, `${r.method} ${r.path}`);
        assert.equal(r.headers['cf-access-client-id'], 'client-17', `${r.method} ${r.path}`);
        // A custom header never replaces ours: a POST still says it sends JSON.
        if (r.method === 'POST') assert.equal(r.headers['content-type'], 'application/json', `${r.method} ${r.path}`);
      }
      assert.ok(server.requests.some((r) => r.path === '/completion'), 'the completion went out');
      assert.ok(!error.message.includes(SECRET), error.message);
      assert.ok(error.message.includes(REDACTED), error.message);
      assert.ok(logger.lines.length > 0, 'something was logged');
      for (const line of logger.lines) assert.ok(!line.includes(SECRET), line);
    } finally {
      await server.close();
    }
  });

  test('a user Authorization header replaces the Bearer of the key (a gateway with its own scheme)', async () => {
    const server = await loopback((_r, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{}');
    });
    try {
      await collect(complete({ url: server.url, kind: 'vllm', model: 'm', apiKey: 'sk-1', headers: { Authorization: 'Basic dTpw' }, maxRetries: 0 }, { prompt: { ids: [1] } }));
      assert.equal(server.requests[0]!.headers.authorization, 'Basic dTpw');
    } finally {
      await server.close();
    }
  });
});
