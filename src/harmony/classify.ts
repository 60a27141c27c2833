// What a parsed message means to a client (SPEC §4.6 step 6): reasoning, a preamble the
// user sees, the answer, a call to one of the offered functions, or a call to a builtin
// tool nobody offered — surfaced as such, never as answer text.
import { sanitiseFunctionName } from './functionNames';
import type { MessageHeader, ParsedMessage } from './parserTypes';
import { addressesTool } from './recipients';

export type MessageKind =
  | { readonly kind: 'reasoning' }
  | { readonly kind: 'preamble' }
  | { readonly kind: 'answer' }
  | {
      readonly kind: 'functionCall';
      /** The tool's own name, mapped back from the sanitised identifier the model saw. */
      readonly name: string;
      /** Parsed JSON when the content type is absent or mentions json; else the raw text. */
      readonly arguments: unknown;
      readonly rawArguments: string;
      /** JSON arguments that do not parse to an object (`arguments` is then the raw text). */
      readonly invalidJson: boolean;
      /** The name matches no offered function, even after mapping. */
      readonly unknownName?: true;
    }
  | { readonly kind: 'builtinCall'; readonly recipient: string; readonly rawArguments: string }
  /** Not the assistant's message: a tool result or a user turn in a transcript. */
  | { readonly kind: 'other' };

export interface ClassifyOptions {
  /** Sanitised identifier → original tool name (the renderer's `FunctionNames.fromModel`). */
  readonly functionNames?: ReadonlyMap<string, string>;
}

const BUILTIN = /^(?:browser|container)(?:\.|$)|^python$/;
const FUNCTIONS_PREFIX = 'functions.';

function argumentsOf(message: ParsedMessage): { arguments: unknown; invalidJson: boolean } {
  const raw = message.content;
  if (message.contentType !== undefined && !/json/i.test(message.contentType)) return { arguments: raw, invalidJson: false };
  // A function without parameters may be called with no arguments at all.
  if (raw.trim() === '') return { arguments: {}, invalidJson: false };
  try {
    const value: unknown = JSON.parse(raw);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { arguments: value, invalidJson: false };
  } catch {
    // not JSON: reported through invalidJson
  }
  return { arguments: raw, invalidJson: true };
}

/**
 * The offered function a name means. The model may write the sanitised identifier (the
 * normal case), the original name, or something close to either (SPEC §4.2 #11).
 */
function offeredName(name: string, names: ReadonlyMap<string, string> | undefined): string | undefined {
  if (names === undefined) return undefined;
  const direct = names.get(name) ?? names.get(sanitiseFunctionName(name));
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const [identifier, original] of names) {
    if (original === name || identifier.toLowerCase() === lower || original.toLowerCase() === lower) return original;
  }
  return undefined;
}

/** Works on a header alone too (content empty), so a call can be recognised when its message starts. */
export function classify(message: ParsedMessage | (MessageHeader & { content?: string }), options: ClassifyOptions = {}): MessageKind {
  if (message.role !== 'assistant') return { kind: 'other' };
  const full: ParsedMessage = 'stop' in message ? message : { ...message, content: message.content ?? '', stop: 'end', notes: [] };
  const recipient = full.recipient;
  if (recipient !== undefined && addressesTool(recipient)) {
    const prefixed = recipient.startsWith(FUNCTIONS_PREFIX);
    const name = prefixed ? recipient.slice(FUNCTIONS_PREFIX.length) : recipient;
    const offered = offeredName(name, options.functionNames);
    if (!prefixed && offered === undefined && BUILTIN.test(recipient)) return { kind: 'builtinCall', recipient, rawArguments: full.content };
    return {
      kind: 'functionCall',
      name: offered ?? name,
      rawArguments: full.content,
      ...argumentsOf(full),
      ...(offered === undefined && options.functionNames !== undefined ? { unknownName: true as const } : {}),
    };
  }
  switch (full.channel) {
    case 'analysis':
      return { kind: 'reasoning' };
    case 'commentary':
      return { kind: 'preamble' };
    default:
      // `final`; no channel (a refusal that skipped its header); a channel gpt-oss does not
      // have: shown as the answer rather than hidden.
      return { kind: 'answer' };
  }
}
