// The last N exchanges with servers, kept in memory as plain data: what was sent (the prompt's
// ids), what came back (the completion's ids or text), timings, usage, cache reuse, how it
// stopped and what was recovered. For "Open Last Request as Transcript" and for bug reports.
// It holds no configuration: the server is its display URL (no credentials), never a key.
import { decode, encodeWithMarkup } from '../harmony/tokenizer';
import type { MessageStop } from '../harmony/parserTypes';
import type { EndpointChoice, FinishReason, StreamEvent } from './types';

export const DEFAULT_REQUEST_LOG_SIZE = 20;

/**
 * All from the moment the request was started (detection and model lookup, usually cached,
 * included). `acceptedMs` is measured here for every server; `queueMs` only where the server
 * says how long it spent on the prompt, since "first token" alone cannot tell waiting from work.
 */
export interface ExchangeTimings {
  /**
   * Until the server answered 2xx (its response headers). llama.cpp answers only once a slot
   * takes the request, so on it this includes waiting behind other requests; vLLM and Ollama
   * may answer before they start on the prompt.
   */
  readonly acceptedMs?: number | undefined;
  /**
   * Waiting before the server started on the prompt: first token minus what the server says it
   * spent (llama.cpp `timings.prompt_ms`; Ollama `prompt_eval_duration` + `load_duration`).
   * Includes the network and our own work. Undefined where the server reports no prompt time
   * (vLLM, LM Studio, hosted providers).
   */
  readonly queueMs?: number | undefined;
  /** The server's own figures: prompt evaluation, and (Ollama) loading the model. */
  readonly serverPromptMs?: number | undefined;
  readonly serverLoadMs?: number | undefined;
  /** From sending to the first parsed output. */
  readonly firstTokenMs?: number | undefined;
  readonly totalMs: number;
  /** Completion tokens over the time after the first token. */
  readonly tokensPerSecond?: number | undefined;
}

export interface LoggedExchange {
  /** ISO time the request was sent. */
  readonly at: string;
  readonly server: string;
  readonly model: string;
  readonly promptIds: readonly number[];
  /** The model's context in tokens, where the caller knows it (the prompt's fill of it). */
  readonly contextLength?: number | undefined;
  readonly endpoint?: EndpointChoice | undefined;
  /** The completion as the model wrote it (raw path): its ids where the server gave them, text with literal markup always. */
  readonly completion?: { readonly ids?: readonly number[] | undefined; readonly text: string } | undefined;
  readonly timings: ExchangeTimings;
  readonly usage?: { readonly promptTokens?: number | undefined; readonly completionTokens?: number | undefined; readonly cachedPromptTokens?: number | undefined } | undefined;
  readonly finishReason?: FinishReason | undefined;
  /** How the last message ended (`call`, `return`, `truncated`, …). */
  readonly lastStop?: MessageStop | undefined;
  /** What the parser recovered, one line each. */
  readonly notes: readonly string[];
  /** The failure, as the user saw it. */
  readonly error?: string | undefined;
}

/** A bounded list, newest last. */
export class RequestLog {
  private readonly entries: LoggedExchange[] = [];

  /** `size` is read at every add (a setting); `onAdd` sees every entry, also when none is kept. */
  constructor(
    private readonly size: () => number = () => DEFAULT_REQUEST_LOG_SIZE,
    private readonly onAdd?: (entry: LoggedExchange) => void,
  ) {}

  add(entry: LoggedExchange): void {
    this.onAdd?.(entry);
    this.entries.push(entry);
    const keep = Math.max(0, Math.floor(this.size()));
    if (this.entries.length > keep) this.entries.splice(0, this.entries.length - keep);
  }

  last(): LoggedExchange | undefined {
    return this.entries.at(-1);
  }

  all(): readonly LoggedExchange[] {
    return [...this.entries];
  }
}

export interface ExchangeStart {
  readonly server: string;
  readonly model: string;
  readonly promptIds: readonly number[];
  readonly contextLength?: number | undefined;
}

/** The figures that were measured, without keys for the rest (the saved JSON stays short). */
function definedOnly(timings: ExchangeTimings): ExchangeTimings {
  return Object.fromEntries(Object.entries(timings).filter(([, value]) => value !== undefined)) as unknown as ExchangeTimings;
}

/** What the exchange is read from: its events, or a function that opens them and reports when the server accepted. */
export type ExchangeEvents = AsyncIterable<StreamEvent> | ((hooks: { readonly onAccepted: () => void }) => AsyncIterable<StreamEvent>);

/**
 * Passes the events on unchanged and, however the stream ends (done, error, the consumer
 * stopping), adds one entry to the log. `describeError` turns a failure into the user's message.
 */
