// Server-sent events through the openai SDK's own decoder (bytes → lines → events →
// JSON items): we do not parse SSE ourselves. Failures come out classified.
import OpenAI from 'openai';
import { Stream } from 'openai/core/streaming';
import { fromSdkStreamError } from './errors';
import type { Exchange } from './http';
import type { ChunkSource, ServerLogger } from './types';

const holders = new WeakMap<ServerLogger, OpenAI>();

/**
 * Stream.fromSSEResponse logs through a client (`client.logger`, `client.logLevel`) and
 * falls back to console without one; this client is never used for requests.
 */
function sdkLogHolder(logger: ServerLogger): OpenAI {
  let holder = holders.get(logger);
  if (holder === undefined) {
    const line = (message: string, rest: unknown[]): string =>
      [message, ...rest.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)))].join(' ').slice(0, 500);
    holder = new OpenAI({
      apiKey: 'unused',
      baseURL: 'http://127.0.0.1:9/unused',
      organization: null,
      project: null,
      maxRetries: 0,
      logLevel: 'warn',
      logger: {
        error: (m: string, ...rest: unknown[]) => logger.warn(`[sse] ${line(m, rest)}`),
        warn: (m: string, ...rest: unknown[]) => logger.warn(`[sse] ${line(m, rest)}`),
        info: (m: string, ...rest: unknown[]) => logger.info(`[sse] ${line(m, rest)}`),
        debug: (m: string, ...rest: unknown[]) => logger.debug(`[sse] ${line(m, rest)}`),
      },
    });
    holders.set(logger, holder);
  }
  return holder;
}

/**
 * The JSON payload of each `data:` event until `[DONE]` or the end of the body, as a
 * ChunkSource: the consumer iterates the SDK's Stream itself (one async layer less per
 * token) and has failures classified here.
 */
export function sseSource<C>(exchange: Exchange, logger: ServerLogger, map: (item: unknown) => readonly C[]): ChunkSource<C> {
  return {
    items: Stream.fromSSEResponse<unknown>(exchange.response, exchange.controller, sdkLogHolder(logger)),
    map: (item) => {
      exchange.progress.chunks++;
      return map(item);
    },
    failure: (error) => exchange.abortError() ?? fromSdkStreamError(exchange.ctx, exchange.progress, error) ?? exchange.failure(error),
    ended: () => {
      // The SDK ends quietly when the request is aborted; say why.
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
