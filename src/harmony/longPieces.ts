// Byte-pair encoding of very long pre-tokens in O(n log n).
//
// BPE merges never cross a pre-token boundary, and both gpt-tokenizer and js-tiktoken
// merge within a pre-token in quadratic time: measured here, 100 KB of one repeated
// character or of whitespace takes 4–5 s to count with gpt-tokenizer (and minutes with
// js-tiktoken). Tool results carry such runs (minified files, indentation, base64), and
// token counting runs on every message of every agent request. So a text with a long
// pre-token is cut at pre-token boundaries: ordinary stretches still go to the fast
// library, and each long pre-token is merged here with a heap — the same merges in the
// same order (lowest rank first, leftmost on ties), so the same ids.
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';

/** Pre-tokens at least this long (in UTF-16 units) are merged here. */
export const LONG_PIECE_CHARS = 256;

/**
 * Cheap, conservative test for "may contain a long pre-token" (a regex test cost half
 * an encode). A long pre-token is a run of letters, of symbols or of whitespace (a few
 * extra characters at its ends aside), so this counts such runs over ASCII and lets any
 * non-ASCII character extend every run. False positives only cost the exact slow path.
 */
export function mayHaveLongPiece(text: string): boolean {
  if (text.length < LONG_PIECE_CHARS) return false;
  const limit = LONG_PIECE_CHARS - 8;
  let letters = 0;
  let symbols = 0;
  let spaces = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      letters++;
      symbols++;
      spaces++;
    } else if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) {
      letters++;
      symbols = spaces = 0;
    } else if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      spaces++;
      letters = symbols = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      letters = symbols = spaces = 0;
    } else {
      symbols++;
      letters = spaces = 0;
    }
    if (letters >= limit || symbols >= limit || spaces >= limit) return true;
  }
  return false;
}

type Ranks = readonly (string | readonly number[])[];

const utf8 = new TextEncoder();

function latin1(bytes: Uint8Array): string {
  if (bytes.length < 4096) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  return out;
}

const ASCII = /^[^\u0080-\uffff]*$/;

let byteRanks: Map<string, number> | undefined;

/** Token bytes (as a latin1 string) → rank, built on first need from the library's table. */
function rankMap(ranks: Ranks): Map<string, number> {
  if (byteRanks) return byteRanks;
  const map = new Map<string, number>();
  ranks.forEach((entry, rank) => {
    if (entry === undefined) return;
    // An ASCII token's bytes, read as latin1, are the token text itself; for the others
    // unescape(encodeURIComponent(…)) is the fastest native UTF-8 → latin1 conversion.
    const key = typeof entry !== 'string' ? String.fromCharCode(...entry) : ASCII.test(entry) ? entry : unescape(encodeURIComponent(entry));
    map.set(key, rank);
  });
  byteRanks = map;
  return map;
}

/** The rank of the token whose bytes are exactly these, if there is one. */
export function rankOfBytes(bytes: Uint8Array, ranks: Ranks): number | undefined {
  return rankMap(ranks).get(latin1(bytes));
}

/**
 * A binary min-heap of pairs packed as `rank * 2^32 + start` in a Float64Array
 * (exact below 2^53), so ordering by the number orders by rank, then leftmost start.
 */
class PairHeap {
  /** A heap over the first `size` keys of `items` (taken over, not copied). */
  constructor(
    private items: Float64Array,
    public size: number,
  ) {
    for (let i = (size >> 1) - 1; i >= 0; i--) this.siftDown(i, items[i]!);
  }
  push(rank: number, start: number): void {
    if (this.size === this.items.length) {
      const grown = new Float64Array(Math.max(16, Math.ceil(this.items.length * 1.5)));
      grown.set(this.items);
      this.items = grown;
    }
    const items = this.items;
    const key = rank * 4294967296 + start;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= key) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = key;
  }
  pop(): number {
    const top = this.items[0]!;
    const last = this.items[--this.size]!;
    if (this.size > 0) this.siftDown(0, last);
    return top;
  }
  /** Puts `key` at `i` and moves it down to its place. */
  private siftDown(at: number, key: number): void {
    const items = this.items;
    let i = at;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const m = r < this.size && items[r]! < items[l]! ? r : l;
      if (items[m]! >= key) break;
      items[i] = items[m]!;
      i = m;
    }
    items[i] = key;
  }
}

