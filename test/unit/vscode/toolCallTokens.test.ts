// The provider's store of the model's own tokens per tool call (no vscode needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeWithMarkup } from '../../../src/harmony';
import { ToolCallTokens } from '../../../src/vscode/provider/toolCallTokens';

const CALL = '<|channel|>commentary to=functions.f <|constrain|>json<|message|>{}';

test('a response ending in a call is kept under its first call id, framed as an assistant turn with <|call|> appended', () => {
  const store = new ToolCallTokens();
  store.remember([{ callId: 'a' }, { callId: 'b' }], { completion: { text: CALL }, lastStop: 'call' });
  assert.deepEqual(store.get('a'), encodeWithMarkup(`<|start|>assistant${CALL}<|call|>`));
  assert.equal(store.get('b'), undefined);
});

test('the server’s ids are kept as they are; a trailing <|call|> is not doubled', () => {
  const store = new ToolCallTokens();
  const ids = encodeWithMarkup(`${CALL}<|call|>`);
  store.remember([{ callId: 'a' }], { completion: { ids, text: 'ignored when ids are there' }, lastStop: 'call' });
  assert.deepEqual(store.get('a'), [...encodeWithMarkup('<|start|>assistant'), ...ids]);
});

test('nothing is kept for a response that did not stop at a call, or without a completion', () => {
  const store = new ToolCallTokens();
  store.remember([{ callId: 'a' }], { completion: { text: CALL }, lastStop: 'end' });
  store.remember([{ callId: 'b' }], { lastStop: 'call' });
  assert.equal(store.get('a'), undefined);
  assert.equal(store.get('b'), undefined);
});

test('past its capacity the oldest call falls out first', () => {
  const store = new ToolCallTokens(2);
  for (const callId of ['a', 'b', 'c']) store.remember([{ callId }], { completion: { text: CALL }, lastStop: 'call' });
  assert.deepEqual(['a', 'b', 'c'].map((id) => store.get(id) !== undefined), [false, true, true]);
});
