// A message header (`assistant to=functions.x<|channel|>commentary <|constrain|>json`) →
// role, channel, recipient and content type, after the recoveries of docs/harmony-recovery.md:
// several `<|channel|>` markers (the last one counts; a stray `to=assistant` before it
// is dropped), recipient in the role or the channel part, `<|constrain|>` glued to the
// recipient, a content type with or without `<|constrain|>`, junk words noted, and a
// header that ran into its content (no `<|message|>`) split into header and content.
import { note, type ParserNote } from './notes';
import type { MessageHeader } from './parserTypes';
import { NON_TOOL_RECIPIENTS } from './recipients';
import { LITERAL, Special } from './tokens';

/** Header input as it arrived: text, or the id of `<|channel|>` or `<|constrain|>`. */
export type HeaderPart = string | number;

/**
 * `complete`: the header ended with `<|message|>`, so every word is header (junk is noted).
 * `salvage`: it never did (a stop token, the end of the stream, or a header too long to
 * be one): the first word that is not header syntax starts the content.
 */
export type HeaderMode = 'complete' | 'salvage';

export interface HeaderOptions {
  /** The role is known without a role word: the first message of a completion, or one opened by a bare `<|channel|>`. */
  readonly implicitRole: boolean;
  readonly mode: HeaderMode;
}

export interface ParsedHeader {
  readonly header: MessageHeader;
  /** Salvage mode: the text after the header, which is the message's first content. */
  readonly content: string;
  readonly notes: ParserNote[];
}

const CHANNEL_LITERAL = LITERAL.channel;
const CONSTRAIN_LITERAL = LITERAL.constrain;
const ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const KNOWN_CHANNELS: ReadonlySet<string> = new Set(['analysis', 'commentary', 'final']);
/** `functions.get_weather`, `browser.search`, `container.exec`: a tool author or recipient. */
const DOTTED_NAME = /^[A-Za-z_][\w$-]*(?:\.[\w$-]+)+$/;
/** A known channel name with garbage glued on (`commentary?commentary?We`, seen in llama.cpp #27720). */
const CHANNEL_WITH_TAIL = /^(analysis|commentary|final)(?=[^\w-])/;
/**
 * Bare words accepted as a content type. Anything else is junk, not a type: a junk type
 * containing no "json" would make a call's arguments be read as raw text.
 */
const BARE_CONTENT_TYPE = /^(?:json|code|text|markdown|md|plain|python|javascript|js|typescript|ts|html|xml|yaml|yml|toml|csv|sql|bash|sh|shell)$/i;
const MIME_TYPE = /^[\w.+-]+\/[\w.+-]+$/;

interface Section {
  text: string;
  /** Offsets in `text` where a `<|constrain|>` marker stood. */
  readonly constrainAt: number[];
}

interface Word {
  readonly text: string;
  /** Introduced by `<|constrain|>`. */
  readonly constrained: boolean;
  /** Offset in the section text where the word (or its `<|constrain|>`) begins. */
  readonly start: number;
}

function sectionsOf(parts: readonly HeaderPart[]): Section[] {
  const sections: Section[] = [{ text: '', constrainAt: [] }];
  for (const part of parts) {
    const section = sections[sections.length - 1]!;
    if (typeof part === 'string') section.text += part;
    else if (part === Special.channel) sections.push({ text: '', constrainAt: [] });
    else if (part === Special.constrain) section.constrainAt.push(section.text.length);
  }
  return sections;
}

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r' || /\s/.test(ch);

function wordsOf(section: Section): Word[] {
  const { text, constrainAt } = section;
  const words: Word[] = [];
  // `from` stays undefined while a `<|constrain|>` waits for its value.
  let open: { start: number; from: number | undefined; constrained: boolean } | undefined;
  const close = (at: number): void => {
    if (open) words.push({ text: open.from === undefined ? '' : text.slice(open.from, at), constrained: open.constrained, start: open.start });
    open = undefined;
  };
  let marker = 0;
  for (let i = 0; i <= text.length; i++) {
    while (constrainAt[marker] === i) {
      close(i);
      open = { start: i, from: undefined, constrained: true };
      marker++;
    }
    if (i === text.length) break;
    if (isSpace(text[i]!)) {
      // `<|constrain|> json` (the docs' sample has this stray space) is one word, not two.
      if (open && open.from !== undefined) close(i);
    } else if (!open) open = { start: i, from: i, constrained: false };
    else open.from ??= i;
  }
  close(text.length);
  return words;
}

/** The section as written, markers included, up to `end`. */
function literal(section: Section, end = section.text.length): string {
  let out = '';
  let from = 0;
  for (const at of section.constrainAt) {
    if (at >= end) break;
    out += section.text.slice(from, at) + CONSTRAIN_LITERAL;
    from = at;
  }
  return out + section.text.slice(from, end);
}

