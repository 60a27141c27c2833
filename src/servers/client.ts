// `complete` and `listModels`: the whole transport behind two functions of a
// ServerConfig. Each server kind's route is a row of data (path, body, reader).
import { renderChatRequest } from '../harmony/chatRequest';
import { promptText } from '../harmony/promptText';
import { ASSISTANT_STOP_TOKENS, LITERAL, SPECIAL_LITERAL, isSpecialId } from '../harmony/tokens';
import { chatBody, chatEvent } from './routes/chat';
import { completionEvent } from './routes/completions';
import { detectServer, listModels as listServerModels, type Detection } from './detect';
import { ServerError, cutError, isEndpointMissing } from './errors';
import { feedRaw } from './stream/feed';
import { httpContext, openExchange, type Exchange, type HttpContext } from './http/http';
import { reasoningField } from './routes/history';
import { kindName } from './kinds';
import { HOSTED_PROVIDERS, hostedKindOfUrl, isHostedKind } from './routes/providers';
import { llamacppCompletionBody, llamacppEvents } from './routes/llamacpp';
import { ollamaChatParts, ollamaEvent, ollamaRawParts, ollamaRequestContext } from './routes/ollama';
import { ollamaChatBody, ollamaChatEvents } from './routes/ollamaChat';
import { sglangEvents, sglangGenerateBody } from './routes/sglang';
import { harmonyParser } from './stream/harmonyParser';
import type { ParserFactory } from './stream/parse';
import { repairChat } from './stream/repair';
import { samplingFields } from './routes/sampling';
import { RESPONSES_PATH, openResponses, responsesBody } from './routes/responses';
import { sseSource } from './http/sse';
import type { ChatChunk, ChatCompletionsRequest, ChunkSource, CompletionRequest, EndpointChoice, HarmonyPrompt, ServerLogger, ModelInfo, RawChunk, ServerConfig, ServerKind, StreamEvent } from './types';


// Detection costs five requests; a URL's server rarely changes kind, so it is asked once
// in a while, not per request. Keyed by URL and key (a different key may see different models).
const DETECTION_TTL_MS = 5 * 60_000;
const detections = new Map<string, { readonly detection: Detection; readonly at: number }>();
const defaultModels = new Map<string, { readonly id: string; readonly at: number }>();
// Endpoints a server answered 404 for under `auto`, so that later requests go straight to the next one.
const missingEndpoints = new Map<string, { readonly endpoints: Set<EndpointChoice>; readonly at: number }>();

function cacheKey(http: HttpContext): string {
  return `${http.root}\u0000${http.apiKey ?? ''}`;
}

/** Forgets what was detected about a URL (after a 404 the server may have changed). */
export function forgetServer(config: ServerConfig): void {
  const key = cacheKey(httpContext(config));
  detections.delete(key);
  defaultModels.delete(key);
  refusedReasoning.delete(key);
  missingEndpoints.delete(key);
  warnedOllamaResponses.delete(key);
}

/** The configured kind, or the detected one (cached for a few minutes). */
export async function detect(config: ServerConfig, signal?: AbortSignal): Promise<Detection> {
  return resolveKind(httpContext(config), config, signal);
}

async function resolveKind(http: HttpContext, config: ServerConfig, signal: AbortSignal | undefined): Promise<Detection> {
  if (config.kind !== undefined && config.kind !== 'auto') return { kind: config.kind, evidence: 'configured' };
  const key = cacheKey(http);
  const cached = detections.get(key);
  if (cached && Date.now() - cached.at < DETECTION_TTL_MS) return cached.detection;
  const hosted = hostedKindOfUrl(config.url);
  const detection = hosted !== undefined ? { kind: hosted, evidence: `the URL is ${HOSTED_PROVIDERS[hosted].name}'s (${new URL(http.root).hostname})` } : await detectServer(http, signal);
  http.logger.info(`[detect] ${http.display} is ${kindName(detection.kind)}: ${detection.evidence}`);
  detections.set(key, { detection, at: Date.now() });
  return detection;
}

export async function listModels(config: ServerConfig, signal?: AbortSignal): Promise<ModelInfo[]> {
  const http = httpContext(config);
  const { kind } = await resolveKind(http, config, signal);
  return listServerModels(http, kind, signal);
}

