// The streaming Harmony parser: one state machine fed token ids (raw completion
// endpoints) or text with literal markup (servers that only return text). Events come out
// as soon as they are certain. It never throws on model output and never drops a
// character: content goes to its message, header text to the header (or, when the header
// never ended, to the content), and text outside any message to `unparsed` events.
//
// Recoveries beyond openai/harmony's StreamableParser (docs/harmony-recovery.md): a stop token,
// `<|start|>` or the end of input inside a header still yields the message; `<|start|>` or
// `<|channel|>` inside content closes the message (a missing `<|end|>`); `<|channel|>`,
// `<|message|>` or `<|constrain|>` between messages opens an assistant message (a missing
// `<|start|>assistant`). In a completion, `<|call|>` and `<|return|>` end the turn: what
// the model wrote after them (a server that did not stop) is `unparsed`, markers and all,
// until a `<|start|>` opens a proper message (openai/harmony parses those: its
// test_simple_reasoning_response golden has one after `<|return|>`). Text before the
// first header of a completion is held: reasoning if a header follows (`We need…<|end|>
// <|start|>assistant<|channel|>final…`), the answer if none does; text with no markup at
// all whose special tokens a server stripped (`analysis…assistantfinal…`) is split at its
// seams when they are unambiguous (strippedMarkers.ts).
//
// Header text stays visible: every message keeps its header as written (`headerText`),
// words the header reader could not use are quoted in the message's `notes`, and a
// header that never reached `<|message|>` gives its unread rest to the content.
import { parseHeader, type HeaderMode, type HeaderPart } from './header';
import { note, type ParserNote } from './notes';
import type { MessageHeader, MessageStop, ParsedMessage, ParserEvent } from './parserTypes';
import { splitStrippedMarkers } from './strippedMarkers';
import { createMarkupSplitter, type MarkupSplitter, type TextToken } from './textTokens';
import { FIRST_SPECIAL_ID, Special, isSpecialId, specialText } from './tokens';
import { createUtf8Stream } from './utf8Stream';

export interface ParserOptions {
  /**
   * `assistant`: the input starts right after the prompt's `<|start|>assistant` (a completion).
   * `undefined`: the input starts with `<|start|>` (a transcript); the role is read from each header.
   */
  readonly role: 'assistant' | undefined;
}

export interface HarmonyParser {
  /** The model's token ids, as streamed. */
  pushTokens(ids: readonly number[]): ParserEvent[];
  /** Text with literal markup; a marker may be split anywhere between calls. */
  pushText(text: string): ParserEvent[];
  /** End of output: whatever is open is closed (`truncated`). Later calls return nothing. */
  end(): ParserEvent[];
  /** The messages completed so far, in order. */
  readonly messages: readonly ParsedMessage[];
}

/**
 * Past this many characters without `<|message|>` the header is taken to have run into
 * its content. Real headers are well under 200: `assistant to=functions.<64-char name>
 * <|channel|>commentary <|constrain|>json`.
 */
const MAX_HEADER_CHARS = 256;

type State =
  | {
      readonly kind: 'expectStart';
      /** Whitespace between messages: layout of the next header, or unparsed if text follows. */
      whitespace: string;
      /** First token not yet accounted for (ids mode): where the next message's span starts. */
      since: number;
    }
  | {
      readonly kind: 'header';
      readonly parts: HeaderPart[];
      /** First message of a completion, or opened by a bare `<|channel|>`: no role word expected. */
      readonly implicitRole: boolean;
      /** The completion's first header before any input: it may simply be empty. */
      pristine: boolean;
      chars: number;
      /** Text since the last `<|channel|>`, to tell a header's newline from layout before it. */
      section: string;
      readonly notes: ParserNote[];
      readonly spanStart: number;
    }
  | {
      readonly kind: 'content';
      readonly index: number;
      readonly header: MessageHeader;
      content: string;
      readonly notes: ParserNote[];
      readonly spanStart: number;
      /** Entered without `<|message|>` (the header ran into the content). */
      early: boolean;
    }
  | { readonly kind: 'ended' };

type HeaderState = Extract<State, { kind: 'header' }>;
type ContentState = Extract<State, { kind: 'content' }>;

