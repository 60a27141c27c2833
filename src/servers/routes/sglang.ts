// SGLang's native `/generate`: our token ids in (`input_ids`), `sampling_params` with the stop
// ids, and an SSE stream of `{text, output_ids, meta_info}` objects ending with `data: [DONE]`
// (python/sglang/srt/entrypoints/http_server.py; GenerateReqInput in managers/io_struct.py;
// docs: https://docs.sglang.io/basic_usage/native_api.html and sampling_params.html).
//
// `output_ids` is cumulative by default (each event carries every id so far) and the new ids
// only with `--incremental-streaming-output` (`--stream-output` in older releases); both are
// read here, the mode told apart on the stream itself.
import { ASSISTANT_STOP_TOKENS } from '../../harmony/tokens';
import { isObject } from '../../harmony/index';
import { finishReason } from './completions';
import { probe, type HttpContext } from '../http/http';
import { samplingFields } from './sampling';
import type { CompletionRequest, FinishReason, ModelInfo, RawChunk } from '../types';

/** SamplingParams fields (srt/sampling/sampling_params.py) a flat extraBody may carry at the top level, as for vLLM. */
const SAMPLING_FIELDS: ReadonlySet<string> = new Set([
  'top_k', 'min_p', 'frequency_penalty', 'presence_penalty', 'repetition_penalty', 'min_new_tokens', 'json_schema', 'regex', 'ebnf', 'ignore_eos', 'logit_bias', 'sampling_seed',
]);

export function sglangGenerateBody(ids: readonly number[], request: CompletionRequest, extra: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const top: Record<string, unknown> = {};
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(extra)) (SAMPLING_FIELDS.has(key) ? flat : top)[key] = value;
  const theirs = { ...flat, ...(isObject(extra.sampling_params) ? extra.sampling_params : {}) };
  return {
    ...top,
    input_ids: ids,
    stream: true,
    sampling_params: {
      // SGLang's own default is 128 new tokens; null lets the model run to the context's end.
      max_new_tokens: null,
      ...samplingFields(request, 'sglang'),
      // The user's extraBody wins over our sampling values, as on every route; not over the stop ids.
      ...theirs,
      stop_token_ids: ASSISTANT_STOP_TOKENS,
      // The ids are what we read; these keep the text (logs, fallbacks) as the model wrote it.
      skip_special_tokens: false,
      spaces_between_special_tokens: false,
      no_stop_trim: true,
    },
  };
}

interface FinishWire {
  readonly type?: unknown;
  /** The stop id (or string) that ended generation. */
  readonly matched?: unknown;
  readonly message?: unknown;
}

interface MetaWire {
  readonly finish_reason?: FinishWire | null;
  readonly prompt_tokens?: unknown;
  readonly completion_tokens?: unknown;
  readonly cached_tokens?: unknown;
}

interface GenerateEventWire {
  readonly text?: unknown;
  readonly output_ids?: unknown;
  readonly meta_info?: MetaWire | null;
}

function idsOf(value: unknown): number[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'number') ? (value as number[]) : undefined;
}

function sglangFinish(finish: FinishWire): Extract<RawChunk, { type: 'finish' }> {
  const type = typeof finish.type === 'string' ? finish.type : 'other';
  // `abort` with a message: the request was cut off on the server (a bad request arrives as an error event instead).
  const raw = type === 'abort' && typeof finish.message === 'string' ? `abort: ${finish.message}` : type;
  const reason: FinishReason = finishReason(type);
  return { type: 'finish', reason, raw, ...(typeof finish.matched === 'number' ? { stopToken: finish.matched } : {}) };
}

/**
 * A reader of one `/generate` stream. Cumulative or incremental `output_ids` are told apart on
 * the second event with ids: cumulative ones start with every id seen so far and count all
 * `completion_tokens` (the last event may lack the stop id it matched); new ids alone never do.
 */