async function modelFor(http: HttpContext, config: ServerConfig, kind: ServerKind, signal: AbortSignal | undefined): Promise<string | undefined> {
  if (config.model) return config.model;
  // llama.cpp and SGLang serve the model they were started with whatever the request names.
  if (kind === 'llamacpp' || kind === 'sglang') return undefined;
  const key = cacheKey(http);
  const cached = defaultModels.get(key);
  if (cached && Date.now() - cached.at < DETECTION_TTL_MS) return cached.id;
  const models = await listServerModels(http, kind, signal);
  const first = models.find((m) => /gpt[-_.]?oss/i.test(m.id)) ?? models[0];
  if (first === undefined) {
    throw new ServerError({ kind: 'notFound', url: http.display }, `${http.display} lists no models. Load or pull a gpt-oss model on the server, or set the model explicitly.`);
  }
  http.logger.info(`[client] no model configured; using ${first.id}`);
  defaultModels.set(key, { id: first.id, at: Date.now() });
  return first.id;
}

/**
 * The endpoints to try, in order: the one asked for, or under `auto` raw (hosted endpoints rarely
 * offer /v1/completions for gpt-oss; every local server does), then responses, then chat, each
 * next one taken when the server has no such endpoint. Without a chat request only raw can serve.
 */
function endpointsFor(kind: ServerKind, config: ServerConfig, request: CompletionRequest, missing: ReadonlySet<EndpointChoice>): EndpointChoice[] {
  if (request.endpoint) return [request.endpoint];
  if (config.endpoint !== undefined && config.endpoint !== 'auto') return [config.endpoint];
  if (request.chat === undefined) return ['raw'];
  // Hosted providers with a row of their own stay on chat, where their documented reasoning fields keep
  // the chain of thought (providers.ts); `responses` may still be chosen for them.
  if (isHostedKind(kind)) return ['chat'];
  const order: EndpointChoice[] = kind === 'openai' ? ['responses', 'chat'] : ['raw', 'responses', 'chat'];
  const left = order.filter((e) => !missing.has(e));
  return left.length > 0 ? left : ['chat'];
}

function missingAt(key: string): Set<EndpointChoice> {
  const known = missingEndpoints.get(key);
  if (known && Date.now() - known.at < DETECTION_TTL_MS) return known.endpoints;
  const fresh = { endpoints: new Set<EndpointChoice>(), at: Date.now() };
  missingEndpoints.set(key, fresh);
  return fresh.endpoints;
}


function promptOf(request: CompletionRequest): { ids: readonly number[]; text: string } {
  let prompt: HarmonyPrompt | undefined = request.prompt;
  if (prompt === undefined) {
    if (request.chat === undefined) throw new TypeError('complete() needs request.prompt or request.chat');
    prompt = { ids: renderChatRequest(request.chat, request.reasoningEffort === undefined ? {} : { effort: request.reasoningEffort }).ids };
  }
  return { ids: prompt.ids, text: prompt.text ?? promptText(prompt.ids) };
}

function extraOf(config: ServerConfig, request: CompletionRequest): Record<string, unknown> {
  return { ...(config.extraBody ?? {}), ...(request.extraBody ?? {}) };
}

/** Our fields win over extraBody where the wire format depends on them. */
function withExtra(body: Record<string, unknown>, extra: Readonly<Record<string, unknown>>, keep: readonly string[]): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...body, ...extra };
  for (const field of keep) if (field in body) merged[field] = body[field];
  return merged;
}

/** A text prompt is read by the server with special-token parsing: literal markup in content would become control tokens. */
function warnIfTextPromptInexact(prompt: { ids: readonly number[]; text: string }, logger: ServerLogger): void {
  const specials = prompt.ids.reduce((n, id) => (isSpecialId(id) ? n + 1 : n), 0);
  const literals = prompt.text.match(SPECIAL_LITERAL)?.length ?? 0;
  if (literals > specials) {
    logger.warn(`[client] the prompt has ${literals - specials} special-token literal(s) inside message text; a server that only takes text will read them as Harmony markup`);
  }
}

interface RawRoute {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly map: (item: unknown) => RawChunk[];
}

/** `/v1/completions` with the prompt as token ids; vLLM and SGLang are told to stop, keep markup, and return ids. */
function v1CompletionsIds(kind: ServerKind, model: string | undefined, ids: readonly number[], request: CompletionRequest): RawRoute {
  const vllm =
    kind === 'vllm'
      ? { stop_token_ids: ASSISTANT_STOP_TOKENS, skip_special_tokens: false, spaces_between_special_tokens: false, return_token_ids: true }
      : kind === 'sglang'
        ? // protocol.py CompletionRequest: token-id prompts, stop_token_ids, return_token_ids (token_ids per chunk, matched_stop).
          { stop_token_ids: ASSISTANT_STOP_TOKENS, skip_special_tokens: false, no_stop_trim: true, return_token_ids: true }
        : { return_tokens: true };
  return {
    path: '/v1/completions',
    body: { ...(model === undefined ? {} : { model }), prompt: ids, stream: true, stream_options: { include_usage: true }, ...samplingFields(request, 'openai'), ...vllm },
    map: completionEvent,
  };
}

