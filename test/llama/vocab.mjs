// The o200k_harmony vocabulary as llama.cpp's "gpt2" BPE tokenizer wants it: o200k_base's ranks
// (from js-tiktoken) written as GPT-2 byte-to-unicode strings, BPE merges derived from the ranks,
// and the Harmony special tokens in the tiktoken layout gpt-oss uses (ids 199998…201087).
import o200kBase from 'js-tiktoken/ranks/o200k_base';

export const N_VOCAB = 201088;
export const FIRST_SPECIAL = 199998;

/** Harmony's named specials; every other id from 199998 up is `<|reserved_N|>`. */
export const SPECIALS = new Map([
  [199998, '<|startoftext|>'],
  [199999, '<|endoftext|>'],
  [200002, '<|return|>'],
  [200003, '<|constrain|>'],
  [200005, '<|channel|>'],
  [200006, '<|start|>'],
  [200007, '<|end|>'],
  [200008, '<|message|>'],
  [200012, '<|call|>'],
]);

export const specialText = (id) => SPECIALS.get(id) ?? `<|reserved_${id}|>`;

/** llama.cpp's token types. */
export const TokenType = { NORMAL: 1, CONTROL: 3 };

/** GPT-2's reversible map from bytes to printable characters (so a token is a plain string). */
function byteToUnicode() {
  const printable = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map = new Array(256);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    map[b] = printable.includes(b) ? String.fromCodePoint(b) : String.fromCodePoint(256 + next++);
  }
  return map;
}

/** o200k_base ranks: id → bytes (js-tiktoken's compressed "<x> <offset> b64 b64 …" lines). */
export function loadRanks() {
  const byId = [];
  for (const line of o200kBase.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, offsetText, ...tokens] = line.split(' ');
    const offset = Number.parseInt(offsetText, 10);
    tokens.forEach((token, i) => {
      byId[offset + i] = Buffer.from(token, 'base64');
    });
  }
  for (let id = 0; id < FIRST_SPECIAL; id++) {
    if (!byId[id]) throw new Error(`o200k_base: rank ${id} is missing`);
  }
  if (byId.length !== FIRST_SPECIAL) throw new Error(`o200k_base: expected ${FIRST_SPECIAL} ranks, found ${byId.length}`);
  return byId;
}

/**
 * The two parts a token was last merged from: byte-level BPE over the token's own bytes, using
 * only merges whose rank is below the token's (so the final merge is the one that made it).
 */
function lastMerge(bytes, rank, rankOf) {
  let parts = [...bytes].map((b) => String.fromCharCode(b));
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i < parts.length - 1; i++) {
      const r = rankOf.get(parts[i] + parts[i + 1]);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0 || bestRank >= rank) break;
    parts = [...parts.slice(0, best), parts[best] + parts[best + 1], ...parts.slice(best + 2)];
  }
  return parts;
}

/**
 * tokens (201,088 strings), token types and merges (one per multi-byte rank, in rank order).
 */
export function buildVocab() {
  const ranks = loadRanks();
  const toUnicode = byteToUnicode();
  const asText = (binary) => Array.from(binary, (c) => toUnicode[c.charCodeAt(0)]).join('');
  // Keys are "binary strings" (one char per byte): cheap to concatenate and hash.
  const rankOf = new Map(ranks.map((bytes, id) => [bytes.toString('latin1'), id]));
  const tokens = new Array(N_VOCAB);
  const types = new Array(N_VOCAB);
  const merges = [];
  for (let id = 0; id < FIRST_SPECIAL; id++) {
    const binary = ranks[id].toString('latin1');
    tokens[id] = asText(binary);
    types[id] = TokenType.NORMAL;
    if (binary.length < 2) continue;
    const parts = lastMerge(ranks[id], id, rankOf);
    if (parts.length !== 2) throw new Error(`o200k_base: rank ${id} does not split into two merged parts (${parts.length})`);
    merges.push(`${asText(parts[0])} ${asText(parts[1])}`);
  }
  for (let id = FIRST_SPECIAL; id < N_VOCAB; id++) {
    tokens[id] = specialText(id);
    types[id] = TokenType.CONTROL;
  }
  return { tokens, types, merges };
}
