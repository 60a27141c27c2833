// The token inspector's reading of a transcript: message ranges in the text, count, chips.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeWithMarkup, readTranscript, tokenChips } from '../../../src/harmony';

const MESSAGES = [
  '<|start|>user<|message|>Wie spät ist es in 東京? 🕒<|end|>',
  '<|start|>assistant<|channel|>analysis<|message|>Need the time — naïve answer.<|end|>',
  '<|start|>assistant<|channel|>final<|message|>Es ist 9 Uhr. ✅<|return|>',
];

test('each message covers exactly its own text (UTF-16 offsets, astral characters included)', () => {
  const text = MESSAGES.join('');
  const reading = readTranscript(text);
  assert.deepEqual(
    reading.messages.map((m) => text.slice(m.start, m.end)),
    MESSAGES,
  );
  assert.deepEqual(reading.ids, encodeWithMarkup(text));
  assert.deepEqual(reading.messages.map((m) => m.content), ['Wie spät ist es in 東京? 🕒', 'Need the time — naïve answer.', 'Es ist 9 Uhr. ✅']);
});

test('an unterminated last message runs to the end of the text', () => {
  const text = `${MESSAGES[0]}<|start|>assistant<|message|>cut off here`;
  const last = readTranscript(text).messages.at(-1)!;
  assert.equal(text.slice(last.start, last.end), '<|start|>assistant<|message|>cut off here');
  assert.equal(last.end, text.length);
});

test('chips: the text of each token as written, specials marked, for the range asked', () => {
  const ids = encodeWithMarkup('<|start|>user<|message|>hi<|end|>');
  const chips = tokenChips(ids, 1, 4);
  assert.deepEqual(chips.map((c) => c.text), ['user', '<|message|>', 'hi']);
  assert.deepEqual(chips.map((c) => c.special), [false, true, false]);
  assert.deepEqual(chips.map((c) => c.id), ids.slice(1, 4));
});
