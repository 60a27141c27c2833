// Running requests through OUR transports (src/servers `complete`) and parser against a real
// llama-server, and reading what came back the way the provider and the CLI read it.
import { renderChatRequest } from '../../../src/harmony/chatRequest';
import { summarise, type CompletionSummary } from '../../../src/harmony/parseCompletion';
import type { ParserEvent } from '../../../src/harmony/parserTypes';
import { ASSISTANT_STOP_TOKENS } from '../../../src/harmony/tokens';
import { complete } from '../../../src/servers/client';
import type { CompletionRequest, ServerConfig, StreamEvent } from '../../../src/servers/types';
import { grammarForIds, scriptCompletion } from '../../llama/script';
import { WEATHER_TOOL } from './scripts';

export type DoneEvent = Extract<StreamEvent, { type: 'done' }>;
export type UsageEvent = Extract<StreamEvent, { type: 'usage' }>;

export interface Outcome {
  /** Every event `complete` yielded, in order. */
  readonly events: StreamEvent[];
  readonly parsed: ParserEvent[];
  /** The parser events read as the provider reads them (reasoning, answer, tool calls). */
  readonly summary: CompletionSummary;
  readonly done: DoneEvent | undefined;
  readonly usage: UsageEvent | undefined;
  /** What the stream threw, after everything before it was yielded. */
  readonly error: unknown;
}

const PARSER_EVENTS: ReadonlySet<string> = new Set(['messageStart', 'contentDelta', 'messageEnd', 'unparsed']);

/** Consumes a `complete` stream; `onEvent` may act mid-stream (kill the server, …). Never throws. */
export async function consume(
  stream: AsyncIterable<StreamEvent>,
  functionNames?: ReadonlyMap<string, string>,
  onEvent?: (event: StreamEvent, received: readonly StreamEvent[]) => void | Promise<void>,
): Promise<Outcome> {
  const events: StreamEvent[] = [];
  let error: unknown;
  try {
    for await (const event of stream) {
      events.push(event);
      await onEvent?.(event, events);
    }
  } catch (caught) {
    error = caught;
  }
  const parsed = events.filter((e): e is ParserEvent => PARSER_EVENTS.has(e.type));
  return {
    events,
    parsed,
    summary: summarise(parsed, functionNames === undefined ? {} : { functionNames }),
    done: events.find((e): e is DoneEvent => e.type === 'done'),
    usage: events.find((e): e is UsageEvent => e.type === 'usage'),
    error,
  };
}

/** The chat request the live tests send (that of test/fixtures/llama.cpp/req-scripted-toolcall-stream.json, not streamed). */
export const WEATHER_CHAT = { messages: [{ role: 'user', content: "What's the weather in Tokyo?" }], tools: [WEATHER_TOOL] } as const;
export const GREETING_CHAT = { messages: [{ role: 'user', content: 'Hi!' }] } as const;

/** Our rendering of a chat request, with a fixed date so that runs compare. */
export function rendered(chat: Record<string, unknown>) {
  return renderChatRequest(chat, { date: '2026-11-22' });
}

/**
 * The request body fields that make the random model say exactly `ids` (the closing stop token
 * forced by logit bias): a GBNF grammar of token ids. For token sequences our tokenizer would not
 * produce (a model may sample any tokenization), where scriptCompletion's text form cannot say them.
 */
export function idScript(ids: readonly number[]): { grammar: string; logit_bias: [number, number][] } {
  const last = ids.at(-1);
  const closing = last !== undefined && ASSISTANT_STOP_TOKENS.includes(last) ? last : undefined;
  return {
    grammar: grammarForIds(closing === undefined ? ids : ids.slice(0, -1)),
    logit_bias: closing === undefined ? [] : [[closing, 100]],
  };
}

/** A raw-path request whose answer is scripted: our rendered ids as the prompt, the script in extraBody. */
export function scriptedRequest(
  chat: Record<string, unknown>,
  text: string,
  more: { seed?: number; temperature?: number; maxTokens?: number } = {},
): { request: CompletionRequest; script: ReturnType<typeof scriptCompletion>; functionNames: ReadonlyMap<string, string> } {
  const script = scriptCompletion(text);
  const prompt = rendered(chat);
  return {
    script,
    functionNames: prompt.functionNames.fromModel,
    request: {
      prompt: { ids: prompt.ids },
      chat,
      endpoint: 'raw',
      ...(more.maxTokens === undefined ? { maxTokens: script.ids.length + 16 } : { maxTokens: more.maxTokens }),
      temperature: more.temperature ?? 1,
      extraBody: { grammar: script.grammar, logit_bias: script.logitBias, seed: more.seed ?? 1 },
    },
  };
}

/** `complete` against a live server, raw endpoint, kind detected. */
export function liveConfig(url: string, extra: Partial<ServerConfig> = {}): ServerConfig {
  return { url, kind: 'auto', ...extra };
}

export function run(config: ServerConfig, request: CompletionRequest, functionNames?: ReadonlyMap<string, string>): Promise<Outcome> {
  return consume(complete(config, request), functionNames);
}

/** Each message's content as streamed (contentDelta pieces joined), by message index. */
export function streamedContents(outcome: Outcome): string[] {
  const out: string[] = [];
  for (const event of outcome.parsed) {
    if (event.type === 'messageStart') out[event.index] = '';
    if (event.type === 'contentDelta') out[event.index] = (out[event.index] ?? '') + event.text;
  }
  return out;
}