function isContentType(word: string): boolean {
  return BARE_CONTENT_TYPE.test(word) || MIME_TYPE.test(word) || (/json/i.test(word) && /^[\w.+-]+$/.test(word));
}

/** A bare word naming a tool, taken as a recipient that lost its `to=` (harmony's legacy form). */
function isToolName(word: string): boolean {
  return word === 'python' || (DOTTED_NAME.test(word) && /^(?:functions|browser|container)\./.test(word));
}

type RoleWord = { role: string; name?: string } | undefined;

function roleOf(word: string): RoleWord {
  const colon = word.indexOf(':');
  const head = colon < 0 ? word : word.slice(0, colon);
  if (ROLES.has(head)) return colon < 0 || colon === word.length - 1 ? { role: head } : { role: head, name: word.slice(colon + 1) };
  if (DOTTED_NAME.test(word) || word === 'python') return { role: 'tool', name: word };
  return undefined;
}

class HeaderReader {
  readonly notes: ParserNote[] = [];
  role = 'assistant';
  name: string | undefined;
  channel: string | undefined;
  recipient: string | undefined;
  contentType: string | undefined;
  private readonly junk: string[] = [];
  /** The last word read was the recipient: a plain word after it is part of the name (`to=functions.Read File`). */
  private inRecipient = false;

  constructor(
    private readonly sections: Section[],
    private readonly words: readonly (readonly Word[])[],
  ) {}

  /** Consumes the role word of section 0; returns how many words it used. */
  readRole(implicitRole: boolean): number {
    const first = this.words[0]![0];
    if (first === undefined || first.constrained) {
      if (!implicitRole) this.notes.push(note('role', 'no role after <|start|>; read as assistant'));
      return 0;
    }
    if (implicitRole) return first.text === 'assistant' ? 1 : 0;
    if (first.text.startsWith('to=')) return 0;
    const role = roleOf(first.text);
    if (role === undefined) {
      this.notes.push(note('role', `unknown role ${JSON.stringify(first.text)}; read as assistant`));
      return 0;
    }
    this.role = role.role;
    this.name = role.name;
    return 1;
  }

  /** The first word after a `<|channel|>` names the channel, unless it is a recipient or a content type. */
  private channelWord(s: number): Word | undefined {
    const first = this.words[s]![0];
    return first === undefined || first.constrained || first.text.startsWith('to=') ? undefined : first;
  }

  /**
   * The channel comes from the last `<|channel|>` followed by a word; earlier ones are
   * stray (gpt-oss-20b's `<|channel|>commentary to=assistant` prefix) and their channel
   * word is dropped. Returns the chosen section, which sections had a channel word, and
   * the chosen section's words after its channel (garbage glued to the channel included).
   */
  readChannel(): { chosen: number | undefined; named: ReadonlySet<number>; rest: readonly Word[] } {
    const named = new Set<number>();
    for (let s = 1; s < this.sections.length; s++) if (this.channelWord(s)) named.add(s);
    const chosen = named.size === 0 ? undefined : Math.max(...named);
    for (let s = 1; s < this.sections.length; s++) {
      if (s === chosen) continue;
      const text = literal(this.sections[s]!).trim();
      this.notes.push(note('strayHeader', text === '' ? 'empty <|channel|> dropped' : `stray header ${JSON.stringify(CHANNEL_LITERAL + text)} dropped`));
    }
    if (chosen === undefined) return { chosen, named, rest: [] };
    const [word, ...rest] = this.words[chosen]!;
    if (word!.start > 0) this.notes.push(note('channel', 'space after <|channel|>'));
    const tail = CHANNEL_WITH_TAIL.exec(word!.text);
    this.channel = tail ? tail[1]! : word!.text;
    if (tail) {
      this.notes.push(note('channel', `channel ${JSON.stringify(word!.text)} read as ${JSON.stringify(this.channel)}`));
      rest.unshift({ text: word!.text.slice(this.channel.length), constrained: false, start: word!.start + this.channel.length });
    }
    if (!KNOWN_CHANNELS.has(this.channel)) this.notes.push(note('channel', `unknown channel ${JSON.stringify(this.channel)}`));
    return { chosen, named, rest };
  }

  private takeRecipient(value: string, stray: boolean): void {
    if (value === '') this.notes.push(note('recipient', 'empty recipient "to=" ignored'));
    else if (stray && NON_TOOL_RECIPIENTS.has(value)) return; // a person on a stray header means nothing
    else if (this.recipient === undefined) this.recipient = value;
    else if (this.recipient === value) this.notes.push(note('recipient', `recipient ${JSON.stringify(value)} repeated`));
    else this.notes.push(note('recipient', `second recipient ${JSON.stringify(value)} ignored`));
  }

