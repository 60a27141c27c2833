// Ollama's native API through the `ollama` client (its NDJSON reader), with our HTTP
// layer underneath as its fetch: the same key handling, watchdog, retries and
// classified errors as every other transport. `/api/generate` with `raw: true` is
// the only Ollama path that bypasses its template (openai/gpt-oss uses it too);
// `/api/chat` is its chat path, the one that can carry `options.num_ctx`.
import { Ollama, type ChatRequest, type ChatResponse, type GenerateRequest, type GenerateResponse, type Options } from 'ollama';
import { ServerError, contentTypeError, cutError, frameTooLongError, protocolError, streamErrorFromPayload } from '../errors';
import { framed, ndjsonFraming } from '../http/framing';
import { openExchange, type Exchange, type HttpContext } from '../http/http';
import { samplingFields, type SamplingValues } from './sampling';
import { OLLAMA_MS_PER_UNIT, serverTimings } from './timings';
import type { FinishReason, ModelInfo, RawChunk, UsageChunk } from '../types';

/**
 * Ollama serves a request with its default context (2,048–8,192 tokens by version, or
 * OLLAMA_CONTEXT_LENGTH) unless the request sets `options.num_ctx`, and then silently keeps
 * only the prompt's last tokens: an agent prompt loses its system message and tools. So every
 * request says how much context it needs, rounded up to this step so that a growing
 * conversation does not make Ollama reload the model on every turn.
 */
export const NUM_CTX_STEP = 8192;
/** Output budget assumed when the request sets none (the CLI without --max-tokens). */
export const DEFAULT_OUTPUT_BUDGET = 8192;

const NO_DONE = 'Did not receive done or success response in stream.';
/** The endpoints whose answers stream as NDJSON lines. */
const STREAMED_PATHS: ReadonlySet<string> = new Set(['/api/generate', '/api/chat']);

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
    const exchange = await openExchange(http, {
      method: init?.method === 'POST' ? 'POST' : 'GET',
      path,
      body: typeof init?.body === 'string' ? init.body : undefined,
      signal,
      innerSignal: init?.signal,
      assumedKind: 'Ollama',
      ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs, maxRetries: 0 }),
    });
    exchanges.push(exchange);
    return STREAMED_PATHS.has(path) ? ndjsonLines(exchange) : exchange.response;
  };
  return {
    client: new Ollama({ host: http.root, fetch: fetchThroughUs }),
    last: () => exchanges[exchanges.length - 1],
    closeAll: () => exchanges.forEach((e) => e.close()),
  };
}

/**
 * A streamed answer as whole, checked NDJSON lines: a line that is not JSON (or one past the
 * size bound) fails here, classified and redacted by us; the client, which would print it with
 * console.warn and drop it, never meets one.
 */
