// What a parsed message means to a client (docs/harmony-recovery.md): reasoning, a preamble the
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
  // A function's parameters are a JSON object whatever type the model wrote: gpt-oss-20b
  // labels such calls `code` at times (waybarrios/vllm-mlx#562). Other text under a non-JSON
  // type stays as written.
  const declaredJson = message.contentType === undefined || /json/i.test(message.contentType);
  // A function without parameters may be called with no arguments at all.
  if (declaredJson && raw.trim() === '') return { arguments: {}, invalidJson: false };
  try {
    const value: unknown = JSON.parse(raw);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { arguments: value, invalidJson: false };
  } catch {
    // not JSON: reported through invalidJson
  }
  return { arguments: raw, invalidJson: declaredJson };
}

/** The same normalisation that made the identifiers, case folded: `Read File`, `read-file` → `read_file`. */
const keyOf = (name: string): string => sanitiseFunctionName(name).toLowerCase();

/** Edit distance, stopping early once it exceeds `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, row[j]!);
    }
    if (best > limit) return limit + 1;
    previous = row;
  }
  return previous[b.length]!;
}

function exactName(name: string, names: ReadonlyMap<string, string>): string | undefined {
  const direct = names.get(name) ?? names.get(sanitiseFunctionName(name));
  if (direct !== undefined) return direct;
  const key = keyOf(name);
  for (const [identifier, original] of names) if (original === name || identifier.toLowerCase() === key || keyOf(original) === key) return original;
  return undefined;
}

/** The one offered name within a small edit distance, if exactly one is nearest. */
function nearestName(name: string, names: ReadonlyMap<string, string>): string | undefined {
  const key = keyOf(name);
  const limit = Math.max(1, Math.floor(key.length / 6));
  let best: string | undefined;
  let bestDistance = limit + 1;
  let ties = 0;
  for (const [identifier, original] of names) {
    const d = distance(key, identifier.toLowerCase(), limit);
    if (d < bestDistance) [best, bestDistance, ties] = [original, d, 1];
    else if (d === bestDistance) ties++;
  }
  return bestDistance <= limit && ties === 1 ? best : undefined;
}

/**
 * The offered function a name means. The model may write the sanitised identifier (the
 * normal case), the original name, the name with spaces or punctuation (`Read File`), the
 * content type glued on once markers were stripped (`read_filejson`), junk after the name,
 * or something close to one offered name (docs/harmony-recovery.md #11; issue 15).
 */
function offeredName(name: string, names: ReadonlyMap<string, string> | undefined): string | undefined {
  if (names === undefined) return undefined;
  const glued = /^(.+?)(?:json|code)$/.exec(name)?.[1];
  const firstWord = name.includes(' ') ? name.slice(0, name.indexOf(' ')) : undefined;
  for (const candidate of [name, glued, firstWord]) {
    const found = candidate === undefined ? undefined : exactName(candidate, names);
    if (found !== undefined) return found;
  }
  return nearestName(name, names);
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
