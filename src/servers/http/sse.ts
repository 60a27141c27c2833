// Server-sent events: the body cut into whole events under a size bound (framing.ts), then
// the openai SDK's own decoder (lines → events); we do not parse SSE ourselves. The JSON of
// each `data:` is read here, so that a malformed one is classified (and redacted) by us and
// no library prints it. Failures come out classified.
import { _iterSSEMessages } from 'openai/core/streaming';
import { isObject } from '../../harmony/index';
import { contentTypeError, frameTooLongError, protocolError, streamErrorFromPayload } from '../errors';
import { SSE_FRAMING, framed } from './framing';
import type { Exchange } from './http';
import type { ChunkSource, ServerLogger } from '../types';

/** Content types that cannot be an event stream: a web page, or a whole (non-streamed) answer. */
const NOT_A_STREAM = /html|xml|json/i;

/**
 * The body as whole SSE events under the frame bound, for the SDK's decoder; a content type that
 * cannot be an event stream fails here. Null for a response without a body.
 */
export function eventStreamBody(exchange: Exchange): ReadableStream<Uint8Array> | null {
  const contentType = exchange.response.headers.get('content-type') ?? '';
  if (NOT_A_STREAM.test(contentType)) throw contentTypeError(exchange.ctx, contentType, 'an event stream (text/event-stream)');
  const body = exchange.response.body;
  if (body === null) return null;
  const tooLong = (maxBytes: number, frame: string): Error => frameTooLongError(exchange.ctx, exchange.progress, maxBytes, frame);
  return framed(body, SSE_FRAMING, tooLong);
}

/** The JSON payload of each `data:` event until `[DONE]` (read to the end of the body, as the SDK does). */
async function* payloads(exchange: Exchange, logger: ServerLogger): AsyncGenerator<unknown, void, undefined> {
  const body = eventStreamBody(exchange);
  if (body === null) return;
  const events = new Response(body);
  let done = false;
  for await (const event of _iterSSEMessages(events, exchange.controller)) {
    if (done) continue;
    if (event.data.startsWith('[DONE]')) {
      done = true;
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch (error) {
      logger.debug(`[sse] data that is not JSON: ${event.data.slice(0, 500)}`);
      throw protocolError(exchange.ctx, `a data line that is not JSON (${error instanceof Error ? error.message : String(error)})`, error);
    }
    if (isObject(data) && data.error) throw streamErrorFromPayload(exchange.ctx, exchange.progress, data.error);
    yield data;
  }
}

/**
 * The JSON payload of each `data:` event as a ChunkSource: the consumer iterates the
 * events itself (one async layer less per token) and has failures classified here.
 */
export function sseSource<C>(exchange: Exchange, logger: ServerLogger, map: (item: unknown) => readonly C[]): ChunkSource<C> {
  return {
    items: payloads(exchange, logger),
    map: (item) => {
      exchange.progress.chunks++;
      return map(item);
    },
    failure: (error) => exchange.abortError() ?? exchange.failure(error),
    ended: () => {
      // The body can end quietly when the request is aborted; say why.
      const aborted = exchange.abortError();
      if (aborted) throw aborted;
    },
    close: () => exchange.close(),
  };
}

/** The items one by one, for tests and tools that want a plain stream. */
export async function* sseJson(exchange: Exchange, logger: ServerLogger): AsyncGenerator<unknown, void, undefined> {
  const source = sseSource(exchange, logger, (item) => [item]);
  try {
    for await (const item of source.items) yield* source.map(item);
    source.ended();
  } catch (error) {
    throw source.failure(error);
  }
}
