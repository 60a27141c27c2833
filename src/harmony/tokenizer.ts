// o200k_harmony: encode ordinary text, decode ids, count tokens.
//
// gpt-tokenizer encodes at run time (measured 3–30× faster than js-tiktoken with
// identical ids, and without js-tiktoken's quadratic worst case). Its special-token
// recognition is not used: it only finds a special token at the start of the text
// or right after another special (docs/tokenizer.md), so formatting tokens are
// appended by id and transcripts with literal markup are split here.
import { encodeWithLongPieces, mayHaveLongPiece, rankOfBytes } from './longPieces';
import { specialId, specialText, SPECIAL_LITERAL, isSpecialId } from './tokens';

type Tables = typeof import('./o200kTables');

let tables: Tables | undefined;

/** Loads the 2.4 MB rank tables on first use, not when the module is imported. */
function load(): Tables {
  // A plain require keeps the tables out of the extension and CLI bundles (see esbuild.mjs).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  tables ??= require('./o200kTables') as Tables;
  return tables;
}

/** True once the rank tables have been loaded. */
export function isLoaded(): boolean {
  return tables !== undefined;
}

const NO_SPECIALS = { disallowedSpecial: new Set<string>() };

function encodeFast(text: string): number[] {
  return load().encoding.encode(text, NO_SPECIALS);
}

/** Encodes text as ordinary tokens only: `<|end|>` in the text becomes `<`, `|`, `end`, `|`, `>`. */
export function encodeOrdinary(text: string): number[] {
  if (text === '') return [];
  // Long runs (whitespace, one repeated character) are quadratic in the library: see longPieces.ts.
  return mayHaveLongPiece(text) ? encodeWithLongPieces(text, encodeFast, load().ranks) : encodeFast(text);
}

/** Number of ordinary tokens of a text. */
export function countOrdinary(text: string): number {
  if (text === '') return 0;
  if (mayHaveLongPiece(text)) return encodeWithLongPieces(text, encodeFast, load().ranks).length;
  return load().encoding.countTokens(text, NO_SPECIALS);
}

/**
 * Encodes a transcript in which Harmony markup is written literally: every known
 * special-token literal (`<|start|>`, `<|reserved_200100|>`, …) becomes its id,
 * everything else is ordinary text. For reading transcripts, never for content.
 */
export function encodeWithMarkup(text: string): number[] {
  const ids: number[] = [];
  let last = 0;
  for (const match of text.matchAll(SPECIAL_LITERAL)) {
    const id = specialId(match[0]);
    if (id === undefined) continue;
    const at = match.index ?? 0;
    if (at > last) appendIds(ids, encodeOrdinary(text.slice(last, at)));
    ids.push(id);
    last = at + match[0].length;
  }
  if (last < text.length) appendIds(ids, encodeOrdinary(text.slice(last)));
  return ids;
}

/** Appends in a loop: `push(...ids)` passes every id as an argument and overflows the stack past ~125k. */
export function appendIds(out: number[], ids: readonly number[]): void {
  for (const id of ids) out.push(id);
}

const utf8 = new TextEncoder();

/** The bytes an ordinary token stands for, or undefined for special and unknown ids. */
export function tokenBytes(id: number): Uint8Array | undefined {
  if (!Number.isInteger(id) || id < 0 || isSpecialId(id)) return undefined;
  const entry = load().ranks[id];
  if (entry === undefined) return undefined;
  return typeof entry === 'string' ? utf8.encode(entry) : Uint8Array.from(entry);
}

/**
 * Decodes ids to text. Special ids decode to their literal text; bytes that are
 * not valid UTF-8 and ids outside the vocabulary become U+FFFD, so decoding never throws.
 */
export function decode(ids: Iterable<number>): string {
  // Bytes are gathered and decoded a block at a time: a string built token by token is a
  // rope of millions of nodes (several times the text's size) before it is flattened.
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  const parts: string[] = [];
  let block = new Uint8Array(DECODE_BLOCK);
  let used = 0;
  const flush = (final: boolean): void => {
    parts.push(decoder.decode(block.subarray(0, used), { stream: !final }));
    used = 0;
  };
  for (const id of ids) {
    const special = specialText(id);
    const bytes = special === undefined ? tokenBytes(id) : undefined;
    if (bytes === undefined) {
      flush(true);
      parts.push(special ?? '\uFFFD');
      continue;
    }
    if (used + bytes.length > block.length) {
      flush(false);
      if (bytes.length > block.length) block = new Uint8Array(bytes.length);
    }
    block.set(bytes, used);
    used += bytes.length;
  }
  flush(true);
  return parts.join('');
}

const DECODE_BLOCK = 65_536;

/** Decodes one id for display (a token chip): special literal, or its text with invalid bytes as U+FFFD. */
export function decodeToken(id: number): string {
  return decode([id]);
}

// Agent requests repeat the same texts (system, tool namespace, earlier tool results,
// role and channel names) on every round, so pieces are memoised. Map.get with an equal
// string costs microseconds against milliseconds to encode 35 KB (docs/tokenizer.md),
// and saves gpt-tokenizer's per-call set-up on the many short header pieces.
const MEMO_MAX_TOTAL_CHARS = 4_000_000;
const MEMO_MAX_ENTRIES = 20_000;
const memo = new Map<string, readonly number[]>();
let memoChars = 0;

/** encodeOrdinary, memoised (least recently used dropped first). Do not mutate the result. */
export function encodeOrdinaryCached(text: string): readonly number[] {
  if (text.length > MEMO_MAX_TOTAL_CHARS / 4) return encodeOrdinary(text);
  const hit = memo.get(text);
  if (hit !== undefined) {
    memo.delete(text);
    memo.set(text, hit);
    return hit;
  }
  const ids = encodeOrdinary(text);
  memo.set(text, ids);
  memoChars += text.length;
  for (const key of memo.keys()) {
    if (memoChars <= MEMO_MAX_TOTAL_CHARS && memo.size <= MEMO_MAX_ENTRIES) break;
    memo.delete(key);
    memoChars -= key.length;
  }
  return ids;
}

/** Empties the memo (benchmarks measure cold and warm renders). */
export function clearEncodeMemo(): void {
  memo.clear();
  memoChars = 0;
}

/**
 * The fewest ordinary tokens whose bytes are exactly these (a byte string need not be
 * valid UTF-8). Every single byte is a token, so there is always an answer.
 */
export function tokensForBytes(bytes: Uint8Array): number[] {
  const { ranks } = load();
  const n = bytes.length;
  // best[i]: fewest tokens for bytes[0..i); from[i]: where the last of them starts.
  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(0);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    for (let start = Math.max(0, end - 64); start < end; start++) {
      if (best[start]! + 1 >= best[end]!) continue;
      if (rankOfBytes(bytes.subarray(start, end), ranks) !== undefined) {
        best[end] = best[start]! + 1;
        from[end] = start;
      }
    }
  }
  const ids: number[] = [];
  for (let end = n; end > 0; end = from[end]!) ids.unshift(rankOfBytes(bytes.subarray(from[end]!, end), ranks)!);
  return ids;
}
