// The usage status-bar line of a logged exchange: tokens/s, prompt against context, cache reuse;
// what a server did not report is left out of the line and said in the details.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoggedExchange } from '../../../src/servers/requestLog';
import { usageText } from '../../../src/vscode/statusBar/usageText';

const BASE: LoggedExchange = {
  at: '2026-12-03T16:00:00.000Z',
  server: 'http://127.0.0.1:8080',
  model: 'gpt-oss-20b',
  promptIds: Array.from({ length: 12_000 }, () => 1),
  contextLength: 32_768,
  endpoint: 'raw',
  timings: { firstTokenMs: 420, totalMs: 2420, tokensPerSecond: 42.25 },
  usage: { promptTokens: 12_400, completionTokens: 85, cachedPromptTokens: 11_904 },
  finishReason: 'stop',
  notes: [],
};

test('llama.cpp with timings and cache_n: tokens/s, prompt/context with fill, cache reuse', () => {
  const { text, details } = usageText(BASE);
  assert.equal(text, '$(pulse) 42.3 tok/s · 12,400/32,768 (38%) · cache 96%');
  assert.ok(details.includes('prompt: 12400 of 32768 tokens of context (38% full)'), details.join('\n'));
  assert.ok(details.includes('prefix cache: 11904 of 12400 prompt tokens reused (96%)'), details.join('\n'));
  assert.ok(details.includes('42.3 tokens/s after the first token (first token after 420 ms)'), details.join('\n'));
});

test('a server without usage: the prompt we rendered, no speed and no cache in the line; the details say so', () => {
  const { text, details } = usageText({ ...BASE, promptIds: [1, 2, 3], contextLength: undefined, usage: undefined, timings: { totalMs: 10 } });
  assert.equal(text, '$(pulse) 3 prompt');
  assert.ok(details.some((d) => d.startsWith('tokens/s: not reported')));
  assert.ok(details.includes('prefix cache: not reported by this server'));
});

test('a failed exchange shows a warning icon and the error in the details', () => {
  const { text, details } = usageText({ ...BASE, error: 'http://127.0.0.1:8080 refused the connection' });
  assert.ok(text.startsWith('$(warning) '), text);
  assert.equal(details.at(-1), 'error: http://127.0.0.1:8080 refused the connection');
});

test('no cache figure from the server: none in the line', () => {
  const { text } = usageText({ ...BASE, usage: { promptTokens: 1530, completionTokens: 5 }, contextLength: 4096 });
  assert.equal(text, '$(pulse) 42.3 tok/s · 1,530/4,096 (37%)');
});
