// Conversation → o200k_harmony token ids, piece by piece as openai/harmony renders:
// formatting tokens are appended by id, every other piece is encoded as ordinary text
// on its own, so text from users, files or tools can never become a control token.
import { HarmonyInputError } from './errors';
import type { SchemaStyle } from './schemaToTs';
import { developerText, systemText } from './sections';
import { appendIds, encodeOrdinary, encodeOrdinaryCached } from './tokenizer';
import { LITERAL, Special } from './tokens';
import { finishedTurnItems } from './turns';
import { ROLES, type Content, type Message, type Role } from './types';

/**
 * Which earlier chain of thought a prompt keeps.
 * - `dropFinishedTurns` (default): analysis of every user turn that reached a final answer is
 *   dropped; the trailing turn whose tool loop is still going keeps it (the format guide's "Handling
 *   reasoning output in subsequent sampling", https://cookbook.openai.com/articles/openai-harmony).
 * - `harmony`: openai/harmony's `auto_drop_analysis` rule, first-final quirk included.
 * - `keep`: everything is rendered (harmony's Rust default, no config).
 */
export type AnalysisPolicy = 'dropFinishedTurns' | 'harmony' | 'keep';

export interface RenderOptions {
  readonly analysis?: AnalysisPolicy;
  /** How tool descriptions and schemas are written: `safe` (default) or harmony's exact text (schemaToTs.ts). */
  readonly schemaStyle?: SchemaStyle;
}

/** What every message of one conversation is rendered with. */
interface RenderContext {
  readonly functionTools: boolean;
  readonly schemaStyle: SchemaStyle;
}

function appendText(out: number[], value: string): void {
  if (value !== '') appendIds(out, encodeOrdinaryCached(value));
}

/** Header words every prompt has: encoded once per process and never evicted with the memo. */
const FIXED_HEADER_PIECES = [...ROLES, 'analysis', 'commentary', 'final', 'json', ' ', ' to=assistant', ' to=all'];
let fixedHeaderIds: ReadonlyMap<string, readonly number[]> | undefined;

function appendHeaderText(out: number[], value: string): void {
  fixedHeaderIds ??= new Map(FIXED_HEADER_PIECES.map((piece) => [piece, encodeOrdinary(piece)]));
  const fixed = fixedHeaderIds.get(value);
  if (fixed !== undefined) appendIds(out, fixed);
  else appendText(out, value);
}

function hasFunctionTools(messages: readonly Message[]): boolean {
  return messages.some((m) =>
    m.content.some((c) => c.type === 'developer' && (c.developer.tools ?? []).some((ns) => ns.name === 'functions' && ns.tools.length > 0)),
  );
}

function renderContent(content: Content, role: Role, context: RenderContext, out: number[], path: string): void {
  switch (content.type) {
    case 'text':
      appendText(out, content.text);
      return;
    case 'system':
      if (role !== 'system') throw new HarmonyInputError(path, `system content may only appear in a system message, found in ${role}`);
      appendText(out, systemText(content.system, context.functionTools, context.schemaStyle));
      return;
    case 'developer':
      if (role !== 'developer') throw new HarmonyInputError(path, `developer content may only appear in a developer message, found in ${role}`);
      appendText(out, developerText(content.developer, context.schemaStyle));
      return;
    default: {
      const never: never = content;
      throw new HarmonyInputError(path, `unknown content ${JSON.stringify(never)}`);
    }
  }
}

