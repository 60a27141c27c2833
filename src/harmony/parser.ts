// The streaming Harmony parser: one state machine fed token ids (raw completion
// endpoints) or text with literal markup (servers that only return text). Events come out
// as soon as they are certain. It never throws on model output and never drops a
// character: content goes to its message, header text to the header (or, when the header
// never ended, to the content), and text outside any message to `unparsed` events.
//
// Recoveries beyond openai/harmony's StreamableParser (SPEC §4.2, §4.6): a stop token,
// `<|start|>` or the end of input inside a header still yields the message; `<|start|>` or
// `<|channel|>` inside content closes the message (a missing `<|end|>`); `<|channel|>`,
// `<|message|>` or `<|constrain|>` between messages opens an assistant message (a missing
// `<|start|>assistant`); messages after `<|call|>`/`<|return|>` are parsed (generation
// should have stopped, but the text is the model's) and plain text there is `unparsed`.
//
// Header text stays visible: every message keeps its header as written (`headerText`),
// words the header reader could not use are quoted in the message's `notes`, and a
// header that never reached `<|message|>` gives its unread rest to the content.
import { parseHeader, type HeaderMode, type HeaderPart } from './header';
import type { MessageHeader, MessageStop, ParsedMessage, ParserEvent } from './parserTypes';
import { createMarkupSplitter, type MarkupSplitter, type TextToken } from './textTokens';
import { Special, isSpecialId, specialText } from './tokens';
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
      readonly notes: string[];
      readonly spanStart: number;
    }
  | {
      readonly kind: 'content';
      readonly index: number;
      readonly header: MessageHeader;
      content: string;
      readonly notes: string[];
      readonly spanStart: number;
      /** Entered without `<|message|>` (the header ran into the content). */
      early: boolean;
    }
  | { readonly kind: 'ended' };

type HeaderState = Extract<State, { kind: 'header' }>;
type ContentState = Extract<State, { kind: 'content' }>;

