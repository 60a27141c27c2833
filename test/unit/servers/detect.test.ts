// Server kind from what the URL answers, and models with their context length
// (metadata fixtures built from docs, not captured).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detect, forgetServer, listModels } from '../../../src/servers/client';
import { ServerError } from '../../../src/servers/errors';
import type { ServerConfig } from '../../../src/servers/types';
import { fixture, loopback, type Handler, type Loopback } from './loopback';
import { FAKE_KEY } from './helpers';

/** Answers the given paths with JSON fixtures (or literal values), 404 elsewhere, as each server does. */
function answers(routes: Record<string, string | object>): Handler {
  return (request, res) => {
    const path = request.path.split('?')[0]!;
    const route = routes[`${request.method} ${path}`] ?? routes[path];
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(typeof route === 'string' ? fixture(route) : JSON.stringify(route));
  };
}

async function withServer<T>(handler: Handler, body: (config: ServerConfig, server: Loopback) => Promise<T>): Promise<T> {
  const server = await loopback(handler);
  const config = { url: server.url };
  try {
    return await body(config, server);
  } finally {
    forgetServer(config);
    await server.close();
  }
}

describe('detection and model lists, built from docs, not captured', () => {
  test('llama.cpp: /props answers → llamacpp; context from /props n_ctx', async () => {
    await withServer(answers({ '/props': 'llamacpp-props.json', '/v1/models': 'llamacpp-models.json', '/health': { status: 'ok' } }), async (config) => {
      const detection = await detect(config);
      assert.equal(detection.kind, 'llamacpp');
      assert.match(detection.evidence, /\/props/);
      assert.deepEqual(await listModels(config), [{ id: 'gpt-oss-20b-mxfp4.gguf', contextLength: 32768, contextSource: 'GET /props default_generation_settings.n_ctx' }]);
    });
  });

  test('vLLM: models owned by "vllm" → vllm; context from max_model_len', async () => {
    await withServer(answers({ '/v1/models': 'vllm-models.json', '/version': 'vllm-version.json' }), async (config) => {
      assert.equal((await detect(config)).kind, 'vllm');
      assert.deepEqual(await listModels(config), [{ id: 'openai/gpt-oss-20b', contextLength: 131072, contextSource: 'GET /v1/models max_model_len' }]);
    });
  });

  test('Ollama: /api/version → ollama; models from /api/tags, context from /api/show (the model maximum we size num_ctx up to; a smaller num_ctx parameter is only a floor)', async () => {
    const handler: Handler = (request, res) => {
      const route: Record<string, string> = { '/api/version': 'ollama-version.json', '/api/tags': 'ollama-tags.json', '/v1/models': 'lmstudio-v1-models.json' };
      if (request.path === '/api/show') {
        const model = (JSON.parse(request.body) as { model: string }).model;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(fixture(model.startsWith('gpt-oss') ? 'ollama-show-gpt-oss.json' : 'ollama-show-llama.json'));
        return;
      }
      return answers(route)(request, res, undefined as never);
    };
    await withServer(handler, async (config) => {
      const detection = await detect(config);
      assert.equal(detection.kind, 'ollama');
      assert.equal(detection.evidence, 'GET /api/version answered Ollama 0.12.6');
      assert.deepEqual(await listModels(config), [
        { id: 'gpt-oss:20b', contextLength: 131072, contextSource: 'Ollama /api/show model_info gptoss.context_length, sent as num_ctx as a prompt needs it' },
        { id: 'llama3.2:3b', contextLength: 131072, contextSource: 'Ollama /api/show model_info llama.context_length, sent as num_ctx as a prompt needs it' },
      ]);
    });
  });

  test('LM Studio: /api/v0/models → lmstudio; LLMs only, loaded context before the maximum', async () => {
    await withServer(answers({ '/api/v0/models': 'lmstudio-models.json', '/v1/models': 'lmstudio-v1-models.json' }), async (config) => {
      assert.equal((await detect(config)).kind, 'lmstudio');
      assert.deepEqual(await listModels(config), [{ id: 'openai/gpt-oss-20b', contextLength: 16384, contextSource: 'GET /api/v0/models loaded_context_length' }]);
    });
  });

  test('anything else that lists /v1/models → generic OpenAI-compatible, with context_length where given', async () => {
    const models = { object: 'list', data: [{ id: 'openai/gpt-oss-120b', object: 'model', owned_by: 'openai', context_window: 131072 }] };
    await withServer(answers({ '/v1/models': models }), async (config) => {
      assert.equal((await detect(config)).kind, 'openai');
      assert.deepEqual(await listModels(config), [{ id: 'openai/gpt-oss-120b', contextLength: 131072, contextSource: 'GET /v1/models context_window' }]);
    });
  });

  test('a URL given with /v1 is the same server', async () => {
    await withServer(answers({ '/v1/models': 'vllm-models.json' }), async (config) => {
      assert.equal((await detect({ url: `${config.url}/v1/` })).kind, 'vllm');
      forgetServer({ url: `${config.url}/v1/` });
    });
  });

  test('the configured kind overrides detection (nothing is asked)', async () => {
    const server = await loopback(answers({}));
    try {
      assert.deepEqual(await detect({ url: server.url, kind: 'ollama' }), { kind: 'ollama', evidence: 'configured' });
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });

  test('detection is remembered: the second request asks nothing new', async () => {
    await withServer(answers({ '/props': 'llamacpp-props.json' }), async (config, server) => {
      await detect(config);
      const asked = server.requests.length;
      assert.equal(asked, 7);
      await detect(config);
      assert.equal(server.requests.length, asked);
    });
  });

  test('an HTTP server that is none of them: says which endpoints were tried and what the URL should be', async () => {
    await withServer(answers({}), async (config) => {
      await assert.rejects(detect(config), (e: unknown) => {
        assert.ok(e instanceof ServerError);
        assert.equal(e.kind, 'notFound');
        assert.match(e.message, /answers HTTP, but none of the endpoints .* \(\/props 404, \/v1\/models 404, \/api\/version 404, \/api\/v0\/models 404, \/version 404, \/get_model_info 404, \/model_info 404\)\. Check the URL/);
        return true;
      });
    });
  });

  test('a server that wants a key: detection reports the auth problem, and sends the key only as a header', async () => {
    const server = await loopback((request, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"Unauthorized","type":"invalid_request_error"}}');
    });
    try {
      await assert.rejects(detect({ url: server.url, apiKey: FAKE_KEY }), (e: unknown) => e instanceof ServerError && e.kind === 'auth' && !e.message.includes(FAKE_KEY));
      assert.ok(server.requests.every((r) => r.headers.authorization === `Bearer ${FAKE_KEY}` && !r.path.includes(FAKE_KEY)));
    } finally {
      forgetServer({ url: server.url, apiKey: FAKE_KEY });
      await server.close();
    }
  });
});
