// A chat-completions stream (ChatChunks) → the same parser events the raw path yields,
// repairing what servers get wrong on the way: raw Harmony text leaking into `content`
// (llama.cpp with reasoning_format none) goes through our parser; a tool call written as
// JSON in `content` becomes a tool call; tool-call names come back in the form the
// renderer gave the model, so the adapter maps both paths the same way.
import { functionNames, modelFunctionName } from '../../harmony/functionNames';
import type { MessageHeader, MessageStop, ParsedMessage, ParserEvent } from '../../harmony/parserTypes';
import { note as parserNote, type ParserNote } from '../../harmony/notes';
import { addressesTool } from '../../harmony/recipients';
import { firstSeam, looksStripped, mayBecomeStripped, seamStartLength, splitStrippedMarkers } from '../../harmony/strippedMarkers';
import { JSON_CALL_CONTENT_TYPE, LITERAL, isObject } from '../../harmony/index';
import { specialId } from '../../harmony/tokens';
import { drainStream, type StreamAssembler } from './drain';
import type { ServerError } from '../errors';
import type { ParserFactory, StreamParser } from './parse';
import type { ChatChunk, ChunkSource, EndpointChoice, FinishReason, ServerLogger, StreamEvent } from '../types';

export interface RepairOptions {
  readonly logger: ServerLogger;
  readonly parser: ParserFactory;
  /** Names of the tools offered in the request, as the client wrote them. */
  readonly tools: readonly string[];
  /** Thrown (after what streamed is delivered) when the stream ends without finish_reason. */
  readonly missingFinish: () => ServerError;
  /** Named in the `done` event. Default `chat`. */
  readonly endpoint?: EndpointChoice | undefined;
}

/** A message being written out: reasoning or answer from deltas, a tool call, a leaked message. */
interface OpenMessage {
  readonly index: number;
  readonly header: MessageHeader;
  content: string;
  readonly notes: ParserNote[];
}

/** A tool call the server streams in pieces; its message opens once the name is known. */
interface ServerCall {
  name?: string;
  args: string;
  message?: OpenMessage;
  /** The server said the call is whole: later pieces for its index are ignored. */
  done?: boolean;
}

/** Harmony markup that leaked into `content`, read by a parser of ours. */
interface LeakedHarmony {
  readonly parser: StreamParser;
  /** The parser's message index → the message we opened for it, until the parser ends it. */
  readonly opened: Map<number, OpenMessage>;
}

/**
 * Where `content` deltas go, decided by how the content starts (its first non-blank characters).
 * Each state holds the only text that is not yet out.
 */
type ContentRoute =
  /** Only blanks so far, or a prefix that may still become a marker (`<|chan`). */
  | { readonly kind: 'undecided'; readonly held: string }
  /** The answer as text; `held` is a tail that may be a marker split across deltas. */
  | { readonly kind: 'plain'; readonly held: string }
  /** JSON with tools offered: gathered whole, a tool call if it reads as one at the end. */
  | { readonly kind: 'json'; readonly text: string }
  /** Harmony markup: our parser reads it; a server's tool call ends the parse, later content starts a new one. */
  | { readonly kind: 'harmony'; readonly leak: LeakedHarmony | undefined }
  /** Harmony whose special tokens the server skipped (`analysis…assistantfinal…`): gathered whole, split at the end. */
  | { readonly kind: 'stripped'; readonly text: string };

const MARKER = /<\|[a-z_0-9]+\|>/g;
/** A tail that may be the start of a marker split across deltas: `<`, `<|`, `<|chan`, `<|channel|`. */
const MARKER_START = /<(\|[a-z_0-9]*\|?)?$/;
/** Longer than any special-token literal (`<|reserved_200017|>` is 19): text this long is no marker start. */
const MARKER_MAX_CHARS = 24;
const LEAK_NOTE = parserNote('leakedMarkup', 'Harmony markup leaked into content; parsed');

function firstMarker(text: string): number {
  for (const match of text.matchAll(MARKER)) if (specialId(match[0]) !== undefined) return match.index ?? 0;
  return -1;
}


