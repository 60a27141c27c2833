// Oversized inputs: a 2 MB document whose text between two markup literals is far more than
// the ~125k arguments a spread call can take. Every encode/concat path must be stack-safe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderChatRequest } from '../../../src/harmony/chatRequest';
import { readTranscript } from '../../../src/harmony/inspect';
import { countOrdinary, decode, encodeOrdinary, encodeWithMarkup } from '../../../src/harmony/tokenizer';
import { referenceEncodeAllSpecial } from '../../support/jsTiktokenHarmony';
import { runCli } from '../../support/cliHarness';

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', '42', 'x\n', 'ünïcode', '→'];
let body = '';
for (let i = 0; body.length < 2_000_000; i++) body += `${WORDS[i % WORDS.length]} `;
const BODY = body;
const TRANSCRIPT = `<|start|>user<|message|>${BODY}<|end|><|start|>assistant`;
const reference = referenceEncodeAllSpecial(TRANSCRIPT);

test('the document is 2 MB with more than 125k tokens between two markup literals', () => {
  assert.ok(BODY.length >= 2_000_000);
  assert.ok(reference.length - 6 > 125_000, `${reference.length} tokens`);
});

test('encodeWithMarkup of the 2 MB transcript equals js-tiktoken’s ids', () => {
  assert.deepEqual(encodeWithMarkup(TRANSCRIPT), reference);
});

test('count and decode of the 2 MB text', () => {
  const ids = encodeOrdinary(BODY);
  assert.equal(countOrdinary(BODY), reference.length - 6);
  assert.equal(decode(ids), BODY);
});

test('render of a chat request holding the 2 MB text', () => {
  const ids = renderChatRequest({ messages: [{ role: 'user', content: BODY }] }, { date: '2026-01-01' }).ids;
  assert.ok(decode(ids).includes(BODY));
});

test('harmony count --transcript of the 2 MB transcript', async () => {
  const result = await runCli(['count', '--transcript'], { '-': TRANSCRIPT });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${reference.length}\n`);
});

test('the inspector’s transcript reading of the 2 MB transcript', () => {
  const inspection = readTranscript(TRANSCRIPT);
  assert.equal(inspection.ids.length, reference.length);
  assert.deepEqual(inspection.messages.map((m) => m.role), ['user', 'assistant']);
  assert.equal(inspection.messages[0]!.content, BODY);
});
