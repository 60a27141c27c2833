// The body of a stream cut into whole frames (SSE events, NDJSON lines) before any
// library reads it, for three reasons:
// - bounded: a frame may not grow past MAX_FRAME_BYTES. A server that never ends a line
//   fails fast with a protocol error naming the bound, instead of being buffered forever;
// - linear: the readers after us (the openai SDK's SSE decoder, the ollama client's line
//   splitter) copy or rescan their whole pending buffer on every read, so a frame that
//   arrives in many reads costs quadratic time there (a 4 MB line took 26 s). Given whole
//   frames, in pieces of about PIECE_BYTES, each byte is copied a constant number of times;
// - ours to classify: a frame can be checked here (an NDJSON line must be JSON) so that no
//   library meets a malformed one and prints it itself (the ollama client console.warns it).
// We only find where frames end; decoding the events stays with the SDK.

/**
 * The longest frame we accept: 8 MiB. The largest honest one is a whole completion in one
 * event (a server that ignores `stream`, or a final event that repeats the text): gpt-oss's
 * 131,072-token context is about 0.5 MB of text, plus its ids as JSON (about 7 bytes each,
 * 0.9 MB), so 8 MiB leaves five times that, and bounds what one frame can make us hold.
 */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

/** Whole frames are passed on in pieces of about this size (one large frame goes alone). */
const PIECE_BYTES = 1024;

const LF = 0x0a;
const CR = 0x0d;

export interface Framing {
  /** What one frame is, for messages: "SSE event", "NDJSON line". */
  readonly frame: string;
  /** Index just after the first frame end at or after `from`, or -1. */
  readonly endAfter: (bytes: Uint8Array, from: number) => number;
  /** The longest frame end (bytes), so that one split across reads is found. */
  readonly endBytes: number;
  /**
   * Looks at one whole frame (its end included) before it is passed on: true passes it,
   * false drops it; throws to fail the stream.
   */
  readonly accept?: (frame: Uint8Array, index: number) => boolean;
}

/** SSE: an event ends at a blank line (`\n\n`, `\r\r`, `\r\n\r\n`), as the SDK's decoder splits them. */
export const SSE_FRAMING: Framing = {
  frame: 'SSE event',
  endBytes: 4,
  endAfter: (bytes, from) => {
    for (let i = from; i + 1 < bytes.length; i++) {
      const a = bytes[i];
      if (a !== LF && a !== CR) continue;
      const b = bytes[i + 1];
      if (a === b) return i + 2;
      if (a === CR && b === LF && i + 3 < bytes.length && bytes[i + 2] === CR && bytes[i + 3] === LF) return i + 4;
    }
    return -1;
  },
};

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * NDJSON: a line per object. Blank lines are dropped; a line that is not JSON fails the stream
 * with `notJson` (the line, for an excerpt), so the client library after us never sees it.
 */
export function ndjsonFraming(notJson: (line: string, index: number, error: unknown) => Error): Framing {
  return {
    frame: 'NDJSON line',
    endBytes: 1,
    endAfter: (bytes, from) => {
      const at = bytes.indexOf(LF, from);
      return at < 0 ? -1 : at + 1;
    },
    accept: (frame, index) => {
      const line = utf8.decode(frame);
      if (line.trim() === '') return false;
      try {
        JSON.parse(line);
      } catch (error) {
        throw notJson(line, index, error);
      }
      return true;
    },
  };
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Parts of bytes and their total length. */
class Parts {
  items: Uint8Array[] = [];
  bytes = 0;
  push(part: Uint8Array): void {
    if (part.length === 0) return;
    this.items.push(part);
    this.bytes += part.length;
  }
  take(): Uint8Array {
    const whole = concat(this.items, this.bytes);
    this.items = [];
    this.bytes = 0;
    return whole;
  }
  /** The last `n` bytes (fewer if there are not so many). */
  tail(n: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let need = n;
    for (let i = this.items.length - 1; i >= 0 && need > 0; i--) {
      const part = this.items[i]!;
      parts.unshift(part.subarray(Math.max(0, part.length - need)));
      need -= part.length;
    }
    return concat(parts, parts.reduce((sum, p) => sum + p.length, 0));
  }
}

/**
 * `body` as whole frames. A frame longer than `maxFrameBytes` fails the stream with
 * `tooLong(maxFrameBytes)`; a body that ends inside a frame passes that rest on as it is
 * (the reader after us decides what a cut frame means).
 */
export function framed(body: ReadableStream<Uint8Array>, framing: Framing, tooLong: (maxBytes: number, frame: string) => Error, maxFrameBytes = MAX_FRAME_BYTES): ReadableStream<Uint8Array> {
  const pending = new Parts(); // the frame being received
  const piece = new Parts(); // whole frames not yet passed on
  let frames = 0;

  const endFrame = (out: TransformStreamDefaultController<Uint8Array>): void => {
    if (pending.bytes > maxFrameBytes) throw tooLong(maxFrameBytes, framing.frame);
    const frame = pending.take();
    if (framing.accept === undefined || framing.accept(frame, frames)) piece.push(frame);
    frames++;
    if (piece.bytes >= PIECE_BYTES) out.enqueue(piece.take());
  };

  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        // A frame end may start in the bytes already held: search from up to endBytes-1 before.
        const back = pending.tail(framing.endBytes - 1);
        const view = back.length === 0 ? chunk : concat([back, chunk], back.length + chunk.length);
        let from = 0; // in chunk coordinates: where the part of the current frame in this chunk starts
        for (let end = framing.endAfter(view, 0); end >= 0; end = framing.endAfter(view, end)) {
          const inChunk = end - back.length;
          pending.push(chunk.subarray(from, inChunk));
          from = inChunk;
          endFrame(out);
        }
        pending.push(chunk.subarray(from));
        if (piece.bytes > 0) out.enqueue(piece.take());
        if (pending.bytes > maxFrameBytes) throw tooLong(maxFrameBytes, framing.frame);
      },
      flush(out) {
        if (pending.bytes > 0) endFrame(out);
        if (piece.bytes > 0) out.enqueue(piece.take());
      },
    }),
  );
}
