// Server-sent events through the openai SDK's own decoder (bytes → lines → events →
// JSON items): we do not parse SSE ourselves. Failures come out classified.
import OpenAI from 'openai';
import { Stream } from 'openai/core/streaming';
import { fromSdkStreamError } from './errors';
import type { Exchange } from './http';
import type { Logger } from './types';

const holders = new WeakMap<Logger, OpenAI>();

/**
 * Stream.fromSSEResponse logs through a client (`client.logger`, `client.logLevel`) and
 * falls back to console without one; this client is never used for requests.
 */
function sdkLogHolder(logger: Logger): OpenAI {
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

/** The JSON payload of each `data:` event until `[DONE]` or the end of the body. */
export async function* sseJson(exchange: Exchange, logger: Logger): AsyncGenerator<unknown, void, undefined> {
  const stream = Stream.fromSSEResponse<unknown>(exchange.response, exchange.controller, sdkLogHolder(logger));
  try {
    for await (const item of stream) {
      exchange.progress.chunks++;
      yield item;
    }
  } catch (error) {
    throw exchange.abortError() ?? fromSdkStreamError(exchange.ctx, exchange.progress, error) ?? exchange.failure(error);
  }
  // The SDK ends quietly when the request is aborted; say why.
  const aborted = exchange.abortError();
  if (aborted) throw aborted;
}