/** `/v1/completions` with a text prompt (LM Studio, generic): stop strings in case the stop tokens are not end-of-generation there. */
function v1CompletionsText(model: string | undefined, text: string, request: CompletionRequest): RawRoute {
  return {
    path: '/v1/completions',
    body: { ...(model === undefined ? {} : { model }), prompt: text, stream: true, stream_options: { include_usage: true }, stop: [LITERAL.call, LITERAL.return], ...samplingFields(request, 'openai') },
    map: completionEvent,
  };
}

/** Opens the raw route of `kind` (trying the next route on a 404 for the endpoint) and returns its stream. */
async function openRaw(
  http: HttpContext,
  kind: ServerKind,
  model: string | undefined,
  prompt: { ids: readonly number[]; text: string },
  request: CompletionRequest,
  extra: Readonly<Record<string, unknown>>,
  signal: AbortSignal | undefined,
  onAccepted: () => void = () => {},
): Promise<{ source: ChunkSource<RawChunk>; exchange?: Exchange }> {
  if (kind === 'ollama') {
    if (model === undefined) throw new TypeError('Ollama needs a model');
    warnIfTextPromptInexact(prompt, http.logger);
    const numCtx = await ollamaRequestContext(http, { model, endpoint: 'POST /api/generate', promptTokens: prompt.ids.length, maxTokens: request.maxTokens, extraBody: extra }, signal);
    const options = { model, prompt: prompt.text, sampling: request, extraBody: extra, numCtx };
    return { source: { items: ollamaRawParts(http, options, signal, onAccepted), map: ollamaEvent, failure: (error) => error, ended: () => {} } };
  }
  const routes: RawRoute[] =
    kind === 'llamacpp'
      ? [
          { path: '/completion', body: llamacppCompletionBody(prompt.ids, request), map: llamacppEvents() },
          // Proxies that pass only /v1 still reach a token-exact prompt.
          v1CompletionsIds(kind, model, prompt.ids, request),
        ]
      : kind === 'sglang'
        ? [
            { path: '/generate', body: sglangGenerateBody(prompt.ids, request, extra), map: sglangEvents() },
            // A router or proxy that passes only the OpenAI routes.
            v1CompletionsIds(kind, model, prompt.ids, request),
          ]
        : kind === 'vllm'
          ? [v1CompletionsIds(kind, model, prompt.ids, request)]
          : [v1CompletionsText(model, prompt.text, request)];
  if (kind === 'lmstudio' || kind === 'openai' || isHostedKind(kind)) warnIfTextPromptInexact(prompt, http.logger);
  for (const [i, route] of routes.entries()) {
    try {
      // /generate has merged the extra body already (its sampling_params nest).
      const body = route.path === '/generate' ? route.body : withExtra(route.body, extra, ['prompt', 'stream']);
      const exchange = await openExchange(http, { method: 'POST', path: route.path, body, signal, assumedKind: kindName(kind) });
      onAccepted();
      http.logger.info(`[client] ${kindName(kind)} ${route.path}${model ? ` model ${model}` : ''}: ${prompt.ids.length} prompt tokens`);
      return { source: sseSource(exchange, http.logger, route.map), exchange };
    } catch (error) {
      const next = routes[i + 1];
      if (next && isEndpointMissing(error)) {
        http.logger.info(`[client] ${route.path} not found at ${http.display}; trying ${next.path}`);
        continue;
      }
      throw error;
    }
  }
  throw new Error('unreachable: the last route rethrows');
}

/** The chat route of `kind`: Ollama's `/api/chat` (it takes num_ctx; its `/v1` cannot), else `/v1/chat/completions`. */
export function chatEndpoint(kind: ServerKind): string {
  return kind === 'ollama' ? 'POST /api/chat' : 'POST /v1/chat/completions';
}