/** A tool call (or several) written as JSON in `content`, if every name is an offered tool. */
export function jsonToolCalls(text: string, tools: readonly string[]): { name: string; arguments: string }[] | undefined {
  const body = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const items = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.tool_calls) ? value.tool_calls : [value];
  const calls: { name: string; arguments: string }[] = [];
  for (const item of items) {
    if (!isObject(item)) return undefined;
    const fn = isObject(item.function) ? item.function : item;
    const rawName = fn.name ?? fn.tool ?? fn.tool_name;
    if (typeof rawName !== 'string') return undefined;
    const name = rawName.replace(/^functions\./, '');
    if (!tools.includes(name)) return undefined;
    const args = fn.arguments ?? fn.parameters ?? fn.args ?? {};
    calls.push({ name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });
  }
  return calls.length > 0 ? calls : undefined;
}

/** Where a content stream goes, from its first non-blank characters; undefined while that is not yet clear. */
function decideRoute(held: string, toolsOffered: boolean): 'plain' | 'json' | 'harmony' | 'stripped' | undefined {
  const start = held.trimStart();
  if (start === '') return undefined;
  if (start.startsWith('<')) {
    const marker = /^<\|[a-z_0-9]+\|>/.exec(start);
    if (marker && specialId(marker[0]) !== undefined) return 'harmony';
    if (MARKER_START.test(start) && start.length < MARKER_MAX_CHARS) return undefined;
    return 'plain';
  }
  if (toolsOffered && (start.startsWith('{') || start.startsWith('[') || start.startsWith('```'))) return 'json';
  if (looksStripped(start)) return 'stripped';
  if (mayBecomeStripped(start)) return undefined;
  return 'plain';
}

/** The events of one response in order, each message with its index handed out once. */
class EventWriter {
  readonly out: StreamEvent[] = [];
  /** A message to a tool was closed with `<|call|>`. */
  called = false;
  private next = 0;
  /** The open reasoning or answer message, built from deltas. */
  private text: OpenMessage | undefined;

  open(header: MessageHeader, notes: ParserNote[] = []): OpenMessage {
    this.closeText('end');
    const m: OpenMessage = { index: this.next++, header, content: '', notes };
    this.out.push({ type: 'messageStart', index: m.index, header });
    return m;
  }

  append(m: OpenMessage, piece: string): void {
    if (piece === '') return;
    m.content += piece;
    this.out.push({ type: 'contentDelta', index: m.index, text: piece });
  }

  close(m: OpenMessage, stop: MessageStop): void {
    this.end(m.index, { ...m.header, content: m.content, stop, notes: m.notes });
  }

  /** A message our parser of leaked markup ended (its own text); unopened ones get an index of their own. */
  end(index: number | undefined, message: ParsedMessage): void {
    if (message.stop === 'call') this.called = true;
    this.out.push({ type: 'messageEnd', index: index ?? this.next++, message });
  }

  /** Reasoning or answer text: appended to the open message of that channel, else a new one. */
  say(channel: 'analysis' | 'final', piece: string, note?: ParserNote): void {
    if (piece === '') return;
    if (this.text?.header.channel !== channel) this.text = this.open({ role: 'assistant', channel }, note ? [note] : []);
    else if (note && !this.text.notes.some((n) => n.code === note.code)) this.text.notes.push(note);
    this.append(this.text, piece);
  }

  /** Ends the open reasoning or answer message; the answer ends as the model ends it, with `<|return|>`. */
  closeText(stop: MessageStop | 'asWritten'): void {
    const text = this.text;
    if (text === undefined) return;
    this.text = undefined;
    this.close(text, stop === 'asWritten' ? (text.header.channel === 'final' ? 'return' : 'end') : stop);
  }
}