function renderMessageInto(message: Message, context: RenderContext, out: number[], path: string): void {
  if (message.tokens !== undefined) {
    appendIds(out, message.tokens);
    return;
  }
  out.push(Special.start);
  const { role, name } = message.author;
  if (role === 'tool') {
    if (!name) throw new HarmonyInputError(`${path}.author.name`, 'a tool message needs the name of the tool that speaks');
    appendHeaderText(out, name);
  } else {
    appendHeaderText(out, role);
    if (name !== undefined) appendHeaderText(out, `:${name}`);
  }
  if (message.recipient !== undefined && message.recipient !== 'all') appendHeaderText(out, ` to=${message.recipient}`);
  if (message.channel !== undefined) {
    out.push(Special.channel);
    appendHeaderText(out, message.channel);
  }
  if (message.contentType !== undefined) {
    const constrained = message.contentType.startsWith(LITERAL.constrain);
    if (constrained) {
      appendHeaderText(out, ' ');
      out.push(Special.constrain);
      appendHeaderText(out, message.contentType.slice(LITERAL.constrain.length));
    } else {
      appendHeaderText(out, ` ${message.contentType}`);
    }
  }
  out.push(Special.message);
  message.content.forEach((content, i) => renderContent(content, role, context, out, `${path}.content[${i}]`));
  // Any recipient, even "all", makes an assistant message a call (harmony's rule).
  out.push(role === 'assistant' && message.recipient !== undefined ? Special.call : Special.end);
}

/** One message, from `<|start|>` to its terminator. */
export function renderMessage(message: Message, options: { conversationHasFunctionTools?: boolean; schemaStyle?: SchemaStyle } = {}): number[] {
  const out: number[] = [];
  renderMessageInto(message, { functionTools: options.conversationHasFunctionTools ?? false, schemaStyle: options.schemaStyle ?? 'safe' }, out, 'message');
  return out;
}

function droppedByHarmonyRule(messages: readonly Message[]): Set<number> {
  const dropped = new Set<number>();
  const lastAssistant = [...messages].reverse().find((m) => m.author.role === 'assistant');
  if (lastAssistant?.channel !== 'final') return dropped;
  const firstFinal = messages.findIndex((m) => m.channel === 'final');
  messages.forEach((m, i) => {
    if (firstFinal >= 0 && i < firstFinal && m.channel === 'analysis') dropped.add(i);
  });
  return dropped;
}

function droppedFinishedTurns(messages: readonly Message[]): Set<number> {
  const finished = finishedTurnItems(messages, (m) => (m.author.role === 'user' ? 'user' : m.author.role === 'assistant' && m.channel === 'final' ? 'answer' : 'other'));
  return new Set([...finished].filter((i) => messages[i]?.channel === 'analysis'));
}

function droppedAnalysis(messages: readonly Message[], policy: AnalysisPolicy): Set<number> {
  switch (policy) {
    case 'keep':
      return new Set();
    case 'harmony':
      return droppedByHarmonyRule(messages);
    case 'dropFinishedTurns':
      return droppedFinishedTurns(messages);
  }
}

/** The conversation's messages, back to back, with earlier analysis dropped per `options.analysis`. */
export function renderConversation(messages: readonly Message[], options: RenderOptions = {}): number[] {
  const out: number[] = [];
  const context: RenderContext = { functionTools: hasFunctionTools(messages), schemaStyle: options.schemaStyle ?? 'safe' };
  const dropped = droppedAnalysis(messages, options.analysis ?? 'dropFinishedTurns');
  messages.forEach((m, i) => {
    if (!dropped.has(i)) renderMessageInto(m, context, out, `messages[${i}]`);
  });
  return out;
}

/** A completion prompt: the conversation, then `<|start|>` and the next role (normally `assistant`). */
export function renderForCompletion(messages: readonly Message[], nextRole: Role = 'assistant', options: RenderOptions = {}): number[] {
  const out = renderConversation(messages, options);
  out.push(Special.start);
  appendHeaderText(out, nextRole);
  return out;
}

/** For training: as renderConversation, with a trailing final answer ended by `<|return|>`. */
export function renderForTraining(messages: readonly Message[], options: RenderOptions = {}): number[] {
  const out = renderConversation(messages, options);
  const last = messages[messages.length - 1];
  if (last?.author.role === 'assistant' && last.channel === 'final' && out.length > 0) out[out.length - 1] = Special.return;
  return out;
}
