// Which server is at a URL, from what it answers (each has an endpoint only it
// serves), and which models it offers with their context length where it says.
import { isObject } from '../harmony/index';
import { ServerError } from './errors';
import { getJson, probe, type HttpContext } from './http/http';
import { llamacppContextLength } from './routes/llamacpp';
import { ollamaModels } from './routes/ollama';
import { SGLANG_MODEL_INFO, sglangModelFromInfo } from './routes/sglang';
import type { ModelInfo, ServerKind } from './types';

export interface Detection {
  readonly kind: ServerKind;
  /** What gave it away, for the log and for `harmony chat`. */
  readonly evidence: string;
}

type Json = unknown;

function modelEntries(json: Json): Record<string, Json>[] {
  if (!isObject(json) || !Array.isArray(json.data)) return [];
  return json.data.filter(isObject);
}

interface Answer {
  readonly status?: number;
  readonly json?: Json;
  readonly error?: ServerError;
}

async function ask(http: HttpContext, path: string, signal: AbortSignal | undefined): Promise<Answer> {
  try {
    return await probe(http, path, signal);
  } catch (error) {
    if (error instanceof ServerError) return { error };
    throw error;
  }
}

/**
 * Asks the endpoints that tell the servers apart, all at once: llama.cpp `/props`,
 * vLLM `/version` and `owned_by: "vllm"`, SGLang `/get_model_info` (`/model_info` in newer
 * releases) and `owned_by: "sglang"`, Ollama `/api/version`, LM Studio `/api/v0/models`;
 * anything else that lists `/v1/models` is generic OpenAI-compatible.
 */
export async function detectServer(http: HttpContext, signal?: AbortSignal): Promise<Detection> {
  const paths = ['/props', '/v1/models', '/api/version', '/api/v0/models', '/version', SGLANG_MODEL_INFO[0], SGLANG_MODEL_INFO[1]] as const;
  const answers = (await Promise.all(paths.map((p) => ask(http, p, signal)))) as Answer[];
  const [props, models, ollamaVersion, lmstudioModels, version, sglangInfo, sglangInfoNew] = answers;
  const auth = answers.find((a) => a.error?.kind === 'auth');
  if (auth?.error) throw auth.error;
  const cancelled = answers.find((a) => a.error?.kind === 'cancelled');
  if (cancelled?.error) throw cancelled.error;

  const ok = (a: Answer | undefined): boolean => a?.status !== undefined && a.status >= 200 && a.status < 300;
  const entries = ok(models) ? modelEntries(models?.json) : [];
  const owners = new Set(entries.map((e) => e.owned_by));

  if (ok(props) && isObject(props?.json) && ('default_generation_settings' in props.json || 'build_info' in props.json || 'total_slots' in props.json)) {
    return { kind: 'llamacpp', evidence: 'GET /props answered with llama.cpp server properties' };
  }
  if (owners.has('llamacpp')) return { kind: 'llamacpp', evidence: 'GET /v1/models lists models owned by "llamacpp"' };
  // SGLang lists max_model_len too: it is told apart before vLLM's check.
  if (owners.has('sglang')) return { kind: 'sglang', evidence: 'GET /v1/models lists models owned by "sglang"' };
  const info = [sglangInfo, sglangInfoNew].findIndex((a) => ok(a) && isObject(a?.json) && typeof a.json.model_path === 'string' && 'is_generation' in a.json);
  if (info >= 0) return { kind: 'sglang', evidence: `GET ${SGLANG_MODEL_INFO[info]} answered with SGLang model info` };
  if (owners.has('vllm') || entries.some((e) => typeof e.max_model_len === 'number')) {
    return { kind: 'vllm', evidence: 'GET /v1/models lists models owned by "vllm" (with max_model_len)' };
  }
  if (ok(ollamaVersion) && isObject(ollamaVersion?.json) && typeof ollamaVersion.json.version === 'string') {
    return { kind: 'ollama', evidence: `GET /api/version answered Ollama ${ollamaVersion.json.version}` };
  }
  if (ok(lmstudioModels) && modelEntries(lmstudioModels?.json).some((e) => 'compatibility_type' in e || 'arch' in e || 'state' in e)) {
    return { kind: 'lmstudio', evidence: 'GET /api/v0/models answered with LM Studio model metadata' };
  }
  if (ok(version) && isObject(version?.json) && typeof version.json.version === 'string' && ok(models)) {
    return { kind: 'vllm', evidence: `GET /version answered ${version.json.version} and /v1/models lists models` };
  }
  if (ok(models)) return { kind: 'openai', evidence: 'GET /v1/models answered; no server-specific endpoint did' };

  const failure = answers.find((a) => a.error !== undefined)?.error;
  if (failure) throw failure;
  const statuses = paths.map((p, i) => `${p} ${answers[i]?.status ?? '?'}`).join(', ');
  throw new ServerError(
    { kind: 'notFound', url: http.display },
    `${http.display} answers HTTP, but none of the endpoints of vLLM, SGLang, llama.cpp, Ollama, LM Studio or an OpenAI-compatible server (${statuses}). Check the URL: it should be the server's base address (for example http://127.0.0.1:8080).`,
  );
}

