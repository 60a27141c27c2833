// Message text on the chat routes (/v1/chat/completions, Ollama's /api/chat, /v1/responses)
// with its markup broken. Those servers render a chat template to text and tokenise it with
// special-token parsing, so a `<|end|>` in a user's paste, a file or a tool result would reach
// the model as the control token; a WORD JOINER after every `<|` stops that, as on the text
// routes (harmony/promptText.ts, docs/text-prompts.md). vLLM is the exception: its gpt-oss
// path encodes message content with openai-harmony as text, so markup cannot form there and a
// joiner would only add tokens the raw route does not have.
import { breakMarkup, isObject } from '../../harmony/index';
import type { ServerKind } from '../types';

/** Whether `kind` reads special tokens out of the text of messages (every chat server but vLLM). */
export function breaksMarkup(kind: ServerKind): boolean {
  return kind !== 'vllm';
}

/** Every string of a JSON value (object keys too: a schema's property names are text to the model) with its markup broken. */
function brokenJson(value: unknown): unknown {
  if (typeof value === 'string') return breakMarkup(value);
  if (Array.isArray(value)) return value.map(brokenJson);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, v]) => [breakMarkup(key), brokenJson(v)]));
  return value;
}

/** `value` (messages, input items, instructions, tools) as it may go to a `kind` server: unchanged for vLLM, markup broken for the others. */
export function wireText<T>(kind: ServerKind, value: T): T {
  return breaksMarkup(kind) ? (brokenJson(value) as T) : value;
}
