// `/v1/chat/completions` on every server but Ollama (its chat is `/api/chat`, ollamaChat.ts,
// which can say num_ctx): the request in each server's field names,
// and its stream reduced to ChatChunks with one name per thing (reasoning arrives as
// `reasoning`, `reasoning_content`, `thinking` or OpenRouter's `reasoning_details`; tool calls
// incrementally or whole).
import { isObject } from '../../harmony/index';
import { finishReason } from './completions';
import { detailsText, repairHistory } from './history';
import { wireText } from './markup';
import { HOSTED_PROVIDERS, isHostedKind } from './providers';
import { samplingFields } from './sampling';
import { serverTimings } from './timings';
import type { ChatChunk, ChatCompletionsRequest, CompletionRequest, ServerKind } from '../types';

/** Fields of ours (or of the renderer's input) that no server should see. */
const OUR_FIELDS = ['harmony_tokens'];

export function chatBody(kind: ServerKind, model: string | undefined, chat: ChatCompletionsRequest, request: CompletionRequest, extraBody: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...chat };
  for (const field of ['messages', 'tools', 'tool_choice', 'stream', 'stream_options', 'reasoning_effort', ...OUR_FIELDS]) delete rest[field];
  const messages = Array.isArray(chat.messages) ? chat.messages : [];
  const tools = Array.isArray(chat.tools) && chat.tools.length > 0 ? wireText(kind, chat.tools) : undefined;
  const effort = request.reasoningEffort ?? (typeof chat.reasoning_effort === 'string' ? chat.reasoning_effort : undefined);
  const body: Record<string, unknown> = {
    ...rest,
    ...(model === undefined ? {} : { model }),
    messages: wireText(kind, repairHistory(kind, messages)),
    ...(tools === undefined ? {} : { tools, ...(chat.tool_choice === undefined ? {} : { tool_choice: chat.tool_choice }) }),
    stream: true,
    stream_options: { include_usage: true },
    ...samplingFields(request, 'openai'),
    ...effortFields(kind, effort, chat),
  };
  return { ...body, ...extraBody, messages: body.messages, stream: true };
}

/**
 * Reasoning effort where each server reads it: vLLM, LM Studio and generic endpoints the
 * top-level `reasoning_effort` (Ollama's /v1 too, were it used: it becomes `think`);
 * llama.cpp the template's `chat_template_kwargs`, plus the top-level field newer builds read;
 * hosted providers where their row in providers.ts says (OpenRouter `reasoning.effort`).
 */
function effortFields(kind: ServerKind, effort: string | undefined, chat: ChatCompletionsRequest): Record<string, unknown> {
  if (effort === undefined) return {};
  if (isHostedKind(kind)) {
    const fields = HOSTED_PROVIDERS[kind].effort(effort);
    // A `reasoning` object of the caller's keeps its other settings.
    return isObject(fields.reasoning) && isObject(chat.reasoning) ? { ...fields, reasoning: { ...chat.reasoning, ...fields.reasoning } } : fields;
  }
  if (kind === 'llamacpp') {
    const kwargs = chat.chat_template_kwargs !== null && typeof chat.chat_template_kwargs === 'object' ? chat.chat_template_kwargs : {};
    return { reasoning_effort: effort, chat_template_kwargs: { ...kwargs, reasoning_effort: effort } };
  }
  return { reasoning_effort: effort };
}

interface ToolCallWire {
  readonly index?: unknown;
  readonly id?: unknown;
  readonly function?: { readonly name?: unknown; readonly arguments?: unknown } | null;
}

interface DeltaWire {
  readonly content?: unknown;
  readonly reasoning?: unknown;
  readonly reasoning_content?: unknown;
  readonly thinking?: unknown;
  /** OpenRouter: the same reasoning as detail objects (`reasoning.text`), alone where `reasoning` is absent. */
  readonly reasoning_details?: unknown;
  readonly tool_calls?: readonly ToolCallWire[] | null;
}

interface ChatChunkWire {
  readonly choices?: readonly { readonly delta?: DeltaWire | null; readonly finish_reason?: unknown }[];
  readonly usage?: UsageWire | null;
  /** llama.cpp: its timings on the last chunk. */
  readonly timings?: { readonly prompt_ms?: unknown; readonly cache_n?: unknown } | null;
  /** Groq: usage on the last chunk, under its own key. */
  readonly x_groq?: { readonly usage?: UsageWire | null } | null;
}

interface UsageWire {
  readonly prompt_tokens?: unknown;
  readonly completion_tokens?: unknown;
  /** vLLM, SGLang and most hosted providers: the prefix-cache hit. */
  readonly prompt_tokens_details?: { readonly cached_tokens?: unknown } | null;
}

/** The prefix-cache hit: `cached_tokens` where the server reports it, else llama.cpp's `timings.cache_n`. */
function cachedTokens(usage: UsageWire, cacheN: unknown): { cachedPromptTokens?: number } {
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number') return { cachedPromptTokens: cached };
  return typeof cacheN === 'number' ? { cachedPromptTokens: cacheN } : {};
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** One chat stream chunk → what it carries, in one vocabulary for all servers. */
export function chatEvent(item: unknown): ChatChunk[] {
  const chunk = item as ChatChunkWire;
  const out: ChatChunk[] = [];
  const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
  const delta = choice?.delta;
  if (delta) {
    // vLLM sent `reasoning` and `reasoning_content` side by side for a while, OpenRouter sends
    // `reasoning` and `reasoning_details`: one of them, never both.
    const reasoning =
      nonEmpty(delta.reasoning) ??
      nonEmpty(delta.reasoning_content) ??
      nonEmpty(delta.thinking) ??
      (Array.isArray(delta.reasoning_details) ? nonEmpty(detailsText(delta.reasoning_details)) : undefined);
    if (reasoning !== undefined) out.push({ type: 'reasoning', text: reasoning });
    const content = nonEmpty(delta.content);
    if (content !== undefined) out.push({ type: 'content', text: content });
    if (Array.isArray(delta.tool_calls)) {
      for (const [position, call] of delta.tool_calls.entries()) {
        const fn = call.function ?? {};
        const args = fn.arguments;
        out.push({
          type: 'toolCall',
          index: typeof call.index === 'number' ? call.index : position,
          ...(nonEmpty(call.id) === undefined ? {} : { id: call.id as string }),
          ...(nonEmpty(fn.name) === undefined ? {} : { name: fn.name as string }),
          ...(typeof args === 'string' ? { arguments: args } : args !== undefined && args !== null ? { arguments: JSON.stringify(args) } : {}),
        });
      }
    }
  }
  if (choice && typeof choice.finish_reason === 'string') out.push({ type: 'finish', reason: finishReason(choice.finish_reason), raw: choice.finish_reason });
  const usage = chunk.usage ?? chunk.x_groq?.usage;
  if (usage && (typeof usage.prompt_tokens === 'number' || typeof usage.completion_tokens === 'number')) {
    out.push({
      type: 'usage',
      promptTokens: typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : undefined,
      completionTokens: typeof usage.completion_tokens === 'number' ? usage.completion_tokens : undefined,
      ...cachedTokens(usage, chunk.timings?.cache_n),
      ...serverTimings(chunk.timings?.prompt_ms, undefined, 1),
    });
  }
  return out;
}
