import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { countOrdinary, decode, encodeOrdinary, encodeWithMarkup, tokenBytes } from '../../../src/harmony/tokenizer';
import { Special, specialId, specialText } from '../../../src/harmony/tokens';
import { referenceEncodeAllSpecial, referenceEncodeOrdinary } from '../../support/jsTiktokenHarmony';
import { goldenIds, goldenText, textGoldenNames } from '../../support/goldens';
import { FIXTURES } from '../../support/fixtures';

test('hello world is [24912, 2375], as in harmony’s own test', () => {
  assert.deepEqual(encodeOrdinary('hello world'), [24912, 2375]);
});

test('special-token literals in text stay ordinary tokens', () => {
  assert.deepEqual(encodeOrdinary('<|end|>'), [27, 91, 419, 91, 29]);
  const text = 'a<|start|>assistant<|channel|>final<|message|>x<|call|>';
  assert.deepEqual(encodeOrdinary(text), referenceEncodeOrdinary(text));
  assert.ok(encodeOrdinary(text).every((id) => id < 199998));
});

test('ordinary ids are identical to js-tiktoken on every fixture file (mixed corpus: goldens, captures, prompts, JSON)', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(FIXTURES);
  const extra = ['日本語のテキストと絵文字 👩‍👩‍👧‍👦🇫🇷', 'a'.repeat(3000), '\u0000\uFFFD\t\r\n  x', 'QmFzZTY0IGRhdGE='.repeat(50)];
  let checked = 0;
  for (const text of [...files.map((f) => readFileSync(f, 'utf8')), ...extra]) {
    assert.deepEqual(encodeOrdinary(text), referenceEncodeOrdinary(text));
    assert.equal(countOrdinary(text), referenceEncodeOrdinary(text).length);
    checked++;
  }
  assert.ok(checked > 40, `checked ${checked} texts`);
});

for (const name of textGoldenNames()) {
  test(`golden ${name}: markup split by us gives the golden ids, and they decode back`, () => {
    const text = goldenText(name);
    const ids = goldenIds(name);
    assert.deepEqual(encodeWithMarkup(text), ids);
    assert.deepEqual(referenceEncodeAllSpecial(text), ids);
    assert.equal(decode(ids), text);
  });
}

test('special ids decode to their literal text; reserved ids too', () => {
  assert.equal(decode([Special.start, Special.channel, Special.message, Special.end]), '<|start|><|channel|><|message|><|end|>');
  assert.equal(specialText(200014), '<|reserved_200014|>');
  assert.equal(specialText(201087), '<|reserved_201087|>');
  assert.equal(specialText(201088), undefined);
  assert.equal(specialId('<|reserved_200100|>'), 200100);
  assert.equal(specialId('<|reserved_200002|>'), undefined);
  assert.equal(specialId('<|nope|>'), undefined);
});

test('decode never throws: invalid UTF-8 and unknown ids become U+FFFD', () => {
  assert.equal(tokenBytes(Special.end), undefined);
  // 9552 is a lone continuation byte in o200k_base (harmony's invalid UTF-8 test)
  assert.ok(decode([9552]).includes('\uFFFD'));
  assert.equal(decode([2 ** 32 - 1]), '\uFFFD');
  assert.equal(decode([-1, 24912]), '\uFFFDhello');
});

test('a character split over tokens decodes whole', () => {
  const ids = encodeOrdinary('🦀');
  assert.ok(ids.length >= 1);
  assert.equal(decode(ids), '🦀');
});

test('a U+FEFF the model writes is kept (no byte-order-mark stripping)', () => {
  const ids = encodeOrdinary('\uFEFFhello');
  assert.equal(decode(ids), '\uFEFFhello');
});

test('tokensForBytes spells any byte string with the fewest tokens, partial characters included', async () => {
  const { tokensForBytes, tokenBytes } = await import('../../../src/harmony/tokenizer');
  const halfSun = tokenBytes(25701)!; // " \xE2\x98": a space and the first two bytes of ☀
  assert.deepEqual(tokensForBytes(halfSun), [25701]);
  const bytes = new TextEncoder().encode('hello world');
  assert.deepEqual(tokensForBytes(bytes), [24912, 2375]);
  assert.deepEqual(tokensForBytes(new Uint8Array([0xff])).length, 1);
});
