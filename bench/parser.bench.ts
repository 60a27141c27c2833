// Parser cost per token, streamed one token at a time (as a server sends them), against
// plain `decode` of the same ids in the same run. Target: < 5 µs per token (a gpt-oss token
// takes ~5 ms to generate on an H100, so the parser stays under 0.1 %).
//
//   node --import tsx bench/parser.bench.ts
import { createParser } from '../src/harmony/parser';
import { decode, encodeWithMarkup } from '../src/harmony/tokenizer';
import { specialText } from '../src/harmony/tokens';
import { interleaved } from './stats';

const SENTENCES = [
  'The user wants the weather in Tokyo and a short summary of the forecast for the week. ',
  'We should call get_weather with the city, then answer briefly in their language. ',
  'Consider edge cases: métro, naïve café, 東京の天気は晴れです, emoji 🌤️🇯🇵 and code like `if (a < b) { return; }`. ',
  'Numbers: 12.5 °C at 09:00, 18 °C at 15:00; humidity 63 %. ',
];
const text = (sentences: number): string => Array.from({ length: sentences }, (_, i) => SENTENCES[i % SENTENCES.length]).join('');

const COMPLETION =
  `<|channel|>analysis<|message|>${text(60)}<|end|>` +
  `<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Tokyo","days":7}<|call|>` +
  `<|start|>assistant<|channel|>final<|message|>${text(40)}<|return|>`;

const ids = encodeWithMarkup(COMPLETION);
const pieces = ids.map((id) => specialText(id) ?? decode([id]));

function parseIdsOneByOne(): number {
  const parser = createParser({ role: 'assistant' });
  let events = 0;
  for (const id of ids) events += parser.pushTokens([id]).length;
  return events + parser.end().length;
}

function parseTextOneByOne(): number {
  const parser = createParser({ role: 'assistant' });
  let events = 0;
  for (const piece of pieces) events += parser.pushText(piece).length;
  return events + parser.end().length;
}

// Warm up: tables loaded, caches filled, functions optimised.
for (let i = 0; i < 30; i++) {
  parseIdsOneByOne();
  parseTextOneByOne();
  decode(ids);
}

const reps = 200;
const medians = interleaved(
  {
    decode: () => decode(ids),
    decodeTokenByToken: () => ids.map((id) => decode([id])),
    parserIds: parseIdsOneByOne,
    parserText: parseTextOneByOne,
  },
  reps,
);

const perToken = (ms: number): string => `${((ms * 1000) / ids.length).toFixed(3)} µs/token`;
console.log(`Harmony parser, ${ids.length} tokens (analysis, tool call, answer), each pushed on its own; median of ${reps} interleaved runs`);
console.log(`  baseline decode(ids), whole:         ${perToken(medians.decode!)}`);
console.log(`  baseline decode([id]) per token:     ${perToken(medians.decodeTokenByToken!)}`);
console.log(`  parser, pushTokens([id]) per token:  ${perToken(medians.parserIds!)}   (${(medians.parserIds! / medians.decode!).toFixed(2)}× decode)`);
console.log(`  parser, pushText(piece) per token:   ${perToken(medians.parserText!)}   (${(medians.parserText! / medians.decode!).toFixed(2)}× decode)`);
const worst = Math.max(medians.parserIds!, medians.parserText!);
console.log(`  target < 5 µs/token: ${(worst * 1000) / ids.length < 5 ? 'met' : 'NOT met'}`);
