// Reading one response stream to its end, shared by the raw feed and the chat repair:
// every chunk goes to an assembler, its events go out as they come, what is open is
// closed (truncated) before any error, and the connection is released however the
// consumer stops (end, error, break).
import type { ServerError } from '../errors';
import type { ChunkSource, StreamEvent } from '../types';

/** Turns one stream's chunks into events; `drainStream` decides when each step runs. */
export interface StreamAssembler<C> {
  /** Events waiting to be yielded; the drain empties it after each step. */
  readonly out: StreamEvent[];
  take(chunk: C): void;
  /** Did the server's end marker arrive? Without it a closed stream is a cut connection. */
  finished(): boolean;
  /** The stream broke off: close what is open (as truncated); the error follows. */
  cutShort(): void;
  /** The stream ended with its end marker: close what is open, then one `done` event. */
  end(): void;
}

export async function* drainStream<C>(source: ChunkSource<C>, assembler: StreamAssembler<C>, missingFinish: () => ServerError): AsyncGenerator<StreamEvent, void, undefined> {
  const out = assembler.out;
  try {
    try {
      try {
        for await (const item of source.items) {
          for (const chunk of source.map(item)) assembler.take(chunk);
          // Yielded from this generator itself: no nested async layer per token.
          for (let i = 0; i < out.length; i++) yield out[i]!;
          out.length = 0;
        }
        source.ended();
      } catch (error) {
        throw source.failure(error);
      }
      if (!assembler.finished()) throw missingFinish();
    } catch (error) {
      assembler.cutShort();
      for (const event of out) yield event;
      throw error;
    }
    assembler.end();
    for (const event of out) yield event;
  } finally {
    source.close?.();
  }
}
