// Harmony output whose special tokens a server dropped while decoding (skip_special_tokens):
// `analysisThe user asks…assistantfinalThe answer…` or
// `…assistantcommentary to=functions.read_file json{"path":"a.ts"}`. What is left of each
// header is a seam of plain words; where the seams are unambiguous the text is split back
// into messages (reasoning, preambles, calls, answer), else it stays one answer with a note.
// Seen from SGLang, vLLM offline decode, MLX servers and text-generation UIs (docs/parser-recovery.md).
import { note, type ParserNote } from './notes';
import type { MessageHeader } from './parserTypes';

export interface StrippedMessage {
  /** `headerText` holds the seam words as written (`assistantfinal`), so no character is lost. */
  readonly header: MessageHeader;
  readonly content: string;
  readonly notes: ParserNote[];
}

export interface StrippedSplit {
  /** False when the text looked stripped but the seams were not clear: one answer, noted. */
  readonly split: boolean;
  readonly messages: StrippedMessage[];
}

export interface StrippedOptions {
  /**
   * The channel of text before the first seam when the text does not start with a channel
   * word: a chat server's reasoning field is `analysis` already. Without it such text is ambiguous.
   */
  readonly leadingChannel?: 'analysis';
}

const CHANNELS = 'analysis|commentary|final';
/** `assistant` + a channel, or `assistant to=` (recipient in the role): where a stripped header starts. */
const SEAM = new RegExp(`assistant(?:${CHANNELS}| to=)`, 'g');
/**
 * A channel word at the very start, glued to what follows (`analysisWe`, `final{`) or
 * followed by ` to=`. `analysis of…` or `finally` are ordinary words, not a header.
 */