/** The chat route of `kind`, opened. */
export async function openChat(
  http: HttpContext,
  kind: ServerKind,
  model: string | undefined,
  request: CompletionRequest & { readonly chat: ChatCompletionsRequest },
  extra: Readonly<Record<string, unknown>>,
  signal: AbortSignal | undefined,
  onAccepted: () => void = () => {},
): Promise<{ source: ChunkSource<ChatChunk>; endpoint: string; exchange?: Exchange }> {
  if (kind === 'ollama') {
    if (model === undefined) throw new TypeError('Ollama needs a model');
    const endpoint = chatEndpoint(kind);
    // Sized as on the raw route, from our rendering of the request: Ollama renders gpt-oss's
    // Harmony prompt from the same messages and tools, and the output budget is the margin.
    const numCtx = await ollamaRequestContext(http, { model, endpoint, promptTokens: promptOf(request).ids.length, maxTokens: request.maxTokens, extraBody: extra }, signal);
    const body = ollamaChatBody({ model, chat: request.chat, request, extraBody: extra, numCtx });
    return { source: { items: ollamaChatParts(http, body, signal, onAccepted), map: ollamaChatEvents(), failure: (error) => error, ended: () => {} }, endpoint };
  }
  const body = chatBody(kind, model, request.chat, request, extra);
  const field = reasoningField(kind);
  const key = cacheKey(http);
  const open = (sent: Record<string, unknown>): Promise<Exchange> => openExchange(http, { method: 'POST', path: '/v1/chat/completions', body: sent, signal, assumedKind: kindName(kind) });
  let exchange: Exchange;
  if (field !== undefined && refusedReasoning.has(key)) {
    exchange = await open(withoutReasoning(body, field));
  } else {
    try {
      exchange = await open(body);
    } catch (error) {
      // A server that refuses the field earlier reasoning goes back in still gets the conversation, without it.
      if (field === undefined || !refusesField(error, field) || !carriesField(body, field)) throw error;
      exchange = await open(withoutReasoning(body, field));
      // Remembered only once the request without the field was accepted: the 400 was about it.
      http.logger.warn(`[client] ${kindName(kind)} refused the earlier reasoning sent back in \`${field}\` (${(error as ServerError).serverMessage ?? 'HTTP 400'}); sending the history without it from now on: the model reasons afresh at each tool step`);
      refusedReasoning.add(key);
    }
  }
  onAccepted();
  http.logger.info(`[client] ${kindName(kind)} /v1/chat/completions${model ? ` model ${model}` : ''}`);
  return { source: sseSource(exchange, http.logger, chatEvent), endpoint: chatEndpoint(kind), exchange };
}

/** Servers (by URL and key) that answered 400 to the reasoning field sent back; cleared with forgetServer. */
const refusedReasoning = new Set<string>();
/** Ollama servers already warned that /v1/responses cannot carry num_ctx (once each, not every request). */
const warnedOllamaResponses = new Set<string>();

function messagesOfBody(body: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : [];
}

function carriesField(body: Record<string, unknown>, field: string): boolean {
  return messagesOfBody(body).some((m) => field in m);
}

/**
 * Gateways that route by path but not this one say so in other ways than 404: 405 or 501, or a
 * 400 saying the Responses API is not supported (for this model). The chat endpoint is then tried.
 */
function refusesResponses(error: unknown): boolean {
  if (!(error instanceof ServerError)) return false;
  if (error.status === 405 || error.status === 501) return true;
  return error.status === 400 && /responses?\b[^.]*\b(not|un)\s*supported|(not|un)\s*supported[^.]*\bresponses?\b/i.test(error.serverMessage ?? '');
}

/** A 400 naming `field` as a word: `reasoning` in "reasoning_effort" or "does not support reasoning models" is not the field. */
function refusesField(error: unknown, field: string): boolean {
  if (!(error instanceof ServerError) || error.kind !== 'badRequest') return false;
  const named = new RegExp(`(?<!\\w)${field}(?![\\w])(?!\\s+models?\\b)`);
  return named.test(error.serverMessage ?? error.message);
}

function withoutReasoning(body: Record<string, unknown>, field: string): Record<string, unknown> {
  return { ...body, messages: messagesOfBody(body).map((m) => (field in m ? Object.fromEntries(Object.entries(m).filter(([k]) => k !== field)) : m)) };
}

export interface CompleteOptions {
  /** The Harmony parser; tests and benchmarks may pass their own. */
  readonly parser?: ParserFactory | undefined;
  /**
   * Called once when the server answers the completion request 2xx (its response headers):
   * the request log's "accepted" time. llama.cpp answers only when a slot takes the request.
   */
  readonly onAccepted?: (() => void) | undefined;
}

/**
 * An iterable whose setup runs on the first `next()` and whose events then come straight
 * from the stream's own iterator: no generator layer between the parser and the caller.
 */