/** Chat chunks → the events of the raw path, repaired on the way (see the file's head). */
class ChatRepair implements StreamAssembler<ChatChunk> {
  readonly out: StreamEvent[];
  private readonly writer = new EventWriter();
  private readonly names: ReturnType<typeof functionNames>;
  private readonly toolsOffered: boolean;
  private route: ContentRoute = { kind: 'undecided', held: '' };
  /** The reasoning field: streamed as is, unless it starts like Harmony with its special tokens skipped (held, then split). */
  private reasoning: { readonly kind: 'undecided' | 'plain' | 'stripped'; readonly held: string } = { kind: 'undecided', held: '' };
  /** By the server's index; a call's pieces may come before its name. */
  private readonly calls = new Map<number, ServerCall>();
  private finish: FinishReason | undefined;

  constructor(private readonly options: RepairOptions) {
    this.out = this.writer.out;
    this.names = functionNames(options.tools);
    this.toolsOffered = options.tools.length > 0;
  }

  take(chunk: ChatChunk): void {
    switch (chunk.type) {
      case 'reasoning':
        this.takeReasoning(chunk.text);
        break;
      case 'content':
        this.takeContent(chunk.text);
        break;
      case 'toolCall':
        this.takeToolCall(chunk);
        break;
      case 'toolCallDone': {
        const call = this.calls.get(chunk.index);
        if (call?.message === undefined) break;
        this.closeCall(call, 'call');
        call.done = true;
        break;
      }
      case 'usage':
        this.out.push(chunk);
        break;
      case 'finish':
        this.finish = chunk.reason;
        break;
    }
  }

  finished(): boolean {
    return this.finish !== undefined;
  }

  cutShort(): void {
    this.closeAll(true);
  }

  end(): void {
    const finish = this.finish ?? 'other';
    this.closeAll(finish === 'length');
    const madeCall = this.writer.called || [...this.calls.values()].some((c) => c.name !== undefined);
    this.out.push({ type: 'done', finishReason: madeCall ? 'toolCalls' : finish, endpoint: this.options.endpoint ?? 'chat' });
  }

  private recipientFor(name: string): string {
    return `functions.${modelFunctionName(this.names, name)}`;
  }

  private takeReasoning(piece: string): void {
    const { kind, held } = this.reasoning;
    const text = held + piece;
    if (kind === 'stripped' || (kind === 'undecided' && looksStripped(text))) {
      this.reasoning = { kind: 'stripped', held: text };
      return;
    }
    if (kind === 'undecided' && mayBecomeStripped(text)) {
      this.reasoning = { kind: 'undecided', held: text };
      return;
    }
    // Reasoning as it comes, until a seam (`…assistantfinal…`) shows the server skipped the
    // special tokens of the messages after it: from there it is held and split at the end.
    // `held` of plain reasoning is a tail that may be such a seam split across deltas.
    const seam = firstSeam(text);
    if (seam >= 0) {
      this.writer.say('analysis', text.slice(0, seam));
      this.reasoning = { kind: 'stripped', held: text.slice(seam) };
      return;
    }
    const keep = seamStartLength(text);
    this.writer.say('analysis', text.slice(0, text.length - keep));
    this.reasoning = { kind: 'plain', held: text.slice(text.length - keep) };
  }

  /** Held reasoning goes out before anything that follows it. */
  private flushReasoning(truncated: boolean): void {
    const { kind, held } = this.reasoning;
    this.reasoning = { kind: 'plain', held: '' };
    if (kind === 'stripped') this.writeStripped(held, truncated, 'analysis');
    else this.writer.say('analysis', held);
  }

  private takeContent(piece: string): void {
    if (this.reasoning.kind !== 'plain' || this.reasoning.held !== '') this.flushReasoning(false);
    let text = piece;
    if (this.route.kind === 'undecided') {
      text = this.route.held + piece;
      const kind = decideRoute(text, this.toolsOffered);
      if (kind === undefined) {
        this.route = { kind: 'undecided', held: text };
        return;
      }
      this.route = kind === 'plain' ? { kind, held: '' } : kind === 'json' || kind === 'stripped' ? { kind, text: '' } : { kind, leak: undefined };
    }
    switch (this.route.kind) {
      case 'plain':
        this.takePlain(this.route.held + text);
        break;
      case 'json':
        this.route = { kind: 'json', text: this.route.text + text };
        break;
      case 'harmony':
        this.feedLeak(text);
        break;
      case 'stripped':
        this.route = { kind: 'stripped', text: this.route.text + text };
        break;
    }
  }

