// Ollama's native `/api/chat`: the chat-completions request in Ollama's own field names, and
// its NDJSON reduced to ChatChunks. Its OpenAI-compatible `/v1/chat/completions` has no way to
// say `num_ctx`, so Ollama would serve it with its default context and silently drop the start
// of a longer prompt (system, developer, tools); `/api/chat` takes `options.num_ctx`.
import type { ChatRequest, ChatResponse, Message, Tool, ToolCall } from 'ollama';
import { isObject } from '../../harmony/index';
import { repairHistory } from './history';
import { wireText } from './markup';
import { ollamaDoneChunks, ollamaOptions } from './ollama';
import type { ChatChunk, ChatCompletionsRequest, CompletionRequest } from '../types';

/** The levels Ollama's `think` takes for gpt-oss (`/api/show` thinking.values); anything else is not sent. */
const THINK_LEVELS: ReadonlySet<string> = new Set(['low', 'medium', 'high']);

/**
 * Ollama's arguments are an object. A call whose arguments were not a JSON object (the model
 * wrote something else) goes back as `{}`: Ollama refuses any other shape.
 */
function argumentsObject(text: unknown): Record<string, unknown> {
  if (isObject(text)) return text;
  if (typeof text !== 'string') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

/** One repaired chat-completions message in `/api/chat`'s form. */
function nativeMessage(m: Record<string, unknown>): Message {
  const content = typeof m.content === 'string' ? m.content : '';
  const role = typeof m.role === 'string' ? m.role : 'user';
  if (role === 'tool') return { role, content, ...(typeof m.name === 'string' ? { tool_name: m.name } : {}) };
  if (role !== 'assistant') return { role, content };
  const calls: ToolCall[] = (Array.isArray(m.tool_calls) ? m.tool_calls : []).flatMap((call: unknown) => {
    const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
    return fn !== undefined && typeof fn.name === 'string' ? [{ function: { name: fn.name, arguments: argumentsObject(fn.arguments) } }] : [];
  });
  return {
    role,
    content,
    // history.ts names an earlier reasoning `reasoning` for Ollama; /api/chat reads `thinking`.
    ...(typeof m.reasoning === 'string' && m.reasoning !== '' ? { thinking: m.reasoning } : {}),
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  };
}

export interface OllamaChatOptions {
  readonly model: string;
  readonly chat: ChatCompletionsRequest;
  readonly request: CompletionRequest;
  readonly extraBody: Readonly<Record<string, unknown>>;
  /** The context this request needs (`ollamaRequestContext`), as on the raw route. */
  readonly numCtx?: number | undefined;
}

export function ollamaChatBody(options: OllamaChatOptions): ChatRequest & { stream: true } {
  const { chat, request, extraBody } = options;
  const messages = wireText('ollama', repairHistory('ollama', Array.isArray(chat.messages) ? chat.messages : []).map(nativeMessage));
  const tools = Array.isArray(chat.tools) && chat.tools.length > 0 ? wireText('ollama', chat.tools as Tool[]) : undefined;
  const effort = request.reasoningEffort ?? (typeof chat.reasoning_effort === 'string' ? chat.reasoning_effort : undefined);
  const body: ChatRequest & { stream: true } = {
    model: options.model,
    messages,
    ...(tools === undefined ? {} : { tools }),
    // gpt-oss cannot stop thinking; Ollama takes its effort as `think: "low" | "medium" | "high"`.
    ...(effort !== undefined && THINK_LEVELS.has(effort) && extraBody.think === undefined ? { think: effort as 'low' | 'medium' | 'high' } : {}),
    stream: true,
    options: ollamaOptions({ sampling: request, extraBody, numCtx: options.numCtx }),
  };
  return { ...(extraBody as Partial<ChatRequest>), ...body };
}

/**
 * `/api/chat` NDJSON objects → ChatChunks: `message.thinking` is reasoning, `message.content` the
 * answer, each `message.tool_calls` entry a whole tool call (numbered across the stream, as
 * Ollama sends each call once), the `done` line usage and the finish.
 */
export function ollamaChatEvents(): (item: unknown) => ChatChunk[] {
  let calls = 0;
  return (item) => {
    const part = item as Partial<ChatResponse>;
    const out: ChatChunk[] = [];
    const message: Partial<Message> = isObject(part.message) ? part.message : {};
    if (typeof message.thinking === 'string' && message.thinking !== '') out.push({ type: 'reasoning', text: message.thinking });
    if (typeof message.content === 'string' && message.content !== '') out.push({ type: 'content', text: message.content });
    for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
      const fn: unknown = isObject(call) ? call.function : undefined;
      if (!isObject(fn)) continue;
      const args = fn.arguments;
      const id = (call as { id?: unknown }).id;
      out.push({
        type: 'toolCall',
        index: calls++,
        ...(typeof id === 'string' && id !== '' ? { id } : {}),
        ...(typeof fn.name === 'string' && fn.name !== '' ? { name: fn.name } : {}),
        arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
      });
    }
    if (part.done) out.push(...ollamaDoneChunks(part));
    return out;
  };
}
