// `harmony doctor` / "Harmony: Check Server": one server checked the way agent mode will use
// it, each finding a plain-data check (✓/⚠/✗) with the fix in one line. Most agent-mode
// failures are a server set up wrong (too little context, stop tokens not honoured, a chat
// template that leaks markup), and the user otherwise only sees a model that "forgets".
import { renderChatRequest } from '../harmony/chatRequest';
import type { ParsedMessage } from '../harmony/parserTypes';
import { encodeWithMarkup } from '../harmony/tokenizer';
import { chatEndpoint, complete, detect, forgetServer, listModels, openChat } from './client';
import type { Detection } from './detect';
import { ServerError, isEndpointMissing } from './errors';
import { httpContext, openExchange, probe, type HttpContext } from './http/http';
import { kindName } from './kinds';
import { HOSTED_PROVIDERS, isHostedKind, type HostedKind } from './routes/providers';
import { llamacppContextLength } from './routes/llamacpp';
import { SGLANG_SERVER_INFO, sglangInfo } from './routes/sglang';
import { ollamaContextOf, ollamaNumCtx, ollamaRunningModels, userNumCtx } from './routes/ollama';
import type { ModelInfo, ServerConfig, ServerKind, StreamEvent } from './types';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface DoctorCheck {
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found, with the figures. */
  readonly summary: string;
  /** What to do about it, in one line (a command where there is one). */
  readonly fix?: string | undefined;
}

export interface DoctorReport {
  readonly url: string;
  readonly checks: readonly DoctorCheck[];
  /** No check failed (warnings allowed). */
  readonly passed: boolean;
}

/**
 * Prompt tokens of VS Code agent mode's request with its 36 built-in tools (bench/agentRequest.ts,
 * rendered; a unit test keeps this figure equal to the renderer's count).
 */
export const AGENT_PROMPT_TOKENS = 8360;
/** The extension's default output budget (gptOss.maxOutputTokens). */
export const DEFAULT_DOCTOR_OUTPUT_BUDGET = 8192;
/** Tokens the round trip may generate before it counts as "did not stop". */
export const ROUND_TRIP_MAX_TOKENS = 256;
/** Special-token literals and multi-byte text: where tokenizers that are not o200k_harmony differ. */
export const TOKENIZER_PROBE = '<|start|>user<|message|>Grüße, 日本語 and 🙂 — naïve café<|end|><|start|>assistant';

export interface DoctorOptions {
  /** The agent prompt to size the context for. Default AGENT_PROMPT_TOKENS. */
  readonly agentPromptTokens?: number | undefined;
  /** Default DEFAULT_DOCTOR_OUTPUT_BUDGET. */
  readonly outputBudget?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds clock; injected by tests. Default performance.now. */
  readonly now?: (() => number) | undefined;
}

const PROBE_REQUEST = {
  messages: [{ role: 'user', content: 'Reply with one word: ready.' }],
  reasoning_effort: 'low',
};

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

function isGptOss(id: string): boolean {
  return /gpt[-_.]?oss/i.test(id);
}

