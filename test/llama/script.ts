// Scripting a random model on a real llama-server: a GBNF grammar sent with a /completion request
// that admits exactly one token sequence, so the server streams exactly a chosen Harmony text, token
// for token, through its real sampler, detokenizer and stop handling.
//
// llama.cpp's grammar engine takes token ids (`<[200005]>`). Written as ids the output is exactly
// those ids; written as literal text the model would pick its own tokenization. End-of-generation
// tokens are masked while the grammar is incomplete, so the closing `<|call|>` / `<|return|>` is left
// out of the grammar and forced with a logit bias once the grammar is complete (docs/testing.md).
import { encodeWithMarkup, tokenBytes } from '../../src/harmony/tokenizer';
import { ASSISTANT_STOP_TOKENS } from '../../src/harmony/tokens';

/**
 * Ids a token-id grammar cannot force. llama.cpp's grammar decodes every candidate's bytes as
 * UTF-8, continuing the previous token's incomplete sequence, and rejects a candidate that yields no
 * complete character and still ends mid-sequence (llama-grammar.cpp, reject_candidates_for_stack),
 * even where the grammar names that very id. So a token that is only the first bytes of a character
 * split over several tokens (the skin-tone modifier of 👍🏽: ids 52622, 121) is never sampled: every
 * candidate is masked, the sampler picks a masked token and the server answers
 * "Unexpected empty grammar stack". Returns the offending positions.
 */
export function unforceableTokens(ids: readonly number[]): number[] {
  const bad: number[] = [];
  let remain = 0; // continuation bytes still owed by the previous token
  ids.forEach((id, at) => {
    const bytes = tokenBytes(id);
    if (bytes === undefined) return; // special tokens: matched by id, no text
    let complete = 0;
    let invalid = false;
    for (const byte of bytes) {
      if (remain > 0) {
        if (byte >> 6 !== 2) {
          invalid = true;
          break;
        }
        remain -= 1;
        if (remain === 0) complete += 1;
        continue;
      }
      const length = byte < 0x80 ? 1 : byte >> 5 === 6 ? 2 : byte >> 4 === 14 ? 3 : byte >> 3 === 30 ? 4 : 0;
      if (length === 0) {
        invalid = true;
        break;
      }
      remain = length - 1;
      if (remain === 0) complete += 1;
    }
    if (invalid || (complete === 0 && remain > 0)) bad.push(at);
    if (invalid) remain = 0;
  });
  return bad;
}

/** A GBNF grammar whose only sentence is this token sequence. */
export function grammarForIds(ids: readonly number[]): string {
  if (ids.length === 0) throw new Error('grammarForIds: an empty script');
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0) throw new Error(`grammarForIds: not a token id: ${id}`);
  }
  return `root ::= ${ids.map((id) => `<[${id}]>`).join(' ')}`;
}

export interface ScriptedCompletion {
  /** The Harmony text (markup written literally, e.g. `<|channel|>analysis<|message|>…<|call|>`). */
  text: string;
  /** Every token the server will stream, the closing stop token included. */
  ids: number[];
  /** The grammar: every id except a closing `<|call|>` / `<|return|>`. */
  grammar: string;
  /** The closing end-of-generation token, when the text ends with one. */
  stopToken: number | undefined;
  /** `logit_bias` that makes the server pick `stopToken` once the grammar is complete. */
  logitBias: [number, number][];
}

/**
 * The grammar-script for a Harmony text: a function from the text to a GBNF grammar (plus the logit
 * bias for its closing token) that forces exactly that token sequence. Markup is read with
 * `encodeWithMarkup`, everything else is ordinary text.
 */
export function scriptCompletion(text: string): ScriptedCompletion {
  const ids = encodeWithMarkup(text);
  const last = ids.at(-1);
  const stopToken = last !== undefined && ASSISTANT_STOP_TOKENS.includes(last) ? last : undefined;
  const forced = stopToken === undefined ? ids : ids.slice(0, -1);
  const bad = unforceableTokens(forced);
  if (bad.length > 0) {
    throw new Error(`scriptCompletion: llama.cpp's grammar cannot force ids ${bad.map((at) => forced[at]).join(', ')} `
      + `(a character split over tokens: the token holds only its first bytes); choose another text`);
  }
  return {
    text,
    ids,
    grammar: grammarForIds(forced),
    stopToken,
    logitBias: stopToken === undefined ? [] : [[stopToken, 100]],
  };
}

/** The GBNF grammar alone (see scriptCompletion). */
export function harmonyGrammar(text: string): string {
  return scriptCompletion(text).grammar;
}

/**
 * The request-body fields that script a /completion (or /v1/completions) request:
 * `{ grammar, logit_bias }`. Spread them into a body that has the prompt and the rest.
 */
export function scriptFields(text: string): { grammar: string; logit_bias: [number, number][] } {
  const script = scriptCompletion(text);
  return { grammar: script.grammar, logit_bias: script.logitBias };
}
