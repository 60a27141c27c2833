// Ollama's native API through the `ollama` client (its NDJSON reader), with our HTTP
// layer underneath as its fetch: the same key handling, watchdog, retries and
// classified errors as every other transport. `/api/generate` with `raw: true` is
// the only Ollama path that bypasses its template (openai/gpt-oss uses it too).
import { Ollama, type GenerateRequest, type GenerateResponse } from 'ollama';
import { ServerError, cutError, protocolError, streamErrorFromPayload } from './errors';
import { open, type Exchange, type HttpContext } from './http';
import type { ModelInfo, RawChunk } from './types';

const NO_DONE = 'Did not receive done or success response in stream.';

interface Bridge {
  readonly client: Ollama;
  /** The exchange of the last request the client made, for classifying what its reader throws. */
  last(): Exchange | undefined;
  closeAll(): void;
}

function bridge(http: HttpContext, signal: AbortSignal | undefined, idleTimeoutMs?: number): Bridge {
  const rootPath = new URL(http.root).pathname.replace(/\/+$/, '');
  const exchanges: Exchange[] = [];
  const fetchThroughUs = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const path = `${url.pathname.slice(rootPath.length)}${url.search}`;
    const exchange = await open(http, {
      method: init?.method === 'POST' ? 'POST' : 'GET',
      path,
      body: typeof init?.body === 'string' ? init.body : undefined,
      signal,
      innerSignal: init?.signal,
      assumedKind: 'Ollama',
      ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs, maxRetries: 0 }),
    });
    exchanges.push(exchange);
    return exchange.response;
  };
  return {
    client: new Ollama({ host: http.root, fetch: fetchThroughUs }),
    last: () => exchanges[exchanges.length - 1],
    closeAll: () => exchanges.forEach((e) => e.close()),
  };
}

/** What the ollama client's stream reader throws, classified. */
function classify(exchange: Exchange | undefined, error: unknown, http: HttpContext): ServerError {
  if (error instanceof ServerError) return error;
  const ctx = exchange?.ctx ?? { url: http.display, endpoint: 'POST /api/generate', secret: http.apiKey };
  const progress = exchange?.progress ?? { chunks: 0 };
  const aborted = exchange?.abortError();
  if (aborted) return aborted;
  if (error instanceof Error && error.message === NO_DONE) return cutError(ctx, progress);
  if (error instanceof TypeError || (error instanceof Error && error.name === 'AbortError')) return cutError(ctx, progress, error);
  // The client turns an NDJSON `{"error": "…"}` line into a plain Error with that text.
  if (error instanceof Error) return streamErrorFromPayload(ctx, progress, error.message);
  return protocolError(ctx, String(error));
}

export interface OllamaRawOptions {
  readonly model: string;
  readonly prompt: string;
  readonly maxTokens?: number | undefined;
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly extraBody: Readonly<Record<string, unknown>>;
}

export function ollamaGenerateBody(options: OllamaRawOptions): GenerateRequest & { stream: true } {
  const sampling = {
    ...(options.maxTokens === undefined ? {} : { num_predict: options.maxTokens }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.topP === undefined ? {} : { top_p: options.topP }),
  };
  const extraOptions = options.extraBody.options;
  return {
    ...(options.extraBody as Partial<GenerateRequest>),
    model: options.model,
    prompt: options.prompt,
    raw: true,
    stream: true,
    options: { ...sampling, ...(extraOptions !== null && typeof extraOptions === 'object' ? extraOptions : {}) },
  };
}

/** One `/api/generate` NDJSON object → what it carries. */
export function ollamaEvent(item: unknown): RawChunk[] {
  const part = item as Partial<GenerateResponse>;
  const out: RawChunk[] = [];
  if (typeof part.response === 'string' && part.response !== '') out.push({ type: 'text', text: part.response });
  if (part.done) {
    const prompt = typeof part.prompt_eval_count === 'number' ? part.prompt_eval_count : undefined;
    const completion = typeof part.eval_count === 'number' ? part.eval_count : undefined;
    if (prompt !== undefined || completion !== undefined) out.push({ type: 'usage', promptTokens: prompt, completionTokens: completion });
    const raw = typeof part.done_reason === 'string' ? part.done_reason : 'stop';
    out.push({ type: 'finish', reason: raw === 'stop' ? 'stop' : raw === 'length' ? 'length' : 'other', raw });
  }
  return out;
}

/** The NDJSON objects of a raw generate, read by the ollama client; failures classified. */
export async function* ollamaRawParts(http: HttpContext, options: OllamaRawOptions, signal: AbortSignal | undefined): AsyncGenerator<unknown, void, undefined> {
  const { client, last, closeAll } = bridge(http, signal);
  try {
    let parts: AsyncIterable<GenerateResponse>;
    try {
      parts = await client.generate(ollamaGenerateBody(options));
    } catch (error) {
      throw classify(last(), error, http);
    }
    try {
      for await (const part of parts) {
        const exchange = last();
        if (exchange) exchange.progress.chunks++;
        yield part;
      }
    } catch (error) {
      throw classify(last(), error, http);
    }
  } finally {
    closeAll();
  }
}

function contextFromShow(show: unknown): { contextLength?: number; contextSource?: string } {
  if (show === null || typeof show !== 'object') return {};
  const record = show as Record<string, unknown>;
  // num_ctx set on the model is what a request gets; the model's own maximum otherwise.
  if (typeof record.parameters === 'string') {
    const match = /^\s*num_ctx\s+(\d+)/m.exec(record.parameters);
    if (match) return { contextLength: Number(match[1]), contextSource: 'Ollama /api/show parameters num_ctx' };
  }
  const info = record.model_info;
  if (info !== null && typeof info === 'object') {
    for (const [key, value] of Object.entries(info as Record<string, unknown>)) {
      if (key.endsWith('.context_length') && typeof value === 'number') {
        return { contextLength: value, contextSource: `Ollama /api/show model_info ${key}` };
      }
    }
  }
  return {};
}

/** Models from `/api/tags`, each with its context length from `/api/show`. */
export async function ollamaModels(http: HttpContext, signal: AbortSignal | undefined): Promise<ModelInfo[]> {
  const { client, last, closeAll } = bridge(http, signal, Math.min(http.idleTimeoutMs, 10_000));
  try {
    let list;
    try {
      list = await client.list();
    } catch (error) {
      throw classify(last(), error, http);
    }
    const names = (Array.isArray(list.models) ? list.models : []).map((m) => m.model ?? m.name).filter((n): n is string => typeof n === 'string');
    return await Promise.all(
      names.map(async (id) => {
        try {
          return { id, ...contextFromShow(await client.show({ model: id })) };
        } catch (error) {
          http.logger.debug(`[ollama] /api/show ${id}: ${error instanceof Error ? error.message : String(error)}`);
          return { id };
        }
      }),
    );
  } finally {
    closeAll();
  }
}