const MISSING_MESSAGE = note('missingMessage', 'no <|message|> after the header: the rest is content');
const MISSING_MESSAGE_NO_CONTENT = note('missingMessage', 'no <|message|> after the header');
/** Some servers drop special tokens from their text (`analysisUser says…assistantfinal…`, oobabooga #7374). */
const NO_MARKUP = note('noMarkup', 'no Harmony markup in the output: the server may not render special tokens (token ids avoid this)');
const HEADERLESS = note('headerlessReasoning', 'text before the first header, read as reasoning because a header followed it');
const HEADER_OPENERS: ReadonlySet<number> = new Set([Special.channel, Special.constrain, Special.message]);

function assertNever(value: never): never {
  throw new Error(`unhandled parser state ${JSON.stringify(value)}`);
}

function stopOf(id: number): MessageStop | undefined {
  if (id === Special.end) return 'end';
  if (id === Special.call) return 'call';
  if (id === Special.return) return 'return';
  return undefined;
}

export function createParser(options: ParserOptions = { role: 'assistant' }): HarmonyParser {
  const completion = options.role === 'assistant';
  const messages: ParsedMessage[] = [];
  const utf8 = createUtf8Stream();
  let splitter: MarkupSplitter | undefined;
  /** Every id pushed, for each message's own span; unused once text was pushed. */
  const tokens: number[] = [];
  let textSeen = false;
  let nextIndex = 0;
  /** Set once `<|call|>` or `<|return|>` went by: generation should have stopped there. */
  let stoppedBy: 'call' | 'return' | undefined;
  let markerSeen = false;
  let out: ParserEvent[] = [];
  /**
   * The first message of a completion when it had no header at all: its events wait here
   * until a header follows (reasoning) or none can (the answer).
   */
  let headerless: ParserEvent[] | undefined;
  /** `<|start|>` markers with nothing between them, dropped: noted once on the next message. */
  let emptyHeaders = 0;
  let state: State = completion ? headerState({ implicitRole: true, pristine: true, spanStart: 0 }) : expectStart();

  function expectStart(): State {
    return { kind: 'expectStart', whitespace: '', since: tokens.length };
  }

  function headerState(init: { implicitRole: boolean; pristine: boolean; spanStart: number; layout?: string }): HeaderState {
    const layout = init.layout ?? '';
    return {
      kind: 'header',
      parts: layout === '' ? [] : [layout],
      implicitRole: init.implicitRole,
      pristine: init.pristine,
      chars: layout.length,
      section: layout,
      notes: [],
      spanStart: init.spanStart,
    };
  }

  /** Index of the token being processed (ids mode). */
  const here = (): number => tokens.length - 1;

  function span(start: number, end: number): { tokens?: readonly number[] } {
    return textSeen ? {} : { tokens: tokens.slice(start, end) };
  }

  function emit(event: ParserEvent): void {
    (headerless ?? out).push(event);
  }

  function unparsed(text: string, why = note('outsideMessage', 'text outside any message')): void {
    if (text === '') return;
    releaseHeaderless(false);
    out.push({ type: 'unparsed', text, note: why });
  }

  // ---- messages -------------------------------------------------------------------

  function startContent(header: MessageHeader, notes: ParserNote[], spanStart: number, early: boolean): ContentState {
    const index = nextIndex++;
    emit({ type: 'messageStart', index, header });
    return { kind: 'content', index, header, content: '', notes, spanStart, early };
  }

  function appendContent(m: ContentState, text: string): void {
    if (text === '') return;
    m.content += text;
    emit({ type: 'contentDelta', index: m.index, text });
  }

  function closeMessage(m: ContentState, stop: MessageStop, spanEnd: number): void {
    const message: ParsedMessage = { ...m.header, content: m.content, stop, notes: m.notes, ...span(m.spanStart, spanEnd) };
    messages.push(message);
    emit({ type: 'messageEnd', index: m.index, message });
  }

  /** A completion's first header that said nothing: role, channel, recipient and type all absent. */
  function isHeaderless(h: HeaderState, header: MessageHeader): boolean {
    return completion && h.implicitRole && nextIndex === 0 && header.channel === undefined && header.recipient === undefined && header.contentType === undefined;
  }

  function openHeader(h: HeaderState, mode: HeaderMode, extraNote?: ParserNote): ContentState {
    const parsed = parseHeader(h.parts, { implicitRole: h.implicitRole, mode });
    const notes = [...h.notes, ...parsed.notes];
    if (emptyHeaders > 0) {
      notes.unshift(note('strayToken', `${emptyHeaders} empty header${emptyHeaders === 1 ? '' : 's'} (<|start|> right after <|start|>) dropped`));
      emptyHeaders = 0;
    }
    if (extraNote === MISSING_MESSAGE && parsed.content === '') notes.push(MISSING_MESSAGE_NO_CONTENT);
    else if (extraNote) notes.push(extraNote);
    if (mode === 'salvage' && !markerSeen) notes.push(NO_MARKUP);
    if (mode === 'salvage' && isHeaderless(h, parsed.header)) headerless = [];
    const m = startContent(parsed.header, notes, h.spanStart, mode === 'salvage');
    appendContent(m, parsed.content);
    return m;
  }

  /** A header that never reached `<|message|>` still makes a message: nothing it said is lost. */
  function salvageHeader(h: HeaderState, stop: MessageStop, spanEnd: number, why: ParserNote): void {
    closeMessage(openHeader(h, 'salvage', why), stop, spanEnd);
  }

  /**
   * The held headerless message is decided: reasoning when a header followed it, else the
   * answer as it was, or, when the whole text had no markup, stripped Harmony split at its seams.
   */
  function releaseHeaderless(reasoning: boolean): void {
    if (!headerless) return;
    const held = headerless;
    headerless = undefined;
    const stripped = reasoning || markerSeen || !textSeen ? undefined : strippedSplit(held);
    if (stripped) {
      out.push(...stripped);
      return;
    }
    if (!reasoning) {
      out.push(...held);
      return;
    }
    const analysis = <T extends MessageHeader>(header: T): T => ({ ...header, channel: 'analysis' });
    for (const event of held) {
      if (event.type === 'messageStart') out.push({ ...event, header: analysis(event.header) });
      else if (event.type !== 'messageEnd') out.push(event);
      else {
        const notes = [...event.message.notes.filter((n) => n.code !== 'noMarkup' && n.code !== 'missingMessage'), HEADERLESS];
        const message: ParsedMessage = { ...analysis(event.message), notes };
        messages[messages.indexOf(event.message)] = message;
        out.push({ ...event, message });
      }
    }
  }

  /** The held message's events replaced by the messages of stripped Harmony, when it is that. */
  function strippedSplit(held: readonly ParserEvent[]): ParserEvent[] | undefined {
    const end = held.find((e) => e.type === 'messageEnd');
    if (end?.type !== 'messageEnd' || end.message.stop !== 'truncated') return undefined;
    const whole = (end.message.headerText ?? '') + end.message.content;
    const split = splitStrippedMarkers(whole);
    if (!split) return undefined;
    if (!split.split) {
      // Not clearly stripped: the answer as it was, with the reason it was not split.
      const message: ParsedMessage = { ...end.message, notes: [...end.message.notes, ...split.messages[0]!.notes] };
      messages[messages.indexOf(end.message)] = message;
      return held.map((e) => (e === end ? { ...end, message } : e));
    }
    const first = end.index;
    messages.splice(messages.indexOf(end.message), 1);
    nextIndex = first;
    const events: ParserEvent[] = [];
    split.messages.forEach((m, i) => {
      const index = nextIndex++;
      const last = i === split.messages.length - 1;
      const message: ParsedMessage = { ...m.header, content: m.content, stop: last ? 'truncated' : 'end', notes: m.notes };
      messages.push(message);
      events.push({ type: 'messageStart', index, header: m.header });
      if (m.content !== '') events.push({ type: 'contentDelta', index, text: m.content });
      events.push({ type: 'messageEnd', index, message });
    });
    return events;
  }

  /** After a stop token: in a completion `<|call|>`/`<|return|>` end the turn, `<|end|>` only the message. */
  function afterStop(stop: MessageStop): State {
    if (stop === 'call' || stop === 'return') {
      stoppedBy = stop;
      releaseHeaderless(false);
    }
    return expectStart();
  }

  // ---- text ---------------------------------------------------------------------------

  function text(piece: string): void {
    if (piece === '') return;
    switch (state.kind) {
      case 'expectStart': {
        // Trailing whitespace may be the layout before the next header: held, whatever the chunking.
        const pending = state.whitespace + piece;
        const shown = pending.trimEnd();
        state.whitespace = pending.slice(shown.length);
        if (shown !== '') {
          state.since = tokens.length;
          unparsed(shown, stoppedBy ? afterStopNote() : undefined);
        }
        return;
      }
      case 'header':
        takeHeaderText(state, piece);
        return;
      case 'content':
        appendContent(state, piece);
        return;
      case 'ended':
        return;
      default:
        assertNever(state);
    }
  }

  function afterStopNote(): ParserNote {
    return note('afterStop', `text after <|${stoppedBy}|>, where generation should have stopped`);
  }

  function takeHeaderText(h: HeaderState, piece: string): void {
    h.pristine = false;
    // Where the header gives up: after a newline that follows a word, or at the length limit.
    // Found by position, not by chunk, so every chunking of a text reads the same.
    const room = MAX_HEADER_CHARS - h.chars;
    let cut = -1;
    for (let at = piece.indexOf('\n'); at >= 0 && at < room; at = piece.indexOf('\n', at + 1)) {
      if ((h.section + piece.slice(0, at)).trim() !== '') {
        cut = at + 1;
        break;
      }
    }
    if (cut < 0 && piece.length > room) cut = room;
    const kept = cut < 0 ? piece : piece.slice(0, cut);
    if (kept !== '') {
      const last = h.parts.length - 1;
      if (typeof h.parts[last] === 'string') h.parts[last] += kept;
      else h.parts.push(kept);
      h.chars += kept.length;
      h.section += kept;
    }
    if (cut < 0) return;
    const m = openHeader(h, 'salvage', MISSING_MESSAGE);
    state = m;
    appendContent(m, piece.slice(cut));
  }

  // ---- markers ------------------------------------------------------------------------

  function marker(id: number): void {
    markerSeen = true;
    switch (state.kind) {
      case 'expectStart':
        markerBetweenMessages(state, id);
        break;
      case 'header':
        markerInHeader(state, id);
        break;
      case 'content':
        markerInContent(state, id);
        break;
      case 'ended':
        return;
      default:
        assertNever(state);
    }
    // A header follows the held headerless text: it was reasoning.
    if (headerless && (id === Special.start || id === Special.channel)) releaseHeaderless(true);
  }

  function markerBetweenMessages(s: Extract<State, { kind: 'expectStart' }>, id: number): void {
    const layout = s.whitespace;
    const spanStart = layout === '' ? here() : s.since;
    if (id === Special.start) {
      state = headerState({ implicitRole: false, pristine: false, spanStart, layout });
      return;
    }
    const stop = stopOf(id);
    if (stoppedBy && completion && stop === undefined) {
      // The turn ended: only `<|start|>` opens a message (harmony's rule); no other marker
      // invents one (`<|call|>commentary<|channel|>commentary to=functions.x…` is run-on output).
      text(specialText(id)!);
      return;
    }
    if (HEADER_OPENERS.has(id)) {
      const h = headerState({ implicitRole: true, pristine: false, spanStart, layout });
      h.notes.push(note('missingStart', `no <|start|>assistant before ${specialText(id)}`));
      state = h;
      markerInHeader(h, id);
      return;
    }
    // A repeated stop token or a stray special between messages carries nothing to show.
    if (stop === 'call' || stop === 'return') afterStop(stop);
    if (layout === '') s.since = tokens.length;
  }

  /**
   * The completion's first header holds words that are no header syntax (`We need to answer.`)
   * and a `<|channel|>` comes: the words were a message without a header, not header junk.
   */
  function textBeforeFirstHeader(h: HeaderState): boolean {
    if (!completion || !h.implicitRole || nextIndex !== 0 || !h.parts.every((part) => typeof part === 'string')) return false;
    return parseHeader(h.parts, { implicitRole: true, mode: 'salvage' }).content.trim() !== '';
  }

  function markerInHeader(h: HeaderState, id: number): void {
    const stop = stopOf(id);
    if (id === Special.channel && textBeforeFirstHeader(h)) {
      salvageHeader(h, 'end', here(), MISSING_MESSAGE);
      const next = headerState({ implicitRole: true, pristine: false, spanStart: here() });
      next.notes.push(note('missingStart', 'no <|start|>assistant before <|channel|>'));
      state = next;
      markerInHeader(next, id);
    } else if (id === Special.message) {
      state = openHeader(h, 'complete');
    } else if (id === Special.channel || id === Special.constrain) {
      h.pristine = false;
      h.parts.push(id);
      if (id === Special.channel) h.section = '';
    } else if (stop !== undefined) {
      if (h.pristine) {
        state = afterStop(stop);
        return;
      }
      salvageHeader(h, stop, here() + 1, MISSING_MESSAGE);
      state = afterStop(stop);
    } else if (id === Special.start) {
      // `<|start|><|start|>`: an empty header says nothing; it is counted, not made a message
      // (9 MB of `<|start|>` made a million messages).
      if (h.parts.length === 0 && h.notes.length === 0 && !h.implicitRole) emptyHeaders++;
      else if (!h.pristine) salvageHeader(h, 'end', here(), note('headerCutShort', 'header cut short by <|start|>'));
      state = headerState({ implicitRole: false, pristine: false, spanStart: here() });
    } else {
      h.notes.push(note('strayToken', `stray ${specialText(id)} in the header dropped`));
    }
  }

  function markerInContent(m: ContentState, id: number): void {
    const stop = stopOf(id);
    if (stop !== undefined) {
      closeMessage(m, stop, here() + 1);
      state = afterStop(stop);
    } else if (id === Special.start) {
      m.notes.push(note('missingEnd', 'no <|end|> before <|start|>'));
      closeMessage(m, 'end', here());
      state = headerState({ implicitRole: false, pristine: false, spanStart: here() });
    } else if (id === Special.channel) {
      m.notes.push(note('missingEnd', 'no <|end|> before <|channel|>'));
      closeMessage(m, 'end', here());
      const h = headerState({ implicitRole: true, pristine: false, spanStart: here() });
      h.notes.push(note('missingStart', 'no <|start|>assistant before <|channel|>'));
      state = h;
      markerInHeader(h, id);
    } else if (id === Special.message && m.early && m.content === '') {
      // The header only looked unfinished (a newline before `<|message|>`): it was a header.
      m.early = false;
      const at = m.notes.indexOf(MISSING_MESSAGE_NO_CONTENT);
      if (at >= 0) m.notes.splice(at, 1);
    } else {
      m.notes.push(note('strayToken', `stray ${specialText(id)} in the content dropped`));
    }
  }

  // ---- input --------------------------------------------------------------------------

  /** An id no vocabulary has (out of range, negative, not an integer): U+FFFD, and said so. */
  function invalidId(id: number): void {
    const why = note('invalidTokenId', `token id ${JSON.stringify(id)} is not in the vocabulary: shown as U+FFFD`);
    if (state.kind === 'header' || state.kind === 'content') {
      if (!state.notes.some((n) => n.code === 'invalidTokenId')) state.notes.push(why);
      text(utf8.push(id));
    } else if (state.kind === 'expectStart') {
      const layout = state.whitespace;
      state.whitespace = '';
      state.since = tokens.length;
      unparsed(layout + utf8.push(id), why);
    } else {
      text(utf8.push(id));
    }
  }

  function takeToken(id: number): void {
    tokens.push(id);
    // Ordinary ids first: nearly every token is one (o200k's ranks 0…199997 have no gaps).
    if (id >= 0 && id < FIRST_SPECIAL_ID && (id | 0) === id) {
      text(utf8.push(id));
    } else if (isSpecialId(id)) {
      text(utf8.flush());
      marker(id);
    } else {
      invalidId(id);
    }
  }

  function takeTextToken(piece: TextToken): void {
    if (typeof piece === 'string') text(piece);
    else marker(piece);
  }

  function finish(): void {
    switch (state.kind) {
      case 'expectStart':
        unparsed(state.whitespace, stoppedBy ? afterStopNote() : undefined);
        break;
      case 'header':
        if (!state.pristine) salvageHeader(state, 'truncated', tokens.length, note('cutInHeader', 'cut off in the header'));
        break;
      case 'content':
        closeMessage(state, 'truncated', tokens.length);
        break;
      case 'ended':
        return;
      default:
        assertNever(state);
    }
    releaseHeaderless(false);
    state = { kind: 'ended' };
  }

  function run(step: () => void): ParserEvent[] {
    if (state.kind === 'ended') throw new Error('the Harmony parser has already ended');
    out = [];
    step();
    return out;
  }

  /** Text held by the splitter is released before ids are taken, so order is kept. */
  function releaseHeldText(): void {
    if (splitter) for (const piece of splitter.end()) takeTextToken(piece);
  }

  return {
    pushTokens(ids) {
      return run(() => {
        releaseHeldText();
        for (const id of ids) takeToken(id);
      });
    },
    pushText(chunk) {
      return run(() => {
        textSeen = true;
        text(utf8.flush());
        splitter ??= createMarkupSplitter();
        for (const piece of splitter.push(chunk)) takeTextToken(piece);
      });
    },
    end() {
      if (state.kind === 'ended') return [];
      out = [];
      releaseHeldText();
      text(utf8.flush());
      finish();
        return out;
    },
    get messages() {
      return messages;
    },
  };
}