export function sglangEvents(): (item: unknown) => RawChunk[] {
  const seen: number[] = [];
  let mode: 'cumulative' | 'incremental' | undefined;
  let seenText = '';

  const extendsSeen = (ids: readonly number[]): boolean => {
    if (ids.length < seen.length) return false;
    for (let i = 0; i < seen.length; i++) if (ids[i] !== seen[i]) return false;
    return true;
  };

  const freshIds = (ids: readonly number[], total: number | undefined, finished: boolean): readonly number[] => {
    if (seen.length === 0) return ids;
    if (mode === undefined) {
      const cumulative = extendsSeen(ids) && (total === undefined ? ids.length > seen.length : ids.length === total || (finished && ids.length === total - 1));
      mode = cumulative ? 'cumulative' : 'incremental';
    }
    return mode === 'incremental' ? ids : ids.length > seen.length ? ids.slice(seen.length) : [];
  };

  return (item) => {
    const event = item as GenerateEventWire;
    const meta = isObject(event.meta_info) ? (event.meta_info as MetaWire) : undefined;
    const finish = isObject(meta?.finish_reason) ? (meta.finish_reason as FinishWire) : undefined;
    const total = typeof meta?.completion_tokens === 'number' ? meta.completion_tokens : undefined;
    const out: RawChunk[] = [];
    const ids = idsOf(event.output_ids);
    if (ids !== undefined) {
      const fresh = freshIds(ids, total, finish !== undefined);
      if (fresh.length > 0) {
        for (const id of fresh) seen.push(id);
        out.push({ type: 'ids', ids: fresh });
      }
    } else if (typeof event.text === 'string' && event.text !== '') {
      // Releases without `output_ids` in the stream: the text, cumulative as they sent it.
      const fresh = event.text.startsWith(seenText) ? event.text.slice(seenText.length) : event.text;
      seenText = event.text.startsWith(seenText) ? event.text : seenText + event.text;
      if (fresh !== '') out.push({ type: 'text', text: fresh });
    }
    if (finish !== undefined) {
      const prompt = typeof meta?.prompt_tokens === 'number' ? meta.prompt_tokens : undefined;
      const cached = typeof meta?.cached_tokens === 'number' ? meta.cached_tokens : undefined;
      if (prompt !== undefined || total !== undefined) out.push({ type: 'usage', promptTokens: prompt, completionTokens: total, ...(cached === undefined ? {} : { cachedPromptTokens: cached }) });
      out.push(sglangFinish(finish));
    }
    return out;
  };
}

/** The first of `paths` that answers 2xx with a JSON object (newer releases renamed `/get_*` to `/*`). */
export async function sglangInfo(http: HttpContext, paths: readonly string[], signal: AbortSignal | undefined): Promise<Record<string, unknown> | undefined> {
  for (const path of paths) {
    const answer = await probe(http, path, signal);
    if (answer.status >= 200 && answer.status < 300 && isObject(answer.json)) return answer.json;
  }
  return undefined;
}

export const SGLANG_MODEL_INFO = ['/get_model_info', '/model_info'] as const;
export const SGLANG_SERVER_INFO = ['/get_server_info', '/server_info'] as const;

/**
 * The served model where `/v1/models` says nothing: `/get_model_info` names it (`model_path`),
 * `/get_server_info` has the server's arguments (`served_model_name`, `context_length` when set).
 */
export async function sglangModelFromInfo(http: HttpContext, signal: AbortSignal | undefined): Promise<ModelInfo[]> {
  const [model, server] = await Promise.all([sglangInfo(http, SGLANG_MODEL_INFO, signal), sglangInfo(http, SGLANG_SERVER_INFO, signal)]);
  const id = typeof server?.served_model_name === 'string' ? server.served_model_name : typeof model?.model_path === 'string' ? model.model_path : undefined;
  if (id === undefined) return [];
  const context = typeof server?.context_length === 'number' && server.context_length > 0 ? server.context_length : undefined;
  return [{ id, ...(context === undefined ? {} : { contextLength: context, contextSource: 'GET /get_server_info context_length' }) }];
}
