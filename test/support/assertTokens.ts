import assert from 'node:assert/strict';
import { decode } from '../../src/harmony/tokenizer';

/** Compares token ids; on failure shows the decoded texts and the first differing index, like harmony's assert_tokens_eq. */
export function assertTokensEqual(actual: readonly number[], expected: readonly number[], label = 'tokens'): void {
  if (actual.length === expected.length && actual.every((id, i) => id === expected[i])) return;
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at++;
  assert.fail(
    `${label} differ at index ${at} (actual ${actual[at]}, expected ${expected[at]})\n` +
      `--- actual (${actual.length} tokens)\n${decode(actual)}\n--- expected (${expected.length} tokens)\n${decode(expected)}`,
  );
}