function ndjsonLines(exchange: Exchange): Response {
  const { response, ctx, progress } = exchange;
  const contentType = response.headers.get('content-type') ?? '';
  if (/html|xml|event-stream/i.test(contentType)) throw contentTypeError(ctx, contentType, 'NDJSON (application/x-ndjson)');
  if (response.body === null) return response;
  const notJson = (line: string, index: number, error: unknown): Error =>
    protocolError(ctx, `line ${index + 1} is not JSON (${error instanceof Error ? error.message : String(error)}): ${line.slice(0, 200)}`, error);
  const tooLong = (maxBytes: number, frame: string): Error => frameTooLongError(ctx, progress, maxBytes, frame);
  return new Response(framed(response.body, ndjsonFraming(notJson), tooLong), { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** What the ollama client's stream reader throws, classified. */
function classify(exchange: Exchange | undefined, error: unknown, http: HttpContext, endpoint: string): ServerError {
  if (error instanceof ServerError) return error;
  const ctx = exchange?.ctx ?? { url: http.display, endpoint, secret: http.apiKey, secrets: http.secrets };
  const progress = exchange?.progress ?? { chunks: 0 };
  const aborted = exchange?.abortError();
  if (aborted) return aborted;
  if (error instanceof Error && error.message === NO_DONE) return cutError(ctx, progress);
  if (error instanceof TypeError || (error instanceof Error && error.name === 'AbortError')) return cutError(ctx, progress, error);
  // The client turns an NDJSON `{"error": "…"}` line into a plain Error with that text.
  if (error instanceof Error) return streamErrorFromPayload(ctx, progress, error.message);
  return protocolError(ctx, String(error));
}

/** Sampling as Ollama names it, shared by `/api/generate` and `/api/chat`. */
export interface OllamaSampling {
  readonly sampling?: SamplingValues | undefined;
  readonly extraBody: Readonly<Record<string, unknown>>;
  /** The context this request needs (`ollamaRequestContext`); sent as `options.num_ctx`. */
  readonly numCtx?: number | undefined;
}

export interface OllamaRawOptions extends OllamaSampling {
  readonly model: string;
  readonly prompt: string;
}

/** `options`: sampling, then the user's extraBody.options, then the num_ctx we sized (never below the user's: it was the floor). */
export function ollamaOptions(sampling: OllamaSampling): Partial<Options> {
  const extraOptions = sampling.extraBody.options;
  return {
    ...samplingFields(sampling.sampling ?? {}, 'ollama'),
    ...(extraOptions !== null && typeof extraOptions === 'object' ? extraOptions : {}),
    ...(sampling.numCtx === undefined ? {} : { num_ctx: sampling.numCtx }),
  };
}

export function ollamaGenerateBody(options: OllamaRawOptions): GenerateRequest & { stream: true } {
  return {
    ...(options.extraBody as Partial<GenerateRequest>),
    model: options.model,
    prompt: options.prompt,
    raw: true,
    stream: true,
    options: ollamaOptions(options),
  };
}

/** One `/api/generate` NDJSON object → what it carries. */
export function ollamaEvent(item: unknown): RawChunk[] {
  const part = item as Partial<GenerateResponse>;
  const out: RawChunk[] = [];
  if (typeof part.response === 'string' && part.response !== '') out.push({ type: 'text', text: part.response });
  if (part.done) out.push(...ollamaDoneChunks(part));
  return out;
}

/** The counts and the reason on the last NDJSON object of `/api/generate` and `/api/chat` alike. */
type OllamaDone = Partial<Pick<GenerateResponse, 'prompt_eval_count' | 'eval_count' | 'prompt_eval_duration' | 'load_duration' | 'done_reason'>>;

/** The `done` object → its usage (when it has counts) and the finish. */
export function ollamaDoneChunks(part: OllamaDone): (UsageChunk | FinishChunk)[] {
  const out: (UsageChunk | FinishChunk)[] = [];
  const prompt = typeof part.prompt_eval_count === 'number' ? part.prompt_eval_count : undefined;
  const completion = typeof part.eval_count === 'number' ? part.eval_count : undefined;
  if (prompt !== undefined || completion !== undefined) {
    out.push({ type: 'usage', promptTokens: prompt, completionTokens: completion, ...serverTimings(part.prompt_eval_duration, part.load_duration, OLLAMA_MS_PER_UNIT) });
  }
  const raw = typeof part.done_reason === 'string' ? part.done_reason : 'stop';
  out.push({ type: 'finish', reason: raw === 'stop' ? 'stop' : raw === 'length' ? 'length' : 'other', raw });
  return out;
}

interface FinishChunk {
  readonly type: 'finish';
  readonly reason: FinishReason;
  readonly raw: string;
}

/** The NDJSON objects of one streamed request, read by the ollama client; failures classified. */
async function* ollamaParts<T>(
  http: HttpContext,
  endpoint: string,
  open: (client: Ollama) => Promise<AsyncIterable<T>>,
  signal: AbortSignal | undefined,
  onAccepted: () => void,
): AsyncGenerator<T, void, undefined> {
  const { client, last, closeAll } = bridge(http, signal);
  try {
    let parts: AsyncIterable<T>;
    try {
      parts = await open(client);
    } catch (error) {
      throw classify(last(), error, http, endpoint);
    }
    onAccepted();
    try {
      for await (const part of parts) {
        const exchange = last();
        if (exchange) exchange.progress.chunks++;
        yield part;
      }
    } catch (error) {
      throw classify(last(), error, http, endpoint);
    }
  } finally {
    closeAll();
  }
}

/** A raw `/api/generate`, streamed. */
export function ollamaRawParts(http: HttpContext, options: OllamaRawOptions, signal: AbortSignal | undefined, onAccepted: () => void = () => {}): AsyncGenerator<GenerateResponse, void, undefined> {
  return ollamaParts(http, 'POST /api/generate', (client) => client.generate(ollamaGenerateBody(options)), signal, onAccepted);
}

/** A `/api/chat`, streamed. */
export function ollamaChatParts(http: HttpContext, body: ChatRequest & { stream: true }, signal: AbortSignal | undefined, onAccepted: () => void = () => {}): AsyncGenerator<ChatResponse, void, undefined> {
  return ollamaParts(http, 'POST /api/chat', (client) => client.chat(body), signal, onAccepted);
}

/** What `/api/show` says about a model's context. */
export interface OllamaModelContext {
  /** The model's own maximum (`model_info.<arch>.context_length`). */
  readonly maxContext?: number | undefined;
  readonly maxContextKey?: string | undefined;
  /** `num_ctx` set in the model's parameters (a Modelfile `PARAMETER num_ctx`). */
  readonly parameterNumCtx?: number | undefined;
}

export function ollamaModelContext(show: unknown): OllamaModelContext {
  if (show === null || typeof show !== 'object') return {};
  const record = show as Record<string, unknown>;
  const match = typeof record.parameters === 'string' ? /^\s*num_ctx\s+(\d+)/m.exec(record.parameters) : null;
  const parameterNumCtx = match ? Number(match[1]) : undefined;
  const info = record.model_info;
  if (info !== null && typeof info === 'object') {
    for (const [key, value] of Object.entries(info as Record<string, unknown>)) {
      if (key.endsWith('.context_length') && typeof value === 'number' && value > 0) return { maxContext: value, maxContextKey: key, parameterNumCtx };
    }
  }
  return { parameterNumCtx };
}

/** The most context a request will get from us: the model's maximum, or a larger num_ctx the user set. */
export function ollamaContextCeiling(context: OllamaModelContext, userNumCtx?: number): number | undefined {
  const floor = Math.max(userNumCtx ?? 0, context.parameterNumCtx ?? 0);
  if (context.maxContext === undefined) return floor > 0 ? floor : undefined;
  return Math.max(context.maxContext, floor);
}

/** `options.num_ctx` in the user's extraBody, if a positive number. */
export function userNumCtx(extraBody: Readonly<Record<string, unknown>>): number | undefined {
  const options = extraBody.options;
  if (options === null || typeof options !== 'object') return undefined;
  const value = (options as Record<string, unknown>).num_ctx;
  return typeof value === 'number' && value > 0 ? value : undefined;
}

export interface NumCtxInput {
  readonly promptTokens: number;
  /** The request's max_tokens; DEFAULT_OUTPUT_BUDGET (within the ceiling) when it has none. */
  readonly maxTokens?: number | undefined;
  readonly context: OllamaModelContext;
  /** `options.num_ctx` from extraBody. */
  readonly userNumCtx?: number | undefined;
}

export type NumCtxDecision =
  | { readonly fits: true; readonly numCtx: number }
  | { readonly fits: false; readonly promptTokens: number; readonly outputBudget: number; readonly ceiling: number };

/**
 * The context one request needs: prompt + output budget rounded up to NUM_CTX_STEP, never
 * above the ceiling (the model's maximum) and never below a num_ctx the user set.
 */
export function ollamaNumCtx(input: NumCtxInput): NumCtxDecision {
  const ceiling = ollamaContextCeiling(input.context, input.userNumCtx);
  const floor = Math.max(input.userNumCtx ?? 0, input.context.parameterNumCtx ?? 0);
  const outputBudget = input.maxTokens ?? (ceiling === undefined ? DEFAULT_OUTPUT_BUDGET : Math.min(DEFAULT_OUTPUT_BUDGET, Math.max(0, ceiling - input.promptTokens)));
  const needed = input.promptTokens + outputBudget;
  if (ceiling !== undefined && (needed > ceiling || input.promptTokens >= ceiling)) {
    return { fits: false, promptTokens: input.promptTokens, outputBudget, ceiling };
  }
  const stepped = Math.ceil(needed / NUM_CTX_STEP) * NUM_CTX_STEP;
  return { fits: true, numCtx: Math.max(floor, ceiling === undefined ? stepped : Math.min(stepped, ceiling)) };
}

/** The error for a prompt that cannot fit: said before anything is sent, with the numbers. */
export function promptTooLongError(http: HttpContext, model: string, decision: Extract<NumCtxDecision, { fits: false }>, endpoint: string): ServerError {
  const { promptTokens, outputBudget, ceiling } = decision;
  return new ServerError(
    { kind: 'badRequest', url: http.display, endpoint },
    `The prompt (${promptTokens} tokens) plus the output budget (${outputBudget} tokens) needs ${promptTokens + outputBudget} tokens of context; ${model} on Ollama at ${http.display} has at most ${ceiling}. Nothing was sent: start a new conversation, or lower gptOss.maxOutputTokens.`,
  );
}

// /api/show per model, asked once in a while (a request needs the maximum; the model rarely changes).
const SHOW_TTL_MS = 5 * 60_000;
const shown = new Map<string, { readonly context: OllamaModelContext; readonly at: number }>();

function remember(http: HttpContext, model: string, context: OllamaModelContext): OllamaModelContext {
  shown.set(`${http.root}\u0000${model}`, { context, at: Date.now() });
  return context;
}

/** The model's context facts (cached); empty when `/api/show` does not answer (then no ceiling applies). */
export async function ollamaContextOf(http: HttpContext, model: string, signal: AbortSignal | undefined): Promise<OllamaModelContext> {
  const cached = shown.get(`${http.root}\u0000${model}`);
  if (cached && Date.now() - cached.at < SHOW_TTL_MS) return cached.context;
  const { client, closeAll } = bridge(http, signal, Math.min(http.idleTimeoutMs, 10_000));
  try {
    return remember(http, model, ollamaModelContext(await client.show({ model })));
  } catch (error) {
    if (error instanceof ServerError && error.kind === 'cancelled') throw error;
    http.logger.debug(`[ollama] /api/show ${model}: ${error instanceof Error ? error.message : String(error)}`);
    return {};
  } finally {
    closeAll();
  }
}

/**
 * The `num_ctx` one request sends, on either route: sized to the prompt (as we render it) plus
 * the output budget. A prompt that cannot fit fails here, before anything is sent.
 */
export async function ollamaRequestContext(
  http: HttpContext,
  request: { readonly model: string; readonly endpoint: string; readonly promptTokens: number; readonly maxTokens?: number | undefined; readonly extraBody: Readonly<Record<string, unknown>> },
  signal: AbortSignal | undefined,
): Promise<number> {
  const context = await ollamaContextOf(http, request.model, signal);
  const decision = ollamaNumCtx({ promptTokens: request.promptTokens, maxTokens: request.maxTokens, context, userNumCtx: userNumCtx(request.extraBody) });
  if (!decision.fits) throw promptTooLongError(http, request.model, decision, request.endpoint);
  http.logger.info(`[client] Ollama ${request.endpoint} model ${request.model}: ${request.promptTokens} prompt tokens, num_ctx ${decision.numCtx}`);
  return decision.numCtx;
}

/** What the model list reports as a model's context: what we will give it (the ceiling), and from where. */
function contextFromShow(context: OllamaModelContext): { contextLength?: number; contextSource?: string } {
  const ceiling = ollamaContextCeiling(context);
  if (ceiling === undefined) return {};
  const source =
    context.maxContext === ceiling && context.maxContextKey !== undefined
      ? `Ollama /api/show model_info ${context.maxContextKey}, sent as num_ctx as a prompt needs it`
      : 'Ollama /api/show parameters num_ctx';
  return { contextLength: ceiling, contextSource: source };
}

/** One model Ollama has loaded, from `/api/ps`: the context it runs with now. */
export interface OllamaRunningModel {
  readonly model: string;
  readonly contextLength?: number | undefined;
}

/** `/api/ps`'s models (built from docs: https://docs.ollama.com/api/ps, `context_length` on newer servers). */
export function ollamaRunningModels(ps: unknown): OllamaRunningModel[] {
  const models = (ps as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) return [];
  return models.flatMap((m: unknown) => {
    const entry = m as Record<string, unknown> | null;
    const name = typeof entry?.model === 'string' ? entry.model : typeof entry?.name === 'string' ? entry.name : undefined;
    if (name === undefined) return [];
    const length = entry?.context_length;
    return [{ model: name, ...(typeof length === 'number' && length > 0 ? { contextLength: length } : {}) }];
  });
}

/** Models from `/api/tags`, each with its context length from `/api/show`. */
export async function ollamaModels(http: HttpContext, signal: AbortSignal | undefined): Promise<ModelInfo[]> {
  const { client, last, closeAll } = bridge(http, signal, Math.min(http.idleTimeoutMs, 10_000));
  try {
    let list;
    try {
      list = await client.list();
    } catch (error) {
      throw classify(last(), error, http, 'GET /api/tags');
    }
    const names = (Array.isArray(list.models) ? list.models : []).map((m) => m.model ?? m.name).filter((n): n is string => typeof n === 'string');
    return await Promise.all(
      names.map(async (id) => {
        try {
          return { id, ...contextFromShow(remember(http, id, ollamaModelContext(await client.show({ model: id })))) };
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
