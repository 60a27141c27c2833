// llama.cpp's native `/completion`: a token-id prompt in, one SSE event per token out
// (`content`, `tokens: [id]`, `stop`), then a final event with `stop: true`,
// `stop_type`, `tokens_evaluated` and `tokens_predicted` (tools/server/README.md).
import { finishReason } from './completions';
import type { RawChunk } from './types';

interface CompletionEventWire {
  readonly content?: unknown;
  readonly tokens?: unknown;
  readonly stop?: unknown;
  readonly stop_type?: unknown;
  readonly tokens_evaluated?: unknown;
  readonly tokens_predicted?: unknown;
}

export function llamacppCompletionBody(ids: readonly number[], options: { maxTokens?: number | undefined; temperature?: number | undefined; topP?: number | undefined }): Record<string, unknown> {
  return {
    prompt: ids,
    stream: true,
    return_tokens: true,
    cache_prompt: true,
    ...(options.maxTokens === undefined ? {} : { n_predict: options.maxTokens }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.topP === undefined ? {} : { top_p: options.topP }),
  };
}

/** One `/completion` stream event → what it carries. */
export function llamacppEvent(item: unknown): RawChunk[] {
  const event = item as CompletionEventWire;
  const out: RawChunk[] = [];
  const tokens = event.tokens;
  if (Array.isArray(tokens) && tokens.length > 0 && tokens.every((t) => typeof t === 'number')) {
    out.push({ type: 'ids', ids: tokens as number[] });
  } else if (typeof event.content === 'string' && event.content !== '') {
    out.push({ type: 'text', text: event.content });
  }
  if (event.stop === true) {
    const prompt = typeof event.tokens_evaluated === 'number' ? event.tokens_evaluated : undefined;
    const completion = typeof event.tokens_predicted === 'number' ? event.tokens_predicted : undefined;
    if (prompt !== undefined || completion !== undefined) out.push({ type: 'usage', promptTokens: prompt, completionTokens: completion });
    const raw = typeof event.stop_type === 'string' ? event.stop_type : 'eos';
    out.push({ type: 'finish', reason: finishReason(raw), raw });
  }
  return out;
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
