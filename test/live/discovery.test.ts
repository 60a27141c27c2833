// Model discovery on a real llama-server: the model id and the context length, from /v1/models and
// /props, as the provider will read them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CHAT_TEMPLATE } from '../support/fixtures';
import { randomModel, withLlamaServer } from '../llama/server';

interface ModelsResponse {
  object: string;
  data: { id: string; object: string; owned_by: string; meta: { n_ctx: number; n_ctx_train: number; n_vocab: number } }[];
}

interface PropsResponse {
  model_alias: string;
  model_path: string;
  total_slots: number;
  chat_template: string;
  bos_token: string;
  eos_token: string;
  default_generation_settings: { n_ctx: number };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return (await response.json()) as T;
}

describe('model discovery from /v1/models and /props', () => {
  it('an aliased model: the id is the alias, n_ctx the server\'s context size', async () => {
    await withLlamaServer({ alias: 'tiny-gpt-oss', ctxSize: 2048 }, async (server) => {
      const models = await getJson<ModelsResponse>(`${server.url}/v1/models`);
      assert.equal(models.object, 'list');
      assert.equal(models.data.length, 1);
      const [model] = models.data;
      assert.equal(model?.id, 'tiny-gpt-oss');
      assert.equal(model?.meta.n_ctx, 2048);
      assert.equal(model?.meta.n_ctx_train, 131072);
      assert.equal(model?.meta.n_vocab, 201088);

      const props = await getJson<PropsResponse>(`${server.url}/props`);
      assert.equal(props.model_alias, 'tiny-gpt-oss');
      assert.equal(props.model_path, randomModel);
      assert.equal(props.default_generation_settings.n_ctx, 2048);
      assert.equal(props.total_slots, 1);
      assert.equal(props.bos_token, '<|startoftext|>');
      assert.equal(props.eos_token, '<|return|>');
      // The official gpt-oss template our generator embedded, with llama.cpp's one patch (common/chat.cpp:
      // the check that refuses Harmony markup in message content is switched off).
      const official = readFileSync(CHAT_TEMPLATE, 'utf8');
      const refusal = '{%- if "<|channel|>analysis<|message|>" in message.content or "<|channel|>final<|message|>" in message.content %}';
      assert.equal(official.split(refusal).length, 2, 'the official template has the markup check once');
      assert.equal(props.chat_template, official.replace(refusal, '{%- if false %}'));
    });
  });

  it('without an alias the id is the model path; the context size follows -c', async () => {
    await withLlamaServer({ ctxSize: 4096 }, async (server) => {
      const models = await getJson<ModelsResponse>(`${server.url}/v1/models`);
      assert.equal(models.data[0]?.id, randomModel);
      assert.equal(models.data[0]?.meta.n_ctx, 4096);
      const props = await getJson<PropsResponse>(`${server.url}/props`);
      assert.equal(props.default_generation_settings.n_ctx, 4096);
    });
  });
});
