// llama.cpp's native `/completion`: a token-id prompt in, one SSE event per token out
// (`content`, `tokens: [id]`, `stop`), then a final event with `stop: true`,
// `stop_type`, `tokens_evaluated` and `tokens_predicted` (tools/server/README.md).
import { tokenBytes, tokensForBytes } from '../../harmony/tokenizer';
import { Special, specialText } from '../../harmony/tokens';
import { finishReason } from './completions';
import { samplingFields, type SamplingValues } from './sampling';
import { serverTimings } from './timings';
import type { RawChunk } from '../types';

interface CompletionEventWire {
  readonly content?: unknown;
  readonly tokens?: unknown;
  readonly stop?: unknown;
  readonly stop_type?: unknown;
  readonly tokens_evaluated?: unknown;
  readonly tokens_predicted?: unknown;
  readonly timings?: { readonly cache_n?: unknown; readonly prompt_ms?: unknown } | null;
}

export function llamacppCompletionBody(ids: readonly number[], sampling: SamplingValues): Record<string, unknown> {
  return { prompt: ids, stream: true, return_tokens: true, cache_prompt: true, ...samplingFields(sampling, 'llamacpp') };
}

/**
 * A reader of one `/completion` stream: each event → what it carries.
 *
 * llama.cpp sends no event for a token that ends inside a UTF-8 character: the next event has
 * the whole text but only its own id, so the earlier id is lost (seen on the live server) and
 * decoding the ids would give U+FFFD. So the ids are checked against the event's text, through
 * a decoder that carries unfinished characters across events; where they disagree the text is
 * what the model said, and it goes on as text (the feed re-tokenises it).
 */
/**
 * The ids of an event whose earlier tokens were not streamed: its text's bytes end with the
 * bytes of the ids it carries, and the bytes before them are the lost tokens'. One lost token
 * (a character split in two) is found exactly; for more, the fewest tokens that spell the bytes.
 */
function withLostIds(content: string, ids: readonly number[]): number[] | undefined {
  const tail = ids.map((id) => tokenBytes(id));
  if (tail.some((b) => b === undefined)) return undefined;
  const text = utf8.encode(content);
  const tailLength = tail.reduce((sum, b) => sum + b!.length, 0);
  if (tailLength >= text.length) return undefined;
  let at = text.length - tailLength;
  for (const bytes of tail) {
    for (let i = 0; i < bytes!.length; i++) if (text[at + i] !== bytes![i]) return undefined;
    at += bytes!.length;
  }
  return [...tokensForBytes(text.subarray(0, text.length - tailLength)), ...ids];
}

const utf8 = new TextEncoder();

const END_OF_GENERATION: ReadonlySet<number> = new Set([Special.return, Special.call, Special.endOfText]);

export function llamacppEvents(): (item: unknown) => RawChunk[] {
  let decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  const textOf = (ids: readonly number[]): string => {
    let text = '';
    for (const id of ids) {
      // End-of-generation tokens come with empty text.
      const special = END_OF_GENERATION.has(id) ? '' : specialText(id);
      const bytes = special === undefined ? tokenBytes(id) : undefined;
      text += special !== undefined ? decoder.decode() + special : bytes === undefined ? decoder.decode() + '\uFFFD' : decoder.decode(bytes, { stream: true });
    }
    return text;
  };
  return (item) => {
    const event = item as CompletionEventWire;
    const out: RawChunk[] = [];
    const tokens = event.tokens;
    const ids = Array.isArray(tokens) && tokens.length > 0 && tokens.every((t) => typeof t === 'number') ? (tokens as number[]) : undefined;
    if (ids !== undefined && (typeof event.content !== 'string' || textOf(ids) === event.content)) {
      out.push({ type: 'ids', ids });
    } else if (typeof event.content === 'string' && event.content !== '') {
      decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
      const recovered = ids === undefined ? undefined : withLostIds(event.content, ids);
      out.push(recovered === undefined ? { type: 'text', text: event.content } : { type: 'ids', ids: recovered });
    }
    if (event.stop === true) {
      const prompt = typeof event.tokens_evaluated === 'number' ? event.tokens_evaluated : undefined;
      const completion = typeof event.tokens_predicted === 'number' ? event.tokens_predicted : undefined;
      const cached = typeof event.timings?.cache_n === 'number' ? event.timings.cache_n : undefined;
      if (prompt !== undefined || completion !== undefined) {
        out.push({ type: 'usage', promptTokens: prompt, completionTokens: completion, ...(cached === undefined ? {} : { cachedPromptTokens: cached }), ...serverTimings(event.timings?.prompt_ms, undefined, 1) });
      }
      const raw = typeof event.stop_type === 'string' ? event.stop_type : 'eos';
      out.push({ type: 'finish', reason: finishReason(raw), raw });
    }
    return out;
  };
}

/** `n_ctx` of the running server, from `/props` (per slot: what a prompt may use). */
export function llamacppContextLength(props: unknown): number | undefined {
  if (props === null || typeof props !== 'object') return undefined;
  const settings = (props as Record<string, unknown>).default_generation_settings;
  if (settings !== null && typeof settings === 'object') {
    const nCtx = (settings as Record<string, unknown>).n_ctx;
    if (typeof nCtx === 'number' && nCtx > 0) return nCtx;
  }
  return undefined;
}