export async function* recordExchange(
  opened: ExchangeEvents,
  start: ExchangeStart,
  log: RequestLog,
  options: { readonly now?: () => number; readonly describeError?: (error: unknown) => string } = {},
): AsyncGenerator<StreamEvent, void, undefined> {
  const now = options.now ?? (() => performance.now());
  const began = now();
  let acceptedMs: number | undefined;
  const events = typeof opened === 'function' ? opened({ onAccepted: () => (acceptedMs ??= now() - began) }) : opened;
  const at = new Date().toISOString();
  let firstTokenMs: number | undefined;
  let done: Extract<StreamEvent, { type: 'done' }> | undefined;
  let usage: Extract<StreamEvent, { type: 'usage' }> | undefined;
  let lastStop: MessageStop | undefined;
  const notes: string[] = [];
  let error: string | undefined;
  try {
    for await (const event of events) {
      if (firstTokenMs === undefined && (event.type === 'messageStart' || event.type === 'contentDelta' || event.type === 'unparsed')) firstTokenMs = now() - began;
      if (event.type === 'done') done = event;
      else if (event.type === 'usage') usage = event;
      else if (event.type === 'messageEnd') {
        lastStop = event.message.stop;
        for (const n of event.message.notes) notes.push(n.message);
      } else if (event.type === 'unparsed') notes.push(`unparsed: ${event.note.message}`);
      yield event;
    }
  } catch (failure) {
    error = options.describeError ? options.describeError(failure) : failure instanceof Error ? failure.message : String(failure);
    throw failure;
  } finally {
    const totalMs = now() - began;
    const generated = usage?.completionTokens;
    const genMs = firstTokenMs === undefined ? undefined : totalMs - firstTokenMs;
    const serverMs = usage?.promptMs === undefined ? undefined : usage.promptMs + (usage.loadMs ?? 0);
    log.add({
      at,
      server: start.server,
      model: start.model,
      promptIds: start.promptIds,
      ...(start.contextLength === undefined ? {} : { contextLength: start.contextLength }),
      endpoint: done?.endpoint,
      completion: done?.completion,
      timings: definedOnly({
        acceptedMs,
        queueMs: serverMs === undefined || firstTokenMs === undefined ? undefined : Math.max(0, firstTokenMs - serverMs),
        serverPromptMs: usage?.promptMs,
        serverLoadMs: usage?.loadMs,
        firstTokenMs,
        totalMs,
        tokensPerSecond: generated !== undefined && genMs !== undefined && genMs > 0 ? generated / (genMs / 1000) : undefined,
      }),
      usage: usage === undefined ? undefined : { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedPromptTokens: usage.cachedPromptTokens },
      finishReason: done?.finishReason,
      lastStop,
      notes,
      error,
    });
  }
}

/** The completion's tokens as the model wrote them: its ids, else its text re-tokenised with markup. */
export function completionIds(entry: LoggedExchange): readonly number[] {
  if (entry.completion === undefined) return [];
  return entry.completion.ids ?? encodeWithMarkup(entry.completion.text);
}

/** Prompt and completion as one Harmony transcript with literal markup (a `.harmony` document). */
export function transcriptText(entry: LoggedExchange): string {
  return decode([...entry.promptIds, ...completionIds(entry)]);
}

/** One line per fact, for the header comment of a saved transcript and for logs. */
export function exchangeSummary(entry: LoggedExchange): string {
  const t = entry.timings;
  const usage = entry.usage;
  return [
    `${entry.at} ${entry.model} at ${entry.server}${entry.endpoint ? ` (${entry.endpoint} endpoint)` : ''}`,
    `prompt ${entry.promptIds.length} tokens${entry.contextLength === undefined ? '' : ` of a ${entry.contextLength}-token context`}, completion ${completionIds(entry).length} tokens`,
    [
      ...(t.acceptedMs === undefined ? [] : [`accepted ${Math.round(t.acceptedMs)} ms`]),
      ...(t.queueMs === undefined ? [] : [`queued ${Math.round(t.queueMs)} ms`]),
      ...(t.serverPromptMs === undefined ? [] : [`prompt ${Math.round(t.serverPromptMs)} ms (server)`]),
      ...(t.serverLoadMs === undefined ? [] : [`model load ${Math.round(t.serverLoadMs)} ms (server)`]),
      `first token ${t.firstTokenMs === undefined ? '?' : Math.round(t.firstTokenMs)} ms`,
      `total ${Math.round(t.totalMs)} ms${t.tokensPerSecond === undefined ? '' : `, ${t.tokensPerSecond.toFixed(1)} tokens/s`}`,
    ].join(', '),
    ...(usage ? [`usage: ${usage.promptTokens ?? '?'} prompt, ${usage.completionTokens ?? '?'} completion${usage.cachedPromptTokens === undefined ? '' : `, ${usage.cachedPromptTokens} from the prefix cache`}`] : []),
    `stop: ${entry.finishReason ?? '?'}${entry.lastStop ? `, last message ${entry.lastStop}` : ''}`,
    ...entry.notes.map((n) => `note: ${n}`),
    ...(entry.error ? [`error: ${entry.error}`] : []),
  ].join('\n');
}
