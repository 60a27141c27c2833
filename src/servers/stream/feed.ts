// Raw completion chunks (ids or text) → the Harmony parser → StreamEvents. The one
// small layer between the wire readers and the parser; it also keeps the model's
// exact completion for reuse next turn, and puts back the stop token servers leave out.
import type { MessageHeader, ParserEvent } from '../../harmony/parserTypes';
import { addressesTool } from '../../harmony/recipients';
import { decode, encodeWithMarkup } from '../../harmony/tokenizer';
import { LITERAL, Special } from '../../harmony/tokens';
import { drainStream, type StreamAssembler } from './drain';
import type { ServerError } from '../errors';
import type { StreamParser } from './parse';
import type { ChunkSource, FinishReason, ServerLogger, RawChunk, StreamEvent } from '../types';

const STOP_TEXT: ReadonlyMap<number, string> = new Map([
  [Special.call, LITERAL.call],
  [Special.return, LITERAL.return],
]);


export interface FeedOptions {
  readonly logger: ServerLogger;
  /** Thrown (after flushing the parser) when the stream ends without the server's end marker. */
  readonly missingFinish: () => ServerError;
}

/**
 * Feeds the chunks to the parser and yields its events as they come; on any failure the
 * parser is ended first, so a message cut short is delivered (as `truncated`) before the error.
 */
export function feedRaw(source: ChunkSource<RawChunk>, parser: StreamParser, options: FeedOptions): AsyncGenerator<StreamEvent, void, undefined> {
  return drainStream(source, rawAssembler(parser, options.logger), options.missingFinish);
}

function rawAssembler(parser: StreamParser, logger: ServerLogger): StreamAssembler<RawChunk> {
  let mode: 'ids' | 'text' | undefined;
  const ids: number[] = [];
  let text = '';
  let openHeader: MessageHeader | undefined;
  let lastStop: string | undefined;
  let finish: Extract<RawChunk, { type: 'finish' }> | undefined;
  const out: StreamEvent[] = [];

  // Tracks the open message (to infer a missing stop token) and the last stop seen.
  const track = (events: Iterable<ParserEvent>): void => {
    for (const event of events) {
      if (event.type === 'messageStart') openHeader = event.header;
      else if (event.type === 'messageEnd') {
        openHeader = undefined;
        lastStop = event.message.stop;
      }
      out.push(event);
    }
  };

  const take = (chunk: RawChunk): void => {
    switch (chunk.type) {
      case 'ids':
        mode ??= 'ids';
        if (mode === 'ids') {
          for (const id of chunk.ids) ids.push(id);
          track(parser.pushTokens(chunk.ids));
        } else {
          const piece = decode(chunk.ids);
          text += piece;
          track(parser.pushText(piece));
        }
        break;
      case 'text':
        mode ??= 'text';
        if (mode === 'text') {
          text += chunk.text;
          track(parser.pushText(chunk.text));
        } else {
          // A server that gave ids for earlier pieces and text for this one: keep one parser mode.
          logger.debug('[feed] text chunk in a token-id stream; re-tokenising it');
          const more = encodeWithMarkup(chunk.text);
          for (const id of more) ids.push(id);
          track(parser.pushTokens(more));
        }
        break;
      case 'usage':
        out.push(chunk);
        break;
      case 'finish':
        finish = chunk;
        break;
    }
  };

  // Servers end on <|call|>/<|return|> without always showing it (llama.cpp and Ollama
  // text, vLLM when it drops the stop id): put it back so the message ends as the model ended it.
  const restoreStopToken = (reason: Extract<RawChunk, { type: 'finish' }>): void => {
    const last = mode === 'ids' ? ids[ids.length - 1] : undefined;
    const endedOnStop = mode === 'ids' ? last !== undefined && STOP_TEXT.has(last) : /<\|(call|return)\|>$/.test(text);
    if (reason.reason !== 'stop' || endedOnStop || openHeader === undefined) return;
    const stop = reason.stopToken !== undefined && STOP_TEXT.has(reason.stopToken) ? reason.stopToken : addressesTool(openHeader.recipient) ? Special.call : Special.return;
    if (mode === 'ids') {
      ids.push(stop);
      track(parser.pushTokens([stop]));
    } else {
      const marker = STOP_TEXT.get(stop) ?? '';
      text += marker;
      track(parser.pushText(marker));
    }
  };

  return {
    out,
    take,
    finished: () => finish !== undefined,
    cutShort: () => track(parser.end()),
    end: () => {
      if (finish === undefined) return;
      restoreStopToken(finish);
      track(parser.end());
      const reason: FinishReason = lastStop === 'call' ? 'toolCalls' : finish.reason;
      out.push({
        type: 'done',
        finishReason: reason,
        endpoint: 'raw',
        completion: mode === 'ids' ? { ids, text: decode(ids) } : { text },
      });
    },
  };
}
