// A whole completion (or transcript) at once: the messages, and what a client makes of
// them. Every content character lands in exactly one of reasoning, preambles (in
// `messages` only), content, call arguments, or unparsed.
import { classify, type ClassifyOptions } from './classify';
import { createParser, type ParserOptions } from './parser';
import type { ParsedMessage, ParserEvent } from './parserTypes';

export interface ToolCall {
  readonly name: string;
  /** The parsed object, or the raw text when `invalidJson` or the content type is not JSON. */
  readonly arguments: unknown;
  readonly rawArguments: string;
  readonly invalidJson: boolean;
  readonly unknownName?: true;
  /** The output ended inside this call. */
  readonly truncated: boolean;
}

/** A call to a builtin tool (browser, python, container) that no one offered. */
export interface BuiltinCall {
  readonly recipient: string;
  readonly rawArguments: string;
}

export interface CompletionSummary {
  readonly messages: ParsedMessage[];
  /** Analysis text, one message per line. */
  readonly reasoning: string;
  /** Answer text, one message per line (preambles are in `messages` only). */
  readonly content: string;
  readonly toolCalls: ToolCall[];
  readonly builtinCalls: BuiltinCall[];
  /** The output ended inside a message. */
  readonly truncated: boolean;
  /** Text outside any message; in a completion, also messages that are not the assistant's (a tool result it made up). */
  readonly unparsed: string;
  readonly events: ParserEvent[];
}

export type CompletionOptions = Partial<ParserOptions> & ClassifyOptions;

export interface SummaryOptions extends ClassifyOptions {
  /** The events are a transcript: user, system and tool messages are messages, not stray output. */
  readonly transcript?: boolean;
}

export function summarise(events: readonly ParserEvent[], options: SummaryOptions = {}): CompletionSummary {
  const messages: ParsedMessage[] = [];
  const reasoning: string[] = [];
  const content: string[] = [];
  const toolCalls: ToolCall[] = [];
  const builtinCalls: BuiltinCall[] = [];
  let unparsed = '';
  for (const event of events) {
    if (event.type === 'unparsed') unparsed += event.text;
    if (event.type !== 'messageEnd') continue;
    const message = event.message;
    messages.push(message);
    const kind = classify(message, options);
    switch (kind.kind) {
      case 'reasoning':
        reasoning.push(message.content);
        break;
      case 'answer':
        content.push(message.content);
        break;
      case 'functionCall': {
        const { kind: _kind, ...call } = kind;
        toolCalls.push({ ...call, truncated: message.stop === 'truncated' });
        break;
      }
      case 'builtinCall':
        builtinCalls.push({ recipient: kind.recipient, rawArguments: kind.rawArguments });
        break;
      case 'other':
        if (!options.transcript) unparsed += message.content;
        break;
      case 'preamble':
        break;
      default: {
        const unknown: never = kind;
        throw new Error(`unclassified message ${JSON.stringify(unknown)}`);
      }
    }
  }
  return {
    messages,
    reasoning: reasoning.join('\n'),
    content: content.join('\n'),
    toolCalls,
    builtinCalls,
    truncated: messages.some((m) => m.stop === 'truncated'),
    unparsed,
    events: [...events],
  };
}

/**
 * Parses token ids or text (markup written literally) that follow the prompt's
 * `<|start|>assistant`; with `role: undefined`, a transcript that starts with `<|start|>`.
 */
export function parseCompletion(input: readonly number[] | string, options: CompletionOptions = {}): CompletionSummary {
  const role = 'role' in options ? options.role : 'assistant';
  const parser = createParser({ role });
  const events = typeof input === 'string' ? parser.pushText(input) : parser.pushTokens(input);
  events.push(...parser.end());
  return summarise(events, { ...options, transcript: role === undefined });
}
