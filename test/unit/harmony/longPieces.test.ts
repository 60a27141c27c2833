// The O(n log n) merge of long pre-tokens must give exactly the library's ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LONG_PIECE_CHARS, mayHaveLongPiece, mergePiece } from '../../../src/harmony/longPieces';
import { ranks, encoding } from '../../../src/harmony/o200kTables';
import { countOrdinary, encodeOrdinary } from '../../../src/harmony/tokenizer';
import { referenceEncodeOrdinary } from '../../support/jsTiktokenHarmony';

const library = (text: string): number[] => encoding.encode(text, { disallowedSpecial: new Set() });

/** A small deterministic generator, so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const LONG_RUNS = [
  'a'.repeat(1500),
  ' '.repeat(1200),
  '\n'.repeat(700),
  ' \n\t '.repeat(300),
  '!'.repeat(900),
  '-='.repeat(500),
  'ab'.repeat(600),
  '漢字かなカナ'.repeat(120),
  '👩‍👩‍👧‍👦🇫🇷'.repeat(60),
  'Zzzz'.repeat(200) + 'z'.repeat(300),
];

test('a long run merges to the same ids as js-tiktoken and gpt-tokenizer', () => {
  for (const run of LONG_RUNS) {
    const expected = referenceEncodeOrdinary(run);
    assert.deepEqual(library(run), expected);
    assert.deepEqual(encodeOrdinary(run), expected, JSON.stringify(run.slice(0, 20)));
  }
});

test('mergePiece alone equals the library on single pre-tokens of every length up to 600', () => {
  for (const unit of ['a', ' ', 'é', '=', '字']) {
    for (let n = 1; n <= 600; n += 37) {
      const piece = unit.repeat(n);
      assert.deepEqual(mergePiece(piece, ranks), library(piece), `${JSON.stringify(unit)} × ${n}`);
    }
  }
});

test('long runs inside ordinary text: the stretches around them are unchanged (random compositions)', () => {
  const next = random(7);
  const words = ['Hello', ' world', '\n', '  ', 'foo_bar', '(x) => x + 1;', ' 12345', "don't", 'ÆØÅ', '\t', '// comment', '😀'];
  for (let round = 0; round < 60; round++) {
    let text = '';
    const parts = 3 + Math.floor(next() * 8);
    for (let p = 0; p < parts; p++) {
      if (next() < 0.3) {
        const run = LONG_RUNS[Math.floor(next() * LONG_RUNS.length)]!;
        text += run.slice(0, LONG_PIECE_CHARS + Math.floor(next() * 600));
      } else {
        text += words[Math.floor(next() * words.length)]!;
      }
    }
    assert.deepEqual(encodeOrdinary(text), library(text), `round ${round}: ${JSON.stringify(text.slice(0, 60))}`);
    assert.equal(countOrdinary(text), library(text).length);
  }
});

test('the long-piece path is only taken when a long run may exist', () => {
  assert.equal(mayHaveLongPiece('short text'), false);
  assert.equal(mayHaveLongPiece('word '.repeat(1000)), false);
  assert.equal(mayHaveLongPiece(' '.repeat(LONG_PIECE_CHARS)), true);
});