  /** Answer text up to a marker; from the first marker on, the content is Harmony. */
  private takePlain(text: string): void {
    const at = firstMarker(text);
    if (at >= 0) {
      this.writer.say('final', text.slice(0, at));
      this.route = { kind: 'harmony', leak: undefined };
      this.feedLeak(text.slice(at));
      return;
    }
    const tail = MARKER_START.exec(text);
    const keep = tail && text.length - tail.index < MARKER_MAX_CHARS ? text.length - tail.index : 0;
    this.writer.say('final', text.slice(0, text.length - keep));
    this.route = { kind: 'plain', held: text.slice(text.length - keep) };
  }

  private feedLeak(piece: string): void {
    if (piece === '' || this.route.kind !== 'harmony') return;
    let leak = this.route.leak;
    if (leak === undefined) {
      this.writer.closeText('end');
      leak = { parser: this.options.parser(), opened: new Map() };
      this.route = { kind: 'harmony', leak };
    }
    this.relay(leak, leak.parser.pushText(piece), false);
  }

  /**
   * Ends the parse of leaked markup. With `dropUnfinished` (the server sent a tool call itself),
   * a header the parser only now closes is the server's own call written out: it is dropped.
   * Returns what the parser left open.
   */
  private endLeak(dropUnfinished: boolean): OpenMessage[] {
    if (this.route.kind !== 'harmony' || this.route.leak === undefined) return [];
    const leak = this.route.leak;
    this.route = { kind: 'harmony', leak: undefined };
    this.relay(leak, leak.parser.end(), dropUnfinished);
    return [...leak.opened.values()];
  }

  // Recipients the leaked text names with the client's tool name: give them the model's form.
  private normalise<T extends MessageHeader>(header: T): T {
    const match = /^functions\.(.+)$/.exec(header.recipient ?? '');
    return match?.[1] !== undefined && this.names.toModel.has(match[1]) ? { ...header, recipient: this.recipientFor(match[1]) } : header;
  }

  private relay(leak: LeakedHarmony, events: Iterable<ParserEvent>, dropUnfinished: boolean): void {
    const startedNow = new Set<number>();
    for (const event of events) {
      switch (event.type) {
        case 'messageStart':
          if (dropUnfinished) startedNow.add(event.index);
          else leak.opened.set(event.index, this.writer.open(this.normalise(event.header), [LEAK_NOTE]));
          break;
        case 'contentDelta': {
          const m = leak.opened.get(event.index);
          if (m && !startedNow.has(event.index)) this.writer.append(m, event.text);
          break;
        }
        case 'messageEnd':
          if (startedNow.has(event.index)) {
            this.options.logger.debug(`[repair] dropped an unfinished leaked header: the server sent the tool call itself`);
            break;
          }
          this.writer.end(leak.opened.get(event.index)?.index, { ...this.normalise(event.message), notes: [...event.message.notes, LEAK_NOTE] });
          leak.opened.delete(event.index);
          break;
        case 'unparsed':
          // After `<|end|>` llama.cpp drops the final channel's header and sends the answer bare.
          if (dropUnfinished) this.options.logger.debug(`[repair] dropped leaked header text ${JSON.stringify(event.text)}`);
          else this.writer.say('final', event.text, parserNote('answerWithoutHeader', 'answer after a leaked message, without its header'));
          break;
      }
    }
  }

  private takeToolCall(chunk: Extract<ChatChunk, { type: 'toolCall' }>): void {
    if (this.reasoning.kind !== 'plain' || this.reasoning.held !== '') this.flushReasoning(false);
    this.writer.closeText('end');
    this.endLeak(true);
    let call = this.calls.get(chunk.index);
    if (call === undefined) {
      call = { args: '' };
      this.calls.set(chunk.index, call);
    }
    if (call.done) return;
    if (chunk.name !== undefined) call.name ??= chunk.name;
    if (chunk.arguments !== undefined) call.args += chunk.arguments;
    if (call.message === undefined && call.name !== undefined) {
      for (const other of this.calls.values()) this.closeCall(other, 'call');
      call.message = this.writer.open({ role: 'assistant', channel: 'commentary', recipient: this.recipientFor(call.name), contentType: JSON_CALL_CONTENT_TYPE });
      this.writer.append(call.message, call.args);
    } else if (call.message !== undefined && chunk.arguments !== undefined) {
      this.writer.append(call.message, chunk.arguments);
    }
  }