  /** Every word is header: meaning or junk. The recipient runs up to the content type, `<|constrain|>` or `<|message|>`. */
  readWord(word: Word, stray: boolean): void {
    const continuesName = this.inRecipient && !word.constrained && !word.text.startsWith('to=') && !isContentType(word.text);
    this.inRecipient = false;
    if (continuesName && this.recipient !== undefined) {
      this.recipient += ` ${word.text}`;
      this.inRecipient = true;
    } else if (!word.constrained && word.text.startsWith('to=')) {
      const before = this.recipient;
      this.takeRecipient(word.text.slice(3), stray);
      this.inRecipient = before === undefined && this.recipient !== undefined;
    } else if (word.constrained) {
      if (this.contentType?.startsWith(CONSTRAIN_LITERAL)) this.junk.push(CONSTRAIN_LITERAL + word.text);
      else {
        if (this.contentType !== undefined) this.junk.push(this.contentType);
        this.contentType = CONSTRAIN_LITERAL + word.text;
      }
    } else if (this.recipient === undefined && isToolName(word.text)) {
      this.recipient = word.text;
      this.notes.push(note('recipient', `recipient ${JSON.stringify(word.text)} without "to="`));
    } else if (this.contentType === undefined && isContentType(word.text)) this.contentType = word.text;
    else this.junk.push(word.text);
  }

  /** Salvage: header syntax is read until the first word that is not; returns where content starts. */
  readUntilContent(words: readonly Word[], sectionText: string): number | undefined {
    let afterRecipient = false;
    for (const word of words) {
      if (!word.constrained && word.text.startsWith('to=')) {
        this.takeRecipient(word.text.slice(3), false);
        afterRecipient = true;
        continue;
      }
      const type = word.constrained ? (/^[\w.+/-]*/.exec(word.text)?.[0] ?? '') : '';
      const at = word.constrained ? sectionText.indexOf(word.text, word.start) : -1;
      if (word.constrained && type !== '' && type.length < word.text.length && at >= 0) {
        // `<|constrain|>json{"city":"Tokyo"}`: no <|message|>, and the content glued to its type.
        this.readWord({ ...word, text: type }, false);
        return at + type.length;
      }
      if (word.constrained) this.readWord(word, false);
      else if (afterRecipient && this.contentType === undefined && isContentType(word.text)) this.contentType = word.text;
      else return word.start;
      afterRecipient = false;
    }
    return undefined;
  }

  /** `<|channel|>` ends a recipient's name. */
  endSection(): void {
    this.inRecipient = false;
  }

  noteJunk(): void {
    if (this.junk.length > 0) this.notes.push(note('headerJunk', `ignored header text ${JSON.stringify(this.junk.join(' '))}`));
  }

  header(headerText: string): MessageHeader {
    return {
      role: this.role,
      ...(this.name === undefined ? {} : { name: this.name }),
      ...(this.channel === undefined ? {} : { channel: this.channel }),
      ...(this.recipient === undefined ? {} : { recipient: this.recipient }),
      ...(this.contentType === undefined ? {} : { contentType: this.contentType }),
      headerText,
    };
  }
}

export function parseHeader(parts: readonly HeaderPart[], options: HeaderOptions): ParsedHeader {
  const sections = sectionsOf(parts);
  const words = sections.map(wordsOf);
  const reader = new HeaderReader(sections, words);
  const roleWords = reader.readRole(options.implicitRole);
  const { chosen, named, rest } = reader.readChannel();
  const last = sections.length - 1;
  // Words after the role word or the channel word: what is left to read in each section.
  const unread = (s: number): readonly Word[] => (s === chosen ? rest : words[s]!.slice(s === 0 ? roleWords : named.has(s) ? 1 : 0));
  const stray = (s: number): boolean => s >= 1 && s !== chosen;

  const headerSections = options.mode === 'complete' ? sections.length : last;
  for (let s = 0; s < headerSections; s++) {
    reader.endSection();
    for (const word of unread(s)) reader.readWord(word, stray(s));
  }
  reader.endSection();
  let headerText = sections.map((section) => literal(section)).join(CHANNEL_LITERAL);
  let content = '';
  if (options.mode === 'salvage') {
    const section = sections[last]!;
    const start = reader.readUntilContent(unread(last), section.text);
    if (start !== undefined) {
      headerText = [...sections.slice(0, last).map((s) => literal(s)), literal(section, start)].join(CHANNEL_LITERAL);
      content = section.text.slice(start);
      if (section.constrainAt.some((at) => at > start)) reader.notes.push(note('constrainInContent', '<|constrain|> in the content dropped'));
    }
  }
  reader.noteJunk();
  return { header: reader.header(headerText), content, notes: reader.notes };
}
