// An independent o200k_harmony built from js-tiktoken (o200k_base ranks + the
// Harmony specials, tiktoken layout), used only to cross-check our tokenizer.
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';

let cached: Tiktoken | undefined;

export function jsTiktokenHarmony(): Tiktoken {
  if (cached) return cached;
  const specials: Record<string, number> = {
    '<|startoftext|>': 199998,
    '<|endoftext|>': 199999,
    '<|reserved_200000|>': 200000,
    '<|reserved_200001|>': 200001,
    '<|return|>': 200002,
    '<|constrain|>': 200003,
    '<|reserved_200004|>': 200004,
    '<|channel|>': 200005,
    '<|start|>': 200006,
    '<|end|>': 200007,
    '<|message|>': 200008,
    '<|reserved_200009|>': 200009,
    '<|reserved_200010|>': 200010,
    '<|reserved_200011|>': 200011,
    '<|call|>': 200012,
  };
  for (let id = 200013; id < 201088; id++) specials[`<|reserved_${id}|>`] = id;
  cached = new Tiktoken(o200kBase, specials);
  return cached;
}

/** Ordinary encoding (no special recognised, none refused). */
export function referenceEncodeOrdinary(text: string): number[] {
  return jsTiktokenHarmony().encode(text, [], []);
}

/** Encoding with every special literal recognised, as harmony's golden tests do. */
export function referenceEncodeAllSpecial(text: string): number[] {
  return jsTiktokenHarmony().encode(text, 'all', []);
}
