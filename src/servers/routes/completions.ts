// OpenAI-style `/v1/completions` streams (vLLM, SGLang, llama.cpp, LM Studio, generic):
// `choices[0].text` pieces, vLLM's and SGLang's `token_ids` when asked for, `finish_reason`, usage.
import type { FinishReason, RawChunk } from '../types';

interface CompletionChoiceWire {
  readonly text?: unknown;
  readonly token_ids?: unknown;
  readonly finish_reason?: unknown;
  readonly stop_reason?: unknown;
  /** SGLang's name for the stop id that ended generation. */
  readonly matched_stop?: unknown;
}

interface UsageWire {
  readonly prompt_tokens?: unknown;
  readonly completion_tokens?: unknown;
  /** vLLM with --enable-prompt-tokens-details. */
  readonly prompt_tokens_details?: { readonly cached_tokens?: unknown } | null;
}

interface CompletionChunkWire {
  readonly choices?: readonly CompletionChoiceWire[];
  readonly usage?: UsageWire | null;
}

export function finishReason(raw: unknown): FinishReason {
  switch (raw) {
    case 'stop':
    case 'eos':
    case 'word':
      return 'stop';
    case 'length':
    case 'limit':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'toolCalls';
    default:
      return 'other';
  }
}

export function usageChunk(usage: UsageWire | null | undefined): RawChunk | undefined {
  if (usage === null || typeof usage !== 'object') return undefined;
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : undefined;
  const completion = typeof usage.completion_tokens === 'number' ? usage.completion_tokens : undefined;
  if (prompt === undefined && completion === undefined) return undefined;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return { type: 'usage', promptTokens: prompt, completionTokens: completion, ...(typeof cached === 'number' ? { cachedPromptTokens: cached } : {}) };
}

function isIdArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number');
}

/** One `/v1/completions` stream item → what it carries. */
export function completionEvent(item: unknown): RawChunk[] {
  const chunk = item as CompletionChunkWire;
  const out: RawChunk[] = [];
  const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
  if (choice !== undefined) {
    if (isIdArray(choice.token_ids)) out.push({ type: 'ids', ids: choice.token_ids });
    else if (typeof choice.text === 'string' && choice.text !== '') out.push({ type: 'text', text: choice.text });
    if (typeof choice.finish_reason === 'string') {
      out.push({
        type: 'finish',
        reason: finishReason(choice.finish_reason),
        raw: choice.finish_reason,
        ...(typeof choice.stop_reason === 'number' ? { stopToken: choice.stop_reason } : typeof choice.matched_stop === 'number' ? { stopToken: choice.matched_stop } : {}),
      });
    }
  }
  const usage = usageChunk(chunk.usage);
  if (usage) out.push(usage);
  return out;
}
