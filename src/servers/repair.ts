// A chat-completions stream (ChatChunks) → the same parser events the raw path yields,
// repairing what servers get wrong on the way: raw Harmony text leaking into `content`
// (llama.cpp with reasoning_format none) goes through our parser; a tool call written as
// JSON in `content` becomes a tool call; tool-call names come back in the form the
// renderer gave the model, so the adapter maps both paths the same way.
import { functionNames, modelFunctionName } from '../harmony/functionNames';
import type { MessageHeader, MessageStop, ParsedMessage, ParserEvent } from '../harmony/parserTypes';
import { specialId } from '../harmony/tokens';
import type { ServerError } from './errors';
import type { ParserFactory, StreamParser } from './parse';
import type { ChatChunk, ChunkSource, FinishReason, Logger, StreamEvent } from './types';

export interface RepairOptions {
  readonly logger: Logger;
  readonly parser: ParserFactory;
  /** Names of the tools offered in the request, as the client wrote them. */
  readonly tools: readonly string[];
  /** Thrown (after what streamed is delivered) when the stream ends without finish_reason. */
  readonly missingFinish: () => ServerError;
}

interface OpenMessage {
  readonly index: number;
  readonly header: MessageHeader;
  content: string;
  readonly notes: string[];
}

interface CallState {
  id?: string;
  name?: string;
  args: string;
  message?: OpenMessage;
}

const MARKER = /<\|[a-z_0-9]+\|>/g;
/** A tail that may be the start of a marker split across deltas: `<`, `<|`, `<|chan`, `<|channel|`. */
const MARKER_START = /<(\|[a-z_0-9]*\|?)?$/;

function firstMarker(text: string): number {
  for (const match of text.matchAll(MARKER)) if (specialId(match[0]) !== undefined) return match.index ?? 0;
  return -1;
}

/** Recipients that address a tool (its message ends with `<|call|>`), not a person. */
function addressesTool(header: MessageHeader): boolean {
  const recipient = header.recipient;
  return recipient !== undefined && recipient !== '' && !['assistant', 'user', 'all'].includes(recipient);
}

