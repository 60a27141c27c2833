// Ordinary token ids → text, one token at a time. A character whose bytes are split
// over several tokens comes out once its last byte arrives; bytes that can never form
// a character become U+FFFD, exactly where a whole-sequence lossy decode puts them.
import { tokenBytes } from './tokenizer';

const REPLACEMENT = '\uFFFD';

/**
 * Per id: its text when its bytes are valid UTF-8 on their own (nearly every token),
 * else its raw bytes; null for ids outside the vocabulary. Filled as ids are seen,
 * so the common case costs one Map lookup and no decoding.
 */
const pieces = new Map<number, string | Uint8Array | null>();
// ignoreBOM: a U+FEFF the model wrote is content; by default a decoder would eat it at the start of every call.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function pieceOf(id: number): string | Uint8Array | null {
  let piece = pieces.get(id);
  if (piece !== undefined) return piece;
  const bytes = tokenBytes(id) ?? null;
  piece = bytes;
  if (bytes !== null) {
    try {
      piece = strict.decode(bytes);
    } catch {
      piece = bytes;
    }
  }
  pieces.set(id, piece);
  return piece;
}

const utf8 = new TextEncoder();

/** How many bytes a sequence starting with `lead` has, or 0 when `lead` cannot start one. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The second byte's range differs for a few leads (no overlongs, no surrogates, ≤ U+10FFFF). */
function validSecond(lead: number, byte: number): boolean {
  if (lead === 0xe0) return byte >= 0xa0 && byte <= 0xbf;
  if (lead === 0xed) return byte >= 0x80 && byte <= 0x9f;
  if (lead === 0xf0) return byte >= 0x90 && byte <= 0xbf;
  if (lead === 0xf4) return byte >= 0x80 && byte <= 0x8f;
  return byte >= 0x80 && byte <= 0xbf;
}

/** Length of the tail of `bytes` that is the valid start of a character still missing bytes. */
function incompleteTail(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = bytes[n - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const need = sequenceLength(byte);
    if (need <= back) return 0;
    for (let i = n - back + 1; i < n; i++) {
      const ok = i === n - back + 1 ? validSecond(byte, bytes[i]!) : (bytes[i]! & 0xc0) === 0x80;
      if (!ok) return 0;
    }
    return back;
  }
  return 0;
}

export interface Utf8Stream {
  /** Text completed by this ordinary token (may be empty); an unknown id gives U+FFFD. */
  push(id: number): string;
  /** Bytes still waiting for the rest of their character, as U+FFFD; empties the stream. */
  flush(): string;
}

export function createUtf8Stream(): Utf8Stream {
  let pending: Uint8Array | undefined;

  return {
    push(id) {
      const piece = pieceOf(id);
      if (piece === null) return this.flush() + REPLACEMENT;
      if (pending === undefined && typeof piece === 'string') return piece;
      const more = typeof piece === 'string' ? utf8.encode(piece) : piece;
      let bytes = more;
      if (pending !== undefined) {
        bytes = new Uint8Array(pending.length + more.length);
        bytes.set(pending);
        bytes.set(more, pending.length);
      }
      const tail = incompleteTail(bytes);
      pending = tail > 0 ? bytes.slice(bytes.length - tail) : undefined;
      return tail === bytes.length ? '' : lossy.decode(bytes.subarray(0, bytes.length - tail));
    },
    flush() {
      if (pending === undefined) return '';
      const text = lossy.decode(pending);
      pending = undefined;
      return text;
    },
  };
}