const MISSING_MESSAGE = 'no <|message|> after the header: the rest is content';
const MISSING_MESSAGE_NO_CONTENT = 'no <|message|> after the header';
/** SPEC §4.2 #16: some servers drop special tokens from their text (`analysisUser says…assistantfinal…`). */
const NO_MARKUP = 'no Harmony markup in the output: the server may not render special tokens (token ids avoid this)';
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
  let state: State =
    options.role === 'assistant' ? headerState({ implicitRole: true, pristine: true, spanStart: 0 }) : expectStart();

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

  function unparsed(text: string): void {
    if (text === '') return;
    const note = stoppedBy ? `text after <|${stoppedBy}|>, where generation should have stopped` : 'text outside any message';
    out.push({ type: 'unparsed', text, note });
  }

  // ---- messages -------------------------------------------------------------------

  function startContent(header: MessageHeader, notes: string[], spanStart: number, early: boolean): ContentState {
    const index = nextIndex++;
    out.push({ type: 'messageStart', index, header });
    return { kind: 'content', index, header, content: '', notes, spanStart, early };
  }

  function appendContent(m: ContentState, text: string): void {
    if (text === '') return;
    m.content += text;
    out.push({ type: 'contentDelta', index: m.index, text });
  }

  function closeMessage(m: ContentState, stop: MessageStop, spanEnd: number): void {
    const message: ParsedMessage = { ...m.header, content: m.content, stop, notes: m.notes, ...span(m.spanStart, spanEnd) };
    messages.push(message);
    out.push({ type: 'messageEnd', index: m.index, message });
  }

  function openHeader(h: HeaderState, mode: HeaderMode, extraNote?: string): ContentState {
    const parsed = parseHeader(h.parts, { implicitRole: h.implicitRole, mode });
    const notes = [...h.notes, ...parsed.notes];
    if (extraNote === MISSING_MESSAGE && parsed.content === '') notes.push(MISSING_MESSAGE_NO_CONTENT);
    else if (extraNote) notes.push(extraNote);
    if (mode === 'salvage' && !markerSeen) notes.push(NO_MARKUP);
    const m = startContent(parsed.header, notes, h.spanStart, mode === 'salvage');
    appendContent(m, parsed.content);
    return m;
  }

  /** A header that never reached `<|message|>` still makes a message: nothing it said is lost. */
  function salvageHeader(h: HeaderState, stop: MessageStop, spanEnd: number, note: string): void {
    closeMessage(openHeader(h, 'salvage', note), stop, spanEnd);
  }

  /** After a stop token: `<|call|>`/`<|return|>` end generation, `<|end|>` only the message. */
  function afterStop(stop: MessageStop): State {
    if (stop === 'call' || stop === 'return') stoppedBy = stop;
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
          unparsed(shown);
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
        return;
      case 'header':
        markerInHeader(state, id);
        return;
      case 'content':
        markerInContent(state, id);
        return;
      case 'ended':
        return;
      default:
        assertNever(state);
    }
  }

  function markerBetweenMessages(s: Extract<State, { kind: 'expectStart' }>, id: number): void {
    const layout = s.whitespace;
    const spanStart = layout === '' ? here() : s.since;
    if (id === Special.start) {
      state = headerState({ implicitRole: false, pristine: false, spanStart, layout });
      return;
    }
    if (HEADER_OPENERS.has(id)) {
      const h = headerState({ implicitRole: true, pristine: false, spanStart, layout });
      h.notes.push(`no <|start|>assistant before ${specialText(id)}`);
      state = h;
      markerInHeader(h, id);
      return;
    }
    // A repeated stop token or a stray special between messages carries nothing to show.
    const stop = stopOf(id);
    if (stop === 'call' || stop === 'return') stoppedBy = stop;
    if (layout === '') s.since = tokens.length;
  }

  function markerInHeader(h: HeaderState, id: number): void {
    const stop = stopOf(id);
    if (id === Special.message) {
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
      if (!h.pristine) salvageHeader(h, 'end', here(), 'header cut short by <|start|>');
      state = headerState({ implicitRole: false, pristine: false, spanStart: here() });
    } else {
      h.notes.push(`stray ${specialText(id)} in the header dropped`);
    }
  }

  function markerInContent(m: ContentState, id: number): void {
    const stop = stopOf(id);
    if (stop !== undefined) {
      closeMessage(m, stop, here() + 1);
      state = afterStop(stop);
    } else if (id === Special.start) {
      m.notes.push('no <|end|> before <|start|>');
      closeMessage(m, 'end', here());
      state = headerState({ implicitRole: false, pristine: false, spanStart: here() });
    } else if (id === Special.channel) {
      m.notes.push('no <|end|> before <|channel|>');
      closeMessage(m, 'end', here());
      const h = headerState({ implicitRole: true, pristine: false, spanStart: here() });
      h.notes.push('no <|start|>assistant before <|channel|>');
      state = h;
      markerInHeader(h, id);
    } else if (id === Special.message && m.early && m.content === '') {
      // The header only looked unfinished (a newline before `<|message|>`): it was a header.
      m.early = false;
      const at = m.notes.indexOf(MISSING_MESSAGE_NO_CONTENT);
      if (at >= 0) m.notes.splice(at, 1);
    } else {
      m.notes.push(`stray ${specialText(id)} in the content dropped`);
    }
  }

  // ---- input --------------------------------------------------------------------------

  function takeToken(id: number): void {
    tokens.push(id);
    if (isSpecialId(id)) {
      text(utf8.flush());
      marker(id);
    } else {
      text(utf8.push(id));
    }
  }

  function takeTextToken(piece: TextToken): void {
    if (typeof piece === 'string') text(piece);
    else marker(piece);
  }

  function finish(): void {
    switch (state.kind) {
      case 'expectStart':
        unparsed(state.whitespace);
        break;
      case 'header':
        if (!state.pristine) salvageHeader(state, 'truncated', tokens.length, 'cut off in the header');
        break;
      case 'content':
        closeMessage(state, 'truncated', tokens.length);
        break;
      case 'ended':
        return;
      default:
        assertNever(state);
    }
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