function message(open: OpenMessage, stop: MessageStop): ParsedMessage {
  return { ...open.header, content: open.content, stop, notes: open.notes };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
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

export async function* repairChat(source: ChunkSource<ChatChunk>, options: RepairOptions): AsyncGenerator<StreamEvent, void, undefined> {
  const names = functionNames(options.tools);
  const recipientFor = (name: string): string => `functions.${modelFunctionName(names, name)}`;
  const offered = options.tools.length > 0;

  let next = 0;
  let text: OpenMessage | undefined; // the open reasoning or answer message we build from deltas
  const calls = new Map<number, CallState>();
  let route: 'undecided' | 'plain' | 'harmony' | 'json' = 'undecided';
  let held = '';
  let json = '';
  let leak: { parser: StreamParser; indices: Map<number, number>; opened: Map<number, OpenMessage> } | undefined;
  let finish: FinishReason | undefined;
  const out: StreamEvent[] = [];

  const open = (header: MessageHeader, notes: string[] = []): OpenMessage => {
    const m: OpenMessage = { index: next++, header, content: '', notes };
    out.push({ type: 'messageStart', index: m.index, header });
    return m;
  };
  const append = (m: OpenMessage, piece: string): void => {
    if (piece === '') return;
    m.content += piece;
    out.push({ type: 'contentDelta', index: m.index, text: piece });
  };
  const close = (m: OpenMessage, stop: MessageStop): void => {
    out.push({ type: 'messageEnd', index: m.index, message: message(m, stop) });
  };
  const closeText = (stop: MessageStop): void => {
    if (text) close(text, stop);
    text = undefined;
  };
  const say = (channel: 'analysis' | 'final', piece: string, note?: string): void => {
    if (piece === '') return;
    if (text?.header.channel !== channel) {
      closeText('end');
      text = open({ role: 'assistant', channel }, note ? [note] : []);
    } else if (note && !text.notes.includes(note)) text.notes.push(note);
    append(text, piece);
  };

  // Recipients the leaked text names with the client's tool name: give them the model's form.
  const normalise = <T extends MessageHeader>(header: T): T => {
    const match = /^functions\.(.+)$/.exec(header.recipient ?? '');
    return match?.[1] !== undefined && names.toModel.has(match[1]) ? { ...header, recipient: recipientFor(match[1]) } : header;
  };
  const LEAK_NOTE = 'Harmony markup leaked into content; parsed';
  const relay = (events: Iterable<ParserEvent>, dropUnfinished: boolean): void => {
    if (!leak) return;
    const { indices, opened } = leak;
    const startedNow = new Set<number>();
    for (const event of events) {
      switch (event.type) {
        case 'messageStart': {
          if (dropUnfinished) {
            startedNow.add(event.index);
            break;
          }
          closeText('end');
          const m = open(normalise(event.header), [LEAK_NOTE]);
          indices.set(event.index, m.index);
          opened.set(event.index, m);
          break;
        }
        case 'contentDelta': {
          const m = opened.get(event.index);
          if (m && !startedNow.has(event.index)) append(m, event.text);
          break;
        }
        case 'messageEnd': {
          if (startedNow.has(event.index)) {
            options.logger.debug(`[repair] dropped an unfinished leaked header: the server sent the tool call itself`);
            break;
          }
          const m = opened.get(event.index);
          const index = m?.index ?? next++;
          out.push({ type: 'messageEnd', index, message: { ...normalise(event.message), notes: [...event.message.notes, LEAK_NOTE] } });
          opened.delete(event.index);
          break;
        }
        case 'unparsed':
          // After `<|end|>` llama.cpp drops the final channel's header and sends the answer bare.
          if (dropUnfinished) options.logger.debug(`[repair] dropped leaked header text ${JSON.stringify(event.text)}`);
          else say('final', event.text, 'answer after a leaked message, without its header');
          break;
      }
    }
  };
  const endLeak = (dropUnfinished: boolean): void => {
    if (!leak) return;
    relay(leak.parser.end(), dropUnfinished);
    leak = undefined;
  };
  const feedLeak = (piece: string): void => {
    if (piece === '') return;
    if (!leak) {
      closeText('end');
      leak = { parser: options.parser(), indices: new Map(), opened: new Map() };
    }
    relay(leak.parser.pushText(piece), false);
  };

  const routeContent = (piece: string): void => {
    held += piece;
    if (route === 'undecided') {
      const start = held.trimStart();
      if (start === '') return;
      if (start.startsWith('<')) {
        const marker = /^<\|[a-z_0-9]+\|>/.exec(start);
        if (marker && specialId(marker[0]) !== undefined) route = 'harmony';
        else if (MARKER_START.test(start) && start.length < 24) return;
        else route = 'plain';
      } else if (offered && (start.startsWith('{') || start.startsWith('[') || start.startsWith('```'))) route = 'json';
      else route = 'plain';
    }
    if (route === 'harmony') {
      feedLeak(held);
      held = '';
    } else if (route === 'json') {
      json += held;
      held = '';
    } else {
      const at = firstMarker(held);
      if (at >= 0) {
        say('final', held.slice(0, at));
        route = 'harmony';
        feedLeak(held.slice(at));
        held = '';
        return;
      }
      const tail = MARKER_START.exec(held);
      const keep = tail ? held.length - tail.index : 0;
      say('final', held.slice(0, held.length - keep));
      held = held.slice(held.length - keep);
    }
  };

  const onToolCall = (chunk: Extract<ChatChunk, { type: 'toolCall' }>): void => {
    closeText('end');
    endLeak(true);
    let call = calls.get(chunk.index);
    if (!call) {
      call = { args: '' };
      calls.set(chunk.index, call);
    }
    if (chunk.id !== undefined) call.id ??= chunk.id;
    if (chunk.name !== undefined && call.name === undefined) call.name = chunk.name;
    if (chunk.arguments !== undefined) call.args += chunk.arguments;
    if (!call.message && call.name !== undefined) {
      for (const other of calls.values()) {
        if (other !== call && other.message) {
          close(other.message, 'call');
          other.message = undefined;
        }
      }
      call.message = open({ role: 'assistant', channel: 'commentary', recipient: recipientFor(call.name), contentType: '<|constrain|>json' });
      append(call.message, call.args);
    } else if (call.message && chunk.arguments !== undefined) {
      append(call.message, chunk.arguments);
    }
  };

  const flush = (truncated: boolean): void => {
    if (route === 'json' || (route === 'undecided' && offered)) {
      const fromJson = truncated ? undefined : jsonToolCalls(json + held, options.tools);
      if (fromJson) {
        closeText('end');
        for (const call of fromJson) {
          const m = open({ role: 'assistant', channel: 'commentary', recipient: recipientFor(call.name), contentType: '<|constrain|>json' }, [
            'tool call written as JSON in content',
          ]);
          append(m, call.arguments);
          close(m, 'call');
        }
        json = '';
        held = '';
      }
    }
    if (route === 'harmony') feedLeak(held);
    else say('final', json + held);
    json = '';
    held = '';
    // The server stopped on <|call|>/<|return|> but does not put it in the text: end the leaked message as the model did.
    const leakedOpen = [...(leak?.opened.values() ?? [])].at(-1);
    if (!truncated && finish === 'stop' && leakedOpen) feedLeak(addressesTool(leakedOpen.header) ? '<|call|>' : '<|return|>');
    const leaked = leak?.opened;
    endLeak(false);
    // Whatever the parser left open (it should close everything at its end) is closed here.
    for (const m of leaked?.values() ?? []) close(m, 'truncated');
    const last: MessageStop = truncated ? 'truncated' : text?.header.channel === 'final' ? 'return' : 'end';
    closeText(last);
    for (const call of calls.values()) {
      if (call.message) close(call.message, truncated ? 'truncated' : 'call');
      else if (call.name === undefined && call.args !== '') {
        out.push({ type: 'unparsed', text: call.args, note: 'a tool call without a function name' });
      }
      call.message = undefined;
    }
  };

  const take = (chunk: ChatChunk): void => {
    switch (chunk.type) {
      case 'reasoning':
        say('analysis', chunk.text);
        break;
      case 'content':
        routeContent(chunk.text);
        break;
      case 'toolCall':
        onToolCall(chunk);
        break;
      case 'usage':
        out.push({ type: 'usage', promptTokens: chunk.promptTokens, completionTokens: chunk.completionTokens });
        break;
      case 'finish':
        finish = chunk.reason;
        break;
    }
  };

  // However the consumer stops (end, error, break), the connection is released.
  try {
    try {
      try {
        for await (const item of source.items) {
          for (const chunk of source.map(item)) take(chunk);
          for (let i = 0; i < out.length; i++) yield out[i]!;
          out.length = 0;
        }
        source.ended();
      } catch (error) {
        throw source.failure(error);
      }
    } catch (error) {
      flush(true);
      for (const event of out) yield event;
      throw error;
    }
    if (finish === undefined) {
      flush(true);
      for (const event of out) yield event;
      throw options.missingFinish();
    }
    flush(finish === 'length');
    const madeCall = out.some((e) => e.type === 'messageEnd' && e.message.stop === 'call') || [...calls.values()].some((c) => c.name !== undefined);
    for (const event of out) yield event;
    yield { type: 'done', finishReason: madeCall ? 'toolCalls' : finish, endpoint: 'chat' };
  } finally {
    source.close?.();
  }
}