  private closeCall(call: ServerCall, stop: MessageStop): void {
    if (call.message === undefined) return;
    this.writer.close(call.message, stop);
    call.message = undefined;
  }

  /** The end of the stream (or its break): whatever is held or open goes out and is closed. */
  private closeAll(truncated: boolean): void {
    if (this.reasoning.kind !== 'plain' || this.reasoning.held !== '') this.flushReasoning(truncated);
    const route = this.route;
    if (route.kind === 'json' || route.kind === 'undecided') {
      const text = route.kind === 'json' ? route.text : route.held;
      const calls = truncated || !this.toolsOffered ? undefined : jsonToolCalls(text, this.options.tools);
      if (calls) this.writeJsonCalls(calls);
      else this.writer.say('final', text);
    } else if (route.kind === 'plain') {
      this.writer.say('final', route.held);
    } else if (route.kind === 'stripped') {
      this.writeStripped(route.text, truncated, 'final');
    } else if (route.leak !== undefined) {
      // The server stopped on <|call|>/<|return|> but does not put it in the text: end the leaked message as the model did.
      const lastOpen = [...route.leak.opened.values()].at(-1);
      if (!truncated && this.finish === 'stop' && lastOpen) this.feedLeak(addressesTool(lastOpen.header.recipient) ? LITERAL.call : LITERAL.return);
    }
    // Whatever the parser left open (it should close everything at its end) is closed here.
    for (const m of this.endLeak(false)) this.writer.close(m, 'truncated');
    this.writer.closeText(truncated ? 'truncated' : 'asWritten');
    for (const call of this.calls.values()) {
      if (call.message !== undefined) this.closeCall(call, truncated ? 'truncated' : 'call');
      else if (call.name === undefined && call.args !== '') this.out.push({ type: 'unparsed', text: call.args, note: parserNote('callWithoutName', 'a tool call without a function name') });
    }
  }

  /** Stripped Harmony split at its seams (ambiguous text stays one answer, noted); the last message ends as the server did. */
  private writeStripped(text: string, truncated: boolean, field: 'analysis' | 'final'): void {
    // Text of the reasoning field is the analysis channel up to its first seam, and stays reasoning when the seams are not clear.
    const options = field === 'analysis' ? { leadingChannel: field } : {};
    const messages = splitStrippedMarkers(text, options)?.messages ?? [{ header: { role: 'assistant', channel: field }, content: text, notes: [] }];
    messages.forEach((message, i) => {
      const header = this.normalise(message.header.channel === undefined ? { ...message.header, channel: field } : message.header);
      const m = this.writer.open(header, message.notes);
      this.writer.append(m, message.content);
      const last = i === messages.length - 1;
      this.writer.close(m, !last ? 'end' : truncated ? 'truncated' : addressesTool(header.recipient) ? 'call' : header.channel === 'final' ? 'return' : 'end');
    });
  }

  private writeJsonCalls(calls: readonly { name: string; arguments: string }[]): void {
    for (const call of calls) {
      const m = this.writer.open({ role: 'assistant', channel: 'commentary', recipient: this.recipientFor(call.name), contentType: JSON_CALL_CONTENT_TYPE }, [parserNote('jsonToolCall', 'tool call written as JSON in content')]);
      this.writer.append(m, call.arguments);
      this.writer.close(m, 'call');
    }
  }
}

export function repairChat(source: ChunkSource<ChatChunk>, options: RepairOptions): AsyncGenerator<StreamEvent, void, undefined> {
  return drainStream(source, new ChatRepair(options), options.missingFinish);
}
