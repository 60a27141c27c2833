// A chat-completions history rewritten into the form a given server accepts. Servers
// that render with the gpt-oss jinja template (llama.cpp, Ollama, LM Studio) raise on
// a tool message with no assistant tool call before it, render only one call per
// assistant message (and name every result after the latest call), drop system
// messages after the first, and fail on a null content. Each rewrite here keeps the
// meaning and avoids one of those failures. Earlier reasoning goes back in the field each
// server reads, and only while a tool loop runs: a turn that reached its answer loses it, by the
// renderer's own rule (harmony/turns.ts).
import { finishedTurnItems, isObject } from '../../harmony/index';
import { GENERIC_GATEWAY, HOSTED_PROVIDERS, isHostedKind, type ReasoningSendBack } from './providers';
import type { ServerKind } from '../types';

type Json = unknown;
type Message = Record<string, Json>;

/** Field each self-hosted server reads the reasoning of an earlier assistant message from; undefined: do not send it. */
const SELF_HOSTED_REASONING_FIELD: Record<'vllm' | 'sglang' | 'llamacpp' | 'ollama' | 'lmstudio', ReasoningSendBack | undefined> = {
  vllm: 'reasoning',
  // SGLang's gpt-oss chat path renders earlier assistant `reasoning_content` as analysis.
  sglang: 'reasoning_content',
  llamacpp: 'reasoning_content',
  ollama: 'reasoning',
  lmstudio: undefined,
};

export function reasoningField(kind: ServerKind): ReasoningSendBack | undefined {
  if (isHostedKind(kind)) return HOSTED_PROVIDERS[kind].sendBack;
  return kind === 'openai' ? GENERIC_GATEWAY.sendBack : SELF_HOSTED_REASONING_FIELD[kind];
}

/** The reasoning in the wire form of `field`; OpenRouter's details pass through as the client had them. */
function reasoningWire(field: ReasoningSendBack | undefined, reasoning: string, m: Message): Message {
  if (field === undefined || reasoning === '') return {};
  if (field !== 'reasoning_details') return { [field]: reasoning };
  const details = Array.isArray(m.reasoning_details) && m.reasoning_details.length > 0 ? m.reasoning_details : [{ type: 'reasoning.text', text: reasoning, index: 0 }];
  return { reasoning_details: details };
}

/** An assistant message with text and no tool call answered its turn; one with calls is a step of the loop. */
export function turnRole(m: Json): 'user' | 'answer' | 'other' {
  if (!isObject(m)) return 'other';
  if (m.role === 'user') return 'user';
  return m.role === 'assistant' && toolCallsOf(m).length === 0 && textOf(m.content) !== '' ? 'answer' : 'other';
}

const JINJA_KINDS: ReadonlySet<ServerKind> = new Set(['llamacpp', 'ollama', 'lmstudio']);

/** Text parts joined; non-text parts are dropped (gpt-oss reads text only). */
export function textOf(content: Json): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'string' ? part : isObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

export function reasoningOf(m: Message): string {
  for (const key of ['reasoning', 'reasoning_content', 'thinking']) {
    const text = textOf(m[key]);
    if (text !== '') return text;
  }
  return Array.isArray(m.reasoning_details) ? detailsText(m.reasoning_details) : '';
}

/** The text of OpenRouter `reasoning_details` items (`reasoning.text` text, `reasoning.summary` summary). */
export function detailsText(details: readonly unknown[]): string {
  return details.map((d) => (isObject(d) ? (typeof d.text === 'string' ? d.text : typeof d.summary === 'string' ? d.summary : '') : '')).join('');
}

export interface ToolCall {
  readonly id?: string;
  readonly name: string;
  readonly arguments: string;
}

export function toolCallsOf(m: Message): ToolCall[] {
  if (!Array.isArray(m.tool_calls)) return [];
  return m.tool_calls.flatMap((call): ToolCall[] => {
    if (!isObject(call) || !isObject(call.function) || typeof call.function.name !== 'string') return [];
    const args = call.function.arguments;
    return [
      {
        ...(typeof call.id === 'string' ? { id: call.id } : {}),
        name: call.function.name,
        arguments: typeof args === 'string' ? args : args === undefined || args === null ? '{}' : JSON.stringify(args),
      },
    ];
  });
}