/**
 * BPE of one pre-token's bytes: repeatedly merge the lowest-ranked adjacent pair (leftmost on ties).
 * Memory is about 10 bytes per byte of the piece (a Float64 heap key per pair, a dead flag,
 * the byte string) plus what stale heap keys add.
 */
export function mergePiece(piece: string, ranks: Ranks): number[] {
  const map = rankMap(ranks);
  const bytes = latin1(utf8.encode(piece));
  const whole = map.get(bytes);
  if (whole !== undefined) return [whole];
  const n = bytes.length;
  // Parts are marked by their start offsets: a byte that is not the start of a part is dead.
  // Parts are tokens, so a neighbour is found by scanning at most one token's length, and no
  // link arrays (8 bytes per byte) are needed.
  const dead = new Uint8Array(n);
  const nextStart = (start: number): number => {
    let i = start + 1;
    while (i < n && dead[i] === 1) i++;
    return i;
  };
  const previousStart = (start: number): number => {
    let i = start - 1;
    while (i > 0 && dead[i] === 1) i--;
    return i;
  };
  const pairRank = (start: number): number | undefined => {
    const mid = nextStart(start);
    return mid >= n ? undefined : map.get(bytes.slice(start, nextStart(mid)));
  };
  const initial = new Float64Array(Math.max(16, n));
  let count = 0;
  for (let i = 0; i < n - 1; i++) {
    const rank = map.get(bytes.slice(i, i + 2));
    if (rank !== undefined) initial[count++] = rank * 4294967296 + i;
  }
  const heap = new PairHeap(initial, count);
  const consider = (start: number): void => {
    const rank = pairRank(start);
    if (rank !== undefined) heap.push(rank, start);
  };
  while (heap.size > 0) {
    const key = heap.pop();
    const start = key % 4294967296;
    const rank = (key - start) / 4294967296;
    // A stale entry (a part changed since it was pushed) is skipped unless the pair now
    // there has the same rank; then merging it now is exactly what a fresh entry would do.
    if (dead[start] === 1 || pairRank(start) !== rank) continue;
    dead[nextStart(start)] = 1;
    if (start > 0) consider(previousStart(start));
    consider(start);
  }
  const ids: number[] = [];
  for (let start = 0; start < n; ) {
    const end = nextStart(start);
    const rank = map.get(bytes.slice(start, end));
    // Every single byte is a token in o200k_base, and merged parts are tokens by construction.
    if (rank === undefined) throw new Error(`no rank for bytes at ${start}`);
    ids.push(rank);
    start = end;
  }
  return ids;
}

/**
 * Encodes a text that may hold long pre-tokens: stretches of short pre-tokens go to
 * `encodeFast` whole (cut only at pre-token boundaries, so their ids are unchanged),
 * long pre-tokens are merged here.
 */
export function encodeWithLongPieces(text: string, encodeFast: (text: string) => number[], ranks: Ranks): number[] {
  const ids: number[] = [];
  let stretchStart = 0;
  let position = 0;
  const flush = (end: number): void => {
    if (end > stretchStart) for (const id of encodeFast(text.slice(stretchStart, end))) ids.push(id);
  };
  for (const match of text.matchAll(O200K_TOKEN_SPLIT_REGEX)) {
    const piece = match[0];
    position = match.index ?? position;
    if (piece.length >= LONG_PIECE_CHARS) {
      flush(position);
      for (const id of mergePiece(piece, ranks)) ids.push(id);
      stretchStart = position + piece.length;
    }
  }
  flush(text.length);
  return ids;
}