const LEADING = new RegExp(`^(?:${CHANNELS})(?:(?=[^\\sa-z])| to=)`);
/** After the channel (or the role's recipient): ` to=NAME`, a content type, or both. */
const CONTENT_TYPE = /^(?:json|code|text)(?=[\s{["]|$)/;

function hasSeam(text: string): boolean {
  return firstSeam(text) >= 0;
}

/** Where the first `assistant` + channel (or ` to=`) seam starts, or -1. */
export function firstSeam(text: string): number {
  SEAM.lastIndex = 0;
  return SEAM.exec(text)?.index ?? -1;
}

const SEAM_WORDS = [...CHANNELS.split('|'), ' to='].map((after) => `assistant${after}`);
const SEAM_MAX_CHARS = Math.max(...SEAM_WORDS.map((w) => w.length));

/** How many characters at the end of `text` may be a seam split across deltas (`assis`, `assistantfin`): hold them. */
export function seamStartLength(text: string): number {
  for (let n = Math.min(text.length, SEAM_MAX_CHARS - 1); n > 0; n--) {
    const tail = text.slice(-n);
    if (SEAM_WORDS.some((word) => word.startsWith(tail))) return n;
  }
  return 0;
}

/** Does this text look like Harmony with its special tokens removed? */
export function looksStripped(text: string, options: StrippedOptions = {}): boolean {
  return LEADING.test(text) || (options.leadingChannel !== undefined && hasSeam(text));
}

const CHANNEL_WORDS = ['analysis', 'commentary', 'final'];

/** A start too short to tell yet (`analy`, `analysis`, `commentary t`): hold it. */
export function mayBecomeStripped(text: string): boolean {
  return CHANNEL_WORDS.some((word) => word.startsWith(text) || (text.startsWith(word) && ' to='.startsWith(text.slice(word.length))));
}

interface Header {
  readonly channel?: string;
  readonly recipient?: string;
  readonly contentType?: string;
  /** Characters the header used. */
  readonly length: number;
}

/**
 * A recipient runs up to the content type or the body: `functions.read_file json{`,
 * `functions.read_filejson{` (type glued on), `functions.Read File json{` (a name with a space).
 */
function readRecipient(text: string): { recipient: string; contentType?: string; length: number } | undefined {
  const line = /^[^\n{["]*/.exec(text)![0];
  const words = line.split(' ');
  let recipient = '';
  let used = 0;
  for (const word of words) {
    if (recipient !== '' && CONTENT_TYPE.test(word)) break;
    if (recipient !== '' && word === '') break;
    recipient += (recipient === '' ? '' : ' ') + word;
    used += word.length + (used === 0 ? 0 : 1);
  }
  let length = used;
  let contentType: string | undefined;
  const after = text.slice(length).replace(/^ /, '');
  const type = CONTENT_TYPE.exec(after);
  if (type) {
    contentType = type[0];
    length = text.length - after.length + contentType.length;
  } else {
    const glued = /(json|code)$/.exec(recipient);
    if (glued && /^[{["]/.test(text.slice(length)) && recipient.length > glued[0].length) {
      contentType = glued[1];
      recipient = recipient.slice(0, -glued[0].length);
    }
  }
  recipient = recipient.trim();
  if (recipient === '' || /\s$/.test(recipient)) return undefined;
  return { recipient, ...(contentType === undefined ? {} : { contentType }), length };
}

/** Reads a header at the start of `text` (seam word `assistant` already removed). */
function readHeader(text: string): Header | undefined {
  const role = /^ to=/.exec(text);
  if (role) {
    // `assistant to=functions.x` + `commentary` + ` json`: recipient in the role.
    const channelAt = text.search(new RegExp(`(?:${CHANNELS})(?: |json|code|[{["]|$)`));
    if (channelAt < 0) return undefined;
    const recipient = text.slice(4, channelAt).trim();
    if (recipient === '' || /\s/.test(recipient)) return undefined;
    const channel = new RegExp(`^(?:${CHANNELS})`).exec(text.slice(channelAt))![0];
    let length = channelAt + channel.length;
    const type = CONTENT_TYPE.exec(text.slice(length).replace(/^ /, ''));
    if (type) length = text.indexOf(type[0], length) + type[0].length;
    return { channel, recipient, ...(type ? { contentType: type[0] } : {}), length };
  }
  const channel = new RegExp(`^(?:${CHANNELS})`).exec(text)?.[0];
  if (channel === undefined) return undefined;
  let length = channel.length;
  if (text.startsWith(' to=', length)) {
    const read = readRecipient(text.slice(length + 4));
    if (!read) return undefined;
    return { channel, recipient: read.recipient, ...(read.contentType === undefined ? {} : { contentType: read.contentType }), length: length + 4 + read.length };
  }
  // `final json{…}` (a constrained answer) keeps its type; anything else is content.
  const type = / (json)(?=[{[])/.exec(text.slice(length, length + 6));
  if (type?.index === 0) length += type[0].length;
  return { channel, ...(type?.index === 0 ? { contentType: type[1] } : {}), length };
}

function ambiguous(text: string, why: string): StrippedSplit {
  return {
    split: false,
    messages: [{ header: { role: 'assistant', headerText: '' }, content: text, notes: [note('strippedAmbiguous', `looks like Harmony without its special tokens, but ${why}: kept as the answer`)] }],
  };
}

/**
 * Splits stripped Harmony into messages, or says why it cannot. Returns undefined when the
 * text does not look stripped at all (ordinary text: leave it alone).
 */
export function splitStrippedMarkers(text: string, options: StrippedOptions = {}): StrippedSplit | undefined {
  if (!looksStripped(text, options)) return undefined;
  const seams: number[] = [];
  SEAM.lastIndex = 0;
  for (let match = SEAM.exec(text); match; match = SEAM.exec(text)) seams.push(match.index);
  const leading = LEADING.test(text);
  const starts = leading ? [0, ...seams] : seams;
  const messages: StrippedMessage[] = [];
  const stripped = note('strippedMarkers', 'special tokens missing from the text (the server may skip them): split at the header words');
  if (starts[0] !== 0) {
    // A reasoning field whose text starts without a header: it is the analysis channel.
    messages.push({ header: { role: 'assistant', channel: options.leadingChannel!, headerText: '' }, content: text.slice(0, starts[0]), notes: [stripped] });
  }
  for (let i = 0; i < starts.length; i++) {
    const at = starts[i]!;
    const end = starts[i + 1] ?? text.length;
    // Only a leading channel word comes without the `assistant` of a seam.
    const seam = i === 0 && leading ? '' : 'assistant';
    const header = readHeader(text.slice(at + seam.length, end));
    if (!header) return ambiguous(text, `the header ${JSON.stringify(text.slice(at, Math.min(end, at + 60)))} cannot be read`);
    const headerEnd = at + seam.length + header.length;
    messages.push({
      header: {
        role: 'assistant',
        ...(header.channel === undefined ? {} : { channel: header.channel }),
        ...(header.recipient === undefined ? {} : { recipient: header.recipient }),
        ...(header.contentType === undefined ? {} : { contentType: header.contentType }),
        headerText: text.slice(at, headerEnd),
      },
      content: text.slice(headerEnd, end),
      notes: [stripped],
    });
  }
  return { split: true, messages };
}