function contextOf(entry: Record<string, Json>): { contextLength?: number; contextSource?: string } {
  const meta = isObject(entry.meta) ? entry.meta : {};
  const candidates: [Json, string][] = [
    [entry.max_model_len, 'max_model_len'],
    [entry.loaded_context_length, 'loaded_context_length'],
    [entry.max_context_length, 'max_context_length'],
    [entry.context_length, 'context_length'],
    [entry.context_window, 'context_window'],
    [meta.n_ctx, 'meta.n_ctx'],
    [meta.n_ctx_train, 'meta.n_ctx_train'],
  ];
  for (const [value, name] of candidates) if (typeof value === 'number' && value > 0) return { contextLength: value, contextSource: name };
  return {};
}

function fromEntries(json: Json, source: string, keep: (e: Record<string, Json>) => boolean = () => true): ModelInfo[] {
  return modelEntries(json)
    .filter((e) => typeof e.id === 'string' && keep(e))
    .map((e) => {
      const context = contextOf(e);
      return { id: e.id as string, ...(context.contextLength === undefined ? {} : { contextLength: context.contextLength, contextSource: `${source} ${context.contextSource}` }) };
    });
}

export async function listModels(http: HttpContext, kind: ServerKind, signal?: AbortSignal): Promise<ModelInfo[]> {
  switch (kind) {
    case 'ollama':
      return ollamaModels(http, signal);
    case 'llamacpp': {
      const [models, props] = await Promise.all([getJson(http, '/v1/models', signal), probe(http, '/props', signal)]);
      const nCtx = llamacppContextLength(props.json);
      return fromEntries(models, 'GET /v1/models').map((m) =>
        nCtx === undefined ? m : { ...m, contextLength: nCtx, contextSource: 'GET /props default_generation_settings.n_ctx' },
      );
    }
    case 'sglang': {
      const listed = await probe(http, '/v1/models', signal);
      const models = listed.status === 200 ? fromEntries(listed.json, 'GET /v1/models') : [];
      return models.length > 0 ? models : sglangModelFromInfo(http, signal);
    }
    case 'lmstudio': {
      const native = await probe(http, '/api/v0/models', signal);
      if (native.status === 200) {
        const llms = fromEntries(native.json, 'GET /api/v0/models', (e) => e.type === undefined || e.type === 'llm' || e.type === 'vlm');
        if (llms.length > 0) return llms;
      }
      return fromEntries(await getJson(http, '/v1/models', signal), 'GET /v1/models');
    }
    default:
      // vLLM, generic OpenAI-compatible servers and hosted providers (context_length, context_window where they say).
      return fromEntries(await getJson(http, '/v1/models', signal), 'GET /v1/models');
  }
}