function check(name: string, status: CheckStatus, summary: string, fix?: string): DoctorCheck {
  return { name, status, summary, ...(fix === undefined ? {} : { fix }) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A context size a person would type: the next power of two at or above `tokens` (at least 8,192). */
export function suggestedContext(tokens: number): number {
  let size = 8192;
  while (size < tokens) size *= 2;
  return size;
}

async function versionOf(http: HttpContext, kind: ServerKind, signal: AbortSignal | undefined): Promise<string | undefined> {
  if (kind === 'sglang') {
    const info = await sglangInfo(http, SGLANG_SERVER_INFO, signal).catch(() => undefined);
    return typeof info?.version === 'string' ? info.version : undefined;
  }
  const path = kind === 'llamacpp' ? '/props' : kind === 'ollama' ? '/api/version' : kind === 'vllm' ? '/version' : undefined;
  if (path === undefined) return undefined;
  const answer = await probe(http, path, signal).catch(() => undefined);
  const json = answer?.json as Record<string, unknown> | undefined;
  const value = kind === 'llamacpp' ? json?.build_info : json?.version;
  return typeof value === 'string' ? value : undefined;
}

// ── context ────────────────────────────────────────────────────────────────────────────

export interface ContextFacts {
  readonly kind: ServerKind;
  readonly model: string;
  /** The context a request gets now, and where that figure comes from. */
  readonly inForce?: number | undefined;
  readonly source?: string | undefined;
  /** llama.cpp: slots share -c. */
  readonly slots?: number | undefined;
  /** Ollama: what we will send for the agent prompt, on /api/generate and /api/chat alike (undefined when it cannot fit). */
  readonly ollamaNumCtx?: number | undefined;
  readonly ollamaCeiling?: number | undefined;
  /** Ollama set to /v1/responses, which has no field for num_ctx. */
  readonly ollamaResponses?: boolean | undefined;
}

/** Context in force against what agent mode needs, with the fix for each server kind. */
export function contextCheck(facts: ContextFacts, needed: number, agentPrompt: number, outputBudget: number): DoctorCheck {
  const need = `agent mode needs ${needed} (a ${agentPrompt}-token agent prompt + ${outputBudget} output)`;
  const size = suggestedContext(needed);
  if (facts.kind === 'ollama') {
    if (facts.ollamaResponses) {
      const loaded = facts.inForce === undefined ? 'its default context' : `${facts.inForce} tokens (/api/ps)`;
      return check('Context', 'fail', `/v1/responses cannot send num_ctx, so Ollama serves ${loaded} and silently drops the start of longer prompts; ${need}`, `gptOss.endpoint "auto" (the raw path sends num_ctx), or OLLAMA_CONTEXT_LENGTH=${size} ollama serve`);
    }
    if (facts.ollamaNumCtx !== undefined) {
      const loaded = facts.inForce === undefined ? '' : `; loaded now with ${facts.inForce} (/api/ps)`;
      return check('Context', 'pass', `we send num_ctx ${facts.ollamaNumCtx} for the agent prompt, up to ${facts.ollamaCeiling ?? '?'} (the model's maximum)${loaded}; ${need}`);
    }
    return check('Context', 'fail', `${facts.model} allows at most ${facts.ollamaCeiling ?? '?'} tokens; ${need}`, `use a model with a larger context, or lower gptOss.maxOutputTokens`);
  }
  if (facts.inForce === undefined) {
    return check('Context', 'warn', `the server does not say its context size; ${need}`, 'make sure the server was started with a context of at least ' + size + ' tokens');
  }
  const inForce = `${facts.inForce} tokens${facts.slots !== undefined && facts.slots > 1 ? ' per slot' : ''} (${facts.source ?? 'reported'})`;
  if (facts.inForce >= needed) return check('Context', 'pass', `${inForce}; ${need}`);
  const slots = facts.slots ?? 1;
  const fixes: Partial<Record<ServerKind, string>> = {
    llamacpp: `llama-server -c ${size * slots}${slots > 1 ? ` --parallel ${slots} (the context is shared by the slots)` : ''}`,
    vllm: `vllm serve ${facts.model} --max-model-len ${size}`,
    sglang: `python -m sglang.launch_server --model-path ${facts.model} --context-length ${size}`,
    lmstudio: `lms load ${facts.model} --context-length ${size} (or set Context Length when loading the model)`,
    openai: `raise the server's context to ${size} tokens`,
  };
  return check('Context', 'fail', `${inForce}; ${need}`, fixes[facts.kind] ?? `choose a model (or provider) that serves at least ${size} tokens of context`);
}

async function contextFacts(
  http: HttpContext,
  config: ServerConfig,
  kind: ServerKind,
  model: ModelInfo,
  agentPrompt: number,
  outputBudget: number,
  signal: AbortSignal | undefined,
): Promise<ContextFacts> {
  switch (kind) {
    case 'llamacpp': {
      const props = (await probe(http, '/props', signal)).json as Record<string, unknown> | undefined;
      const slots = typeof props?.total_slots === 'number' ? props.total_slots : undefined;
      return { kind, model: model.id, inForce: llamacppContextLength(props), source: '/props n_ctx', slots };
    }
    case 'ollama': {
      const [context, ps] = await Promise.all([ollamaContextOf(http, model.id, signal), probe(http, '/api/ps', signal).catch(() => undefined)]);
      const running = ollamaRunningModels(ps?.json).find((m) => m.model === model.id);
      const decision = ollamaNumCtx({ promptTokens: agentPrompt, maxTokens: outputBudget, context, userNumCtx: userNumCtx(config.extraBody ?? {}) });
      const ceiling = decision.fits ? Math.max(decision.numCtx, context.maxContext ?? 0) : decision.ceiling;
      return {
        kind,
        model: model.id,
        inForce: running?.contextLength,
        source: '/api/ps',
        ollamaNumCtx: decision.fits ? decision.numCtx : undefined,
        ollamaCeiling: ceiling,
        ollamaResponses: config.endpoint === 'responses',
      };
    }
    default:
      return { kind, model: model.id, inForce: model.contextLength, source: model.contextSource };
  }
}

// ── raw round trip, speed and cache ───────────────────────────────────────────────────

interface RoundTrip {
  readonly events: StreamEvent[];
  readonly messages: ParsedMessage[];
  readonly unparsed: number;
  readonly done?: Extract<StreamEvent, { type: 'done' }> | undefined;
  readonly usage?: Extract<StreamEvent, { type: 'usage' }> | undefined;
  readonly firstTokenMs?: number | undefined;
  readonly totalMs: number;
  readonly error?: unknown;
}

async function roundTrip(config: ServerConfig, ids: readonly number[], signal: AbortSignal | undefined, now: () => number): Promise<RoundTrip> {
  const started = now();
  const events: StreamEvent[] = [];
  let firstTokenMs: number | undefined;
  try {
    for await (const event of complete(config, { prompt: { ids }, maxTokens: ROUND_TRIP_MAX_TOKENS, temperature: 0, endpoint: 'raw' }, signal)) {
      if (firstTokenMs === undefined && (event.type === 'contentDelta' || event.type === 'messageStart' || event.type === 'unparsed')) firstTokenMs = now() - started;
      events.push(event);
    }
  } catch (error) {
    return { events, messages: [], unparsed: 0, firstTokenMs, totalMs: now() - started, error };
  }
  const messages = events.flatMap((e) => (e.type === 'messageEnd' ? [e.message] : []));
  return {
    events,
    messages,
    unparsed: events.filter((e) => e.type === 'unparsed').length,
    done: events.find((e): e is Extract<StreamEvent, { type: 'done' }> => e.type === 'done'),
    usage: events.find((e): e is Extract<StreamEvent, { type: 'usage' }> => e.type === 'usage'),
    firstTokenMs,
    totalMs: now() - started,
  };
}

export function roundTripCheck(kind: ServerKind, trip: RoundTrip): DoctorCheck {
  if (trip.error !== undefined) return check('Raw endpoint', 'fail', messageOf(trip.error), 'check the server kind (--kind) and that the model is a gpt-oss one');
  const last = trip.messages.at(-1);
  const stop = last?.stop;
  const count = trip.done?.completion?.ids?.length ?? trip.usage?.completionTokens;
  const asIds = trip.done?.completion?.ids !== undefined;
  const channels = trip.messages.map((m) => m.channel ?? m.role).join(', ');
  if (stop !== 'return' && stop !== 'call') {
    return check(
      'Raw endpoint',
      'fail',
      `generation did not stop at <|return|> or <|call|> within ${ROUND_TRIP_MAX_TOKENS} tokens (finish: ${trip.done?.finishReason ?? '?'}, last message ${stop ?? 'none'})`,
      kind === 'llamacpp'
        ? 'use a gpt-oss GGUF whose vocabulary marks <|return|> and <|call|> as end of generation (a current convert_hf_to_gguf.py)'
        : 'the server must stop at <|return|> (200002) and <|call|> (200012): update it, or use a gpt-oss model with the official generation config',
    );
  }
  if (trip.unparsed > 0) return check('Raw endpoint', 'warn', `stopped at <|${stop}|>, but ${trip.unparsed} piece(s) of the output were not Harmony`, 'check that the model is gpt-oss and the server passes its output through unchanged');
  const how = asIds ? `${count ?? '?'} tokens back as ids` : `${count ?? '?'} tokens back as text (this server returns no ids; we re-tokenise the text)`;
  return check('Raw endpoint', 'pass', `${how}, stopped at <|${stop}|>, parsed: ${channels}`);
}

export function speedCheck(first: RoundTrip, second: RoundTrip | undefined, secondPromptTokens: number, kind: ServerKind): DoctorCheck {
  const ttft = first.firstTokenMs === undefined ? '?' : `${Math.round(first.firstTokenMs)} ms`;
  const generated = first.usage?.completionTokens ?? first.done?.completion?.ids?.length;
  const genMs = first.firstTokenMs === undefined ? undefined : first.totalMs - first.firstTokenMs;
  const rate = generated !== undefined && genMs !== undefined && genMs > 0 ? `${(generated / (genMs / 1000)).toFixed(1)} tokens/s` : '? tokens/s';
  const speed = `first token ${ttft}, ${rate}`;
  if (second === undefined || second.error !== undefined) {
    return check('Speed and cache', 'warn', `${speed}; the second request failed: ${second ? messageOf(second.error) : 'not sent'}`);
  }
  // Ollama reports only the tokens it evaluated: the rest came from its cache.
  const cached =
    second.usage?.cachedPromptTokens ??
    (kind === 'ollama' && second.usage?.promptTokens !== undefined ? Math.max(0, secondPromptTokens - second.usage.promptTokens) : undefined);
  if (cached === undefined) return check('Speed and cache', 'warn', `${speed}; the server does not report prefix-cache reuse`);
  const reuse = `${cached} of ${secondPromptTokens} prompt tokens of a request extending the first came from the prefix cache`;
  if (cached > 0) return check('Speed and cache', 'pass', `${speed}; ${reuse}`);
  const fixes: Partial<Record<ServerKind, string>> = {
    llamacpp: 'start llama-server with one slot per conversation (--parallel 1) and keep cache_prompt on',
    vllm: 'vllm serve … --enable-prefix-caching',
    sglang: 'keep the radix cache on (do not start SGLang with --disable-radix-cache)',
    ollama: 'keep the model loaded between requests (OLLAMA_KEEP_ALIVE) and send one conversation at a time',
    lmstudio: 'keep the model loaded; LM Studio reuses the prompt cache of the last request',
    openai: 'enable prefix caching on the server',
  };
  return check('Speed and cache', 'warn', `${speed}; ${reuse}`, fixes[kind] ?? 'enable prefix caching on the server');
}

// ── tokenizer ──────────────────────────────────────────────────────────────────────────

async function serverTokens(http: HttpContext, kind: ServerKind, model: string | undefined, signal: AbortSignal | undefined): Promise<number[]> {
  const body = kind === 'llamacpp' ? { content: TOKENIZER_PROBE, add_special: false, parse_special: true } : { model, prompt: TOKENIZER_PROBE, add_special_tokens: false };
  const exchange = await openExchange(http, { method: 'POST', path: '/tokenize', body, signal, maxRetries: 0 });
  try {
    const json = JSON.parse(await exchange.response.text()) as { tokens?: unknown };
    const tokens = Array.isArray(json.tokens) ? json.tokens : [];
    // llama.cpp answers `{id, piece}` objects when asked for pieces, plain ids otherwise.
    return tokens.map((t: unknown) => (typeof t === 'number' ? t : Number((t as { id?: unknown }).id)));
  } finally {
    exchange.close();
  }
}

export function tokenizerCheck(ours: readonly number[], theirs: readonly number[]): DoctorCheck {
  const same = ours.length === theirs.length && ours.every((id, i) => id === theirs[i]);
  if (same) return check('Tokenizer', 'pass', `the server's /tokenize gives our ${ours.length} ids for a probe with special tokens and multi-byte text`);
  const at = ours.findIndex((id, i) => id !== theirs[i]);
  return check(
    'Tokenizer',
    'fail',
    `the server's ids differ from o200k_harmony at token ${at === -1 ? ours.length : at} (ours ${ours.length} tokens, the server's ${theirs.length})`,
    'serve the gpt-oss model with its own tokenizer (o200k_harmony); a converted or quantised copy may have lost the special tokens',
  );
}

// ── chat path ──────────────────────────────────────────────────────────────────────────

interface ChatFindings {
  readonly reasoningFields: Set<string>;
  content: string;
  reasoning: string;
  toolCalls: number;
}

const MARKUP = /<\|(start|end|message|channel|constrain|call|return)\|>/;

/** Where the server put reasoning in one streamed item, by its wire name. */
function reasoningFieldsOf(item: unknown): string[] {
  const wire = item as { choices?: { delta?: Record<string, unknown> }[]; message?: Record<string, unknown> } | null;
  const delta = wire?.choices?.[0]?.delta ?? {};
  const fields = ['reasoning', 'reasoning_content', 'thinking'].filter((f) => typeof delta[f] === 'string' && delta[f] !== '').map((f) => `delta.${f}`);
  if (Array.isArray(delta.reasoning_details) && delta.reasoning_details.length > 0) fields.push('delta.reasoning_details');
  const thinking = wire?.message?.thinking;
  return typeof thinking === 'string' && thinking !== '' ? [...fields, 'message.thinking'] : fields;
}

/** The chat request through the route chat uses (Ollama's /api/chat, else /v1/chat/completions), read field by field. */
async function chatProbe(http: HttpContext, kind: ServerKind, model: string | undefined, extraBody: Readonly<Record<string, unknown>>, signal: AbortSignal | undefined): Promise<ChatFindings> {
  const findings: ChatFindings = { reasoningFields: new Set(), content: '', reasoning: '', toolCalls: 0 };
  const chat = { messages: [{ role: 'user', content: 'What is the weather in Paris? Use the tool.' }], tools: [WEATHER_TOOL] };
  const { source } = await openChat(http, kind, model, { chat, maxTokens: ROUND_TRIP_MAX_TOKENS, temperature: 0, reasoningEffort: 'low' }, extraBody, signal);
  try {
    for await (const item of source.items) {
      for (const field of reasoningFieldsOf(item)) findings.reasoningFields.add(field);
      for (const chunk of source.map(item)) {
        if (chunk.type === 'content') findings.content += chunk.text;
        else if (chunk.type === 'reasoning') findings.reasoning += chunk.text;
        else if (chunk.type === 'toolCall' && chunk.name !== undefined) findings.toolCalls++;
      }
    }
    source.ended();
  } catch (error) {
    throw source.failure(error);
  } finally {
    source.close?.();
  }
  return findings;
}

export function chatCheck(findings: ChatFindings | { error: unknown }, kind: ServerKind): DoctorCheck {
  if ('error' in findings) {
    if (isHostedKind(kind)) return check('Chat path', 'fail', `/v1/chat/completions failed: ${messageOf(findings.error)}`, `check the model id (${HOSTED_PROVIDERS[kind].name} names it as its /v1/models lists it) and the API key`);
    const fix = kind === 'llamacpp' ? 'llama-server --jinja (the raw path, our default, does not need the chat path)' : 'nothing, if you use the raw path (gptOss.endpoint "auto" or "raw"): it does not need the chat path';
    return check('Chat path', 'warn', `${chatEndpoint(kind).replace(/^POST /, '')} failed: ${messageOf(findings.error)}`, fix);
  }
  const fields = [...findings.reasoningFields];
  const reasoning = fields.length === 0 ? 'no reasoning field' : `reasoning in ${fields.join(' and ')}`;
  const call = findings.toolCalls > 0 ? 'the tool call came back as tool_calls' : /to=functions\./.test(findings.content) ? 'the tool call came back as text in content' : 'no tool call was made';
  const leaks = [MARKUP.test(findings.content) ? 'content' : undefined, MARKUP.test(findings.reasoning) ? 'reasoning' : undefined].filter((x) => x !== undefined);
  if (leaks.length > 0 || call.includes('as text')) {
    return check('Chat path', 'warn', `${reasoning}; Harmony markup leaks into ${leaks.join(' and ') || 'content'}; ${call}`, 'use the raw endpoint (gptOss.endpoint "auto" or "raw"): our parser reads the markup; the chat path repairs what it can');
  }
  return check('Chat path', 'pass', `${reasoning}; no Harmony markup in content; ${call}`);
}

// ── responses path ─────────────────────────────────────────────────────────────────────

export interface ResponsesFindings {
  readonly reasoning: string;
  readonly calls: readonly string[];
  readonly answer: string;
}

/** The tool request through /v1/responses, as `gptOss.endpoint: "responses"` sends it. */
async function responsesProbe(config: ServerConfig, signal: AbortSignal | undefined): Promise<ResponsesFindings> {
  const chat = { messages: [{ role: 'user', content: 'What is the weather in Paris? Use the tool.' }], tools: [WEATHER_TOOL] };
  let reasoning = '';
  let answer = '';
  const calls: string[] = [];
  for await (const event of complete(config, { chat, maxTokens: ROUND_TRIP_MAX_TOKENS, temperature: 0, reasoningEffort: 'low', endpoint: 'responses' }, signal)) {
    if (event.type !== 'messageEnd') continue;
    if (event.message.channel === 'analysis') reasoning += event.message.content;
    else if (event.message.recipient?.startsWith('functions.')) calls.push(event.message.recipient.slice('functions.'.length));
    else if (event.message.channel === 'final') answer += event.message.content;
  }
  return { reasoning, calls, answer };
}

/** Whether /v1/responses serves the model with reasoning items and function calls; only a failure when it is the configured endpoint. */
export function responsesCheck(findings: ResponsesFindings | { error: unknown }, configured: boolean): DoctorCheck {
  const name = 'Responses path';
  if ('error' in findings) {
    const missing = isEndpointMissing(findings.error);
    const summary = missing ? 'the server has no /v1/responses' : `/v1/responses failed: ${messageOf(findings.error)}`;
    return configured
      ? check(name, 'fail', summary, 'gptOss.endpoint "auto" (raw where the server has it), or a server that serves /v1/responses (vLLM, Ollama, LM Studio 0.3.29+)')
      : check(name, 'warn', summary, 'nothing, unless you set gptOss.endpoint to "responses": "auto" moves on to the next endpoint');
  }
  const reasoning = findings.reasoning === '' ? 'no reasoning items (the chain of thought cannot go back through a tool loop)' : `reasoning items streamed (${findings.reasoning.length} characters of thinking)`;
  const call = findings.calls.length > 0 ? `the tool call came back as a function_call item (${findings.calls.join(', ')})` : 'no tool call was made';
  const ok = findings.reasoning !== '' && findings.calls.length > 0;
  return check(name, ok ? 'pass' : 'warn', `${reasoning}; ${call}`, ok ? undefined : 'check that the model is gpt-oss and the server parses its Harmony output (vLLM, Ollama, LM Studio do)');
}

/**
 * SGLang streams every id so far in each event unless started with --incremental-streaming-output
 * (--stream-output before): the client parses a growing array per token (bench/transport.bench.ts:
 * ~150 µs of CPU per token at 2,000 tokens against < 10 µs incremental, and it grows with the answer).
 */
export function sglangStreamingCheck(serverInfo: Record<string, unknown> | undefined): DoctorCheck | undefined {
  const incremental = serverInfo?.incremental_streaming_output ?? serverInfo?.stream_output;
  if (typeof incremental !== 'boolean') return undefined;
  if (incremental) return check('Streaming', 'pass', '/generate streams only the new ids of each step (incremental streaming output)');
  return check(
    'Streaming',
    'warn',
    '/generate repeats every id so far in each event: reading them costs the client more with every token of a long answer',
    'start SGLang with --incremental-streaming-output (--stream-output in older releases)',
  );
}

/** A hosted provider keeps the chain of thought through a tool loop only where it takes reasoning back. */
export function reasoningLoopCheck(kind: HostedKind): DoctorCheck {
  const provider = HOSTED_PROVIDERS[kind];
  const docs = provider.docs.join(', ');
  if (provider.sendBack !== undefined) {
    return check('Reasoning in tool loops', 'pass', `earlier reasoning goes back in the assistant message's \`${provider.sendBack}\` while a tool loop runs, dropped after an answer (${docs})`);
  }
  return check(
    'Reasoning in tool loops',
    'warn',
    `${provider.name} documents no field that takes earlier reasoning back (${docs}): the model reasons afresh at every tool step`,
    'for long agent loops, a provider that keeps reasoning (OpenRouter, Groq, Fireworks) or a self-hosted server on the raw endpoint',
  );
}

// ── the whole report ───────────────────────────────────────────────────────────────────

function chooseModel(models: readonly ModelInfo[], wanted: string | undefined): ModelInfo | undefined {
  if (wanted !== undefined) return models.find((m) => m.id === wanted) ?? { id: wanted };
  return models.find((m) => isGptOss(m.id)) ?? models[0];
}

function modelsCheck(models: readonly ModelInfo[], chosen: ModelInfo | undefined, kind: ServerKind): DoctorCheck {
  const gptOss = models.filter((m) => isGptOss(m.id)).map((m) => m.id);
  if (models.length === 0) {
    const fix = kind === 'ollama' ? 'ollama pull gpt-oss:20b' : kind === 'lmstudio' ? 'lms load openai/gpt-oss-20b' : 'start the server with a gpt-oss model';
    return check('Models', 'fail', 'the server lists no models', fix);
  }
  const others = models.length - gptOss.length;
  const list = `${gptOss.length > 0 ? `gpt-oss: ${gptOss.join(', ')}` : 'no gpt-oss model'}${others > 0 ? ` (and ${others} other${others === 1 ? '' : 's'})` : ''}; checking ${chosen?.id ?? '?'}`;
  if (gptOss.length === 0) return check('Models', 'warn', list, 'the extension shows only gpt-oss models unless gptOss.servers[].models names others');
  return check('Models', 'pass', list);
}

/** The second request extends the first by the answer and one more turn: its prefix is the first prompt. */
async function extendingTrip(config: ServerConfig, trip: RoundTrip, signal: AbortSignal | undefined, now: () => number): Promise<{ trip: RoundTrip; promptTokens: number }> {
  const answer = trip.messages.find((m) => m.channel === 'final')?.content ?? 'ready';
  const next = renderChatRequest(
    { ...PROBE_REQUEST, messages: [...PROBE_REQUEST.messages, { role: 'assistant', content: answer }, { role: 'user', content: 'And once more.' }] },
    { date: null },
  );
  return { trip: await roundTrip(config, next.ids, signal, now), promptTokens: next.ids.length };
}

/** Runs every check against one server; never throws for a server problem (it becomes a ✗). */
export async function runDoctor(config: ServerConfig, options: DoctorOptions = {}): Promise<DoctorReport> {
  const http = httpContext(config);
  const signal = options.signal;
  const now = options.now ?? (() => performance.now());
  const agentPrompt = options.agentPromptTokens ?? AGENT_PROMPT_TOKENS;
  const outputBudget = options.outputBudget ?? DEFAULT_DOCTOR_OUTPUT_BUDGET;
  const checks: DoctorCheck[] = [];
  const report = (): DoctorReport => ({ url: http.display, checks, passed: checks.every((c) => c.status !== 'fail') });

  forgetServer(config);
  let detection: Detection;
  try {
    detection = await detect(config, signal);
  } catch (error) {
    if (error instanceof ServerError && error.kind === 'cancelled') throw error;
    checks.push(check('Reachable', 'fail', messageOf(error)));
    return report();
  }
  const kind = detection.kind;
  checks.push(check('Reachable', 'pass', `${http.display} answers (${detection.evidence})`));
  const version = await versionOf(http, kind, signal);
  checks.push(check('Server', 'pass', `${kindName(kind)}${version === undefined ? ' (no version exposed)' : ` ${version}`}`));
  if (kind === 'sglang') {
    const streaming = sglangStreamingCheck(await sglangInfo(http, SGLANG_SERVER_INFO, signal).catch(() => undefined));
    if (streaming) checks.push(streaming);
  }

  let models: ModelInfo[];
  try {
    models = await listModels(config, signal);
  } catch (error) {
    checks.push(check('Models', 'fail', messageOf(error), 'check the URL and the API key'));
    return report();
  }
  const chosen = chooseModel(models, config.model);
  checks.push(modelsCheck(models, chosen, kind));
  if (chosen === undefined) return report();
  const modelConfig: ServerConfig = { ...config, model: kind === 'llamacpp' && config.model === undefined ? undefined : chosen.id };

  const needed = agentPrompt + outputBudget;
  try {
    checks.push(contextCheck(await contextFacts(http, config, kind, chosen, agentPrompt, outputBudget, signal), needed, agentPrompt, outputBudget));
  } catch (error) {
    checks.push(check('Context', 'warn', `could not read the context: ${messageOf(error)}`));
  }

  if (isHostedKind(kind)) {
    // Chat completions is the whole path to a hosted provider: no raw endpoint, tokenizer or cache to probe.
    try {
      checks.push(chatCheck(await chatProbe(http, kind, modelConfig.model, config.extraBody ?? {}, signal), kind));
    } catch (error) {
      if (error instanceof ServerError && error.kind === 'cancelled') throw error;
      checks.push(chatCheck({ error }, kind));
    }
    checks.push(reasoningLoopCheck(kind));
    return report();
  }

  const first = renderChatRequest(PROBE_REQUEST, { date: null });
  const trip = await roundTrip(modelConfig, first.ids, signal, now);
  checks.push(roundTripCheck(kind, trip));
  // Right after the first, before any other request can take the server's cache.
  const second = trip.error === undefined ? await extendingTrip(modelConfig, trip, signal, now) : undefined;

  if (kind === 'llamacpp' || kind === 'vllm' || kind === 'sglang') {
    try {
      checks.push(tokenizerCheck(encodeWithMarkup(TOKENIZER_PROBE), await serverTokens(http, kind, modelConfig.model, signal)));
    } catch (error) {
      checks.push(check('Tokenizer', 'warn', `/tokenize failed: ${messageOf(error)}`));
    }
  }

  try {
    checks.push(chatCheck(await chatProbe(http, kind, modelConfig.model, config.extraBody ?? {}, signal), kind));
  } catch (error) {
    if (error instanceof ServerError && error.kind === 'cancelled') throw error;
    checks.push(chatCheck({ error }, kind));
  }

  try {
    checks.push(responsesCheck(await responsesProbe(modelConfig, signal), config.endpoint === 'responses'));
  } catch (error) {
    if (error instanceof ServerError && error.kind === 'cancelled') throw error;
    checks.push(responsesCheck({ error }, config.endpoint === 'responses'));
  }

  if (second !== undefined) checks.push(speedCheck(trip, second.trip, second.promptTokens, kind));
  return report();
}

const MARKS: Record<CheckStatus, string> = { pass: '✓', warn: '⚠', fail: '✗' };

/** The report as terminal lines: one per check, its fix indented under it. */
export function formatReportText(report: DoctorReport): string {
  const lines = report.checks.flatMap((c) => [`${MARKS[c.status]} ${c.name}: ${c.summary}`, ...(c.fix === undefined ? [] : [`    fix: ${c.fix}`])]);
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  return `${lines.join('\n')}\n${failed === 0 ? 'all checks passed' : `${failed} check(s) failed`}${warned > 0 ? `, ${warned} warning(s)` : ''}\n`;
}

/** The report as a Markdown document (VS Code's Check Server). */
export function formatReportMarkdown(report: DoctorReport): string {
  const lines = report.checks.flatMap((c) => [`- ${MARKS[c.status]} **${c.name}**: ${c.summary}`, ...(c.fix === undefined ? [] : [`  - fix: \`${c.fix}\``])]);
  return `# Server check: ${report.url}\n\n${lines.join('\n')}\n\n${report.passed ? 'No check failed.' : 'Some checks failed: see the fixes above.'}\n`;
}