function deferred<T>(start: () => Promise<AsyncIterator<T, void>>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T, void> {
      let inner: AsyncIterator<T, void> | undefined;
      let starting: Promise<AsyncIterator<T, void>> | undefined;
      let stopped = false;
      return {
        next: () => {
          if (inner) return inner.next();
          if (stopped) return Promise.resolve({ done: true, value: undefined });
          starting ??= start();
          return starting.then((it) => {
            inner = it;
            return it.next();
          });
        },
        return: async () => {
          stopped = true;
          const it = inner ?? (starting ? await starting.catch(() => undefined) : undefined);
          await it?.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/**
 * One completion, streamed: parser events (reasoning, answer and tool calls as Harmony
 * messages, whichever endpoint served them), usage, then one `done`. Failures throw a
 * ServerError after everything that had streamed was yielded. Nothing is sent until the
 * first event is asked for.
 */
export function complete(config: ServerConfig, request: CompletionRequest, signal?: AbortSignal, options: CompleteOptions = {}): AsyncIterable<StreamEvent> {
  return deferred(async () => {
    const http = httpContext(config);
    try {
      return await start(http, config, request, signal, options.parser ?? harmonyParser, options.onAccepted);
    } catch (error) {
      if (error instanceof ServerError) {
        if (error.kind === 'notFound') forgetServer(config);
        // The caller reports it (once); the log keeps the classification.
        http.logger.debug(`[client] ${error.kind}${error.status === undefined ? '' : ` ${error.status}`} from ${error.endpoint ?? http.display}`);
      }
      throw error;
    }
  });
}

/** Detection, model, the request itself; returns the stream of events once the server has answered 2xx. */
async function start(
  http: HttpContext,
  config: ServerConfig,
  request: CompletionRequest,
  signal: AbortSignal | undefined,
  parser: ParserFactory,
  onAccepted?: () => void,
): Promise<AsyncIterator<StreamEvent, void>> {
  const { kind } = await resolveKind(http, config, signal);
  const missing = missingAt(cacheKey(http));
  const endpoints = endpointsFor(kind, config, request, missing);
  const model = await modelFor(http, config, kind, signal);
  const extra = extraOf(config, request);
  const label = (endpoint: EndpointChoice): string => (endpoint === 'raw' ? 'POST (completion)' : endpoint === 'responses' ? `POST ${RESPONSES_PATH}` : chatEndpoint(kind));
  const endpointName = (endpoint: EndpointChoice): string => (endpoint === 'raw' ? 'raw completion' : label(endpoint).replace(/^POST /, ''));
  for (const [i, endpoint] of endpoints.entries()) {
    let exchange: Exchange | undefined;
    const missingFinish = (): ServerError => cutError(exchange?.ctx ?? { url: http.display, endpoint: label(endpoint), secret: http.apiKey, secrets: http.secrets }, exchange?.progress ?? { chunks: 0 });
    try {
      if (endpoint === 'raw') {
        const opened = await openRaw(http, kind, model, promptOf(request), request, extra, signal, onAccepted);
        exchange = opened.exchange;
        return feedRaw(opened.source, parser(), { logger: http.logger, missingFinish });
      }
      const chat: ChatCompletionsRequest | undefined = request.chat;
      if (chat === undefined) throw new TypeError(`the ${endpoint} endpoint needs request.chat (the chat-completions request)`);
      const tools = (Array.isArray(chat.tools) ? chat.tools : []).flatMap((t: unknown) => {
        const name = (t as { function?: { name?: unknown } } | null)?.function?.name;
        return typeof name === 'string' ? [name] : [];
      });
      const opened =
        endpoint === 'responses'
          ? await openResponses(http, responsesBody(kind, model, chat, request, extra), signal, kindName(kind))
          : await openChat(http, kind, model, { ...request, chat }, extra, signal, onAccepted);
      if (endpoint === 'responses') {
        onAccepted?.();
        http.logger.info(`[client] ${kindName(kind)} ${RESPONSES_PATH}${model ? ` model ${model}` : ''}`);
        if (kind === 'ollama' && !warnedOllamaResponses.has(cacheKey(http))) {
          warnedOllamaResponses.add(cacheKey(http));
          http.logger.warn(`[client] Ollama's ${RESPONSES_PATH} cannot carry num_ctx: it serves its default context and drops the start of a longer prompt; gptOss.endpoint "auto" takes the raw path, which sends it`);
        }
      }
      exchange = opened.exchange;
      return repairChat(opened.source, { logger: http.logger, parser, tools, missingFinish, endpoint });
    } catch (error) {
      const next = endpoints[i + 1];
      if (next === undefined || !(isEndpointMissing(error) || (endpoint === 'responses' && refusesResponses(error)))) throw error;
      // `auto`: a server without this endpoint gets the request on the next one.
      missing.add(endpoint);
      http.logger.info(`[client] ${http.display} has no ${endpointName(endpoint)} endpoint; using ${endpointName(next)}`);
    }
  }
  throw new Error('unreachable: the last endpoint rethrows');
}