function wireCall(call: ToolCall): Message {
  return { ...(call.id === undefined ? {} : { id: call.id }), type: 'function', function: { name: call.name, arguments: call.arguments } };
}

/** The history for `kind`, as a new array; the input is not modified. */
export function repairHistory(kind: ServerKind, messages: readonly Json[]): Message[] {
  const jinja = JINJA_KINDS.has(kind);
  const field = reasoningField(kind);
  const finished = finishedTurnItems(messages, turnRole);
  const instructions: string[] = [];
  const out: Message[] = [];
  const callNames = new Map<string, string>();
  // Results waiting to be placed right after their call, for servers that pair a result with the latest call.
  const pendingResults = new Map<string, Message>();

  const push = (m: Message): void => {
    out.push(m);
  };
  messages.forEach((raw, index) => {
    if (!isObject(raw)) return;
    const role = raw.role;
    if (role === 'system' || role === 'developer') {
      const text = textOf(raw.content);
      if (text !== '') instructions.push(text);
      return;
    }
    if (role === 'user') {
      push({ role: 'user', content: textOf(raw.content) });
      return;
    }
    if (role === 'assistant') {
      const content = textOf(raw.content);
      const reasoning = finished.has(index) ? '' : reasoningOf(raw);
      const calls = toolCallsOf(raw);
      for (const call of calls) if (call.id !== undefined) callNames.set(call.id, call.name);
      if (calls.length === 0) {
        if (content === '' && reasoning === '') return; // nothing to say; some servers reject it
        push({ role: 'assistant', content, ...reasoningWire(field, reasoning, raw) });
        return;
      }
      if (!jinja || calls.length === 1) {
        push({
          role: 'assistant',
          content,
          ...reasoningWire(field, reasoning, raw),
          tool_calls: calls.map(wireCall),
        });
        return;
      }
      // One call per message, each followed by its own result (collected from the messages after it).
      const later = messages.slice(index + 1);
      calls.forEach((call, i) => {
        push({
          role: 'assistant',
          content: i === 0 ? content : '',
          ...(i === 0 ? reasoningWire(field, reasoning, raw) : {}),
          tool_calls: [wireCall(call)],
        });
        if (i < calls.length - 1 && call.id !== undefined) {
          const result = later.find((m) => isObject(m) && m.role === 'tool' && m.tool_call_id === call.id);
          if (isObject(result)) {
            push(toolResult(result, call.name, jinja));
            pendingResults.set(call.id, result);
          }
        }
      });
      return;
    }
    if (role === 'tool') {
      const id = typeof raw.tool_call_id === 'string' ? raw.tool_call_id : undefined;
      if (id !== undefined && pendingResults.get(id) === raw) return; // already placed after its call
      const name = (id === undefined ? undefined : callNames.get(id)) ?? (typeof raw.name === 'string' && raw.name !== '' ? raw.name : undefined);
      const previous = out[out.length - 1];
      const follows = previous !== undefined && (Array.isArray(previous.tool_calls) || previous.role === 'tool');
      if (id === undefined || !callNames.has(id) || (jinja && !follows)) {
        // No call it answers: a user message the template accepts keeps the information.
        push({ role: 'user', content: `Result of tool call${name ? ` ${name}` : ''}:\n${textOf(raw.content)}` });
        return;
      }
      push(toolResult(raw, name, jinja));
      return;
    }
  });

  if (instructions.length > 0) out.unshift({ role: 'system', content: instructions.join('\n\n') });
  return out;
}

/** Ollama reads a result's tool from `name`; strict OpenAI-compatible servers reject the field. */
function toolResult(m: Message, name: string | undefined, withName: boolean): Message {
  return {
    role: 'tool',
    tool_call_id: m.tool_call_id,
    ...(name === undefined || !withName ? {} : { name }),
    content: textOf(m.content),
  };
}
