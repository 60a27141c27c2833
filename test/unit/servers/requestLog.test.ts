// The request log as plain data: what one exchange records, how many are kept, failures kept
// with the user's message, and the transcript of prompt + completion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeWithMarkup } from '../../../src/harmony/tokenizer';
import { RequestLog, exchangeSummary, recordExchange, transcriptText } from '../../../src/servers/requestLog';
import type { StreamEvent } from '../../../src/servers/types';

const PROMPT = encodeWithMarkup('<|start|>user<|message|>Hi<|end|><|start|>assistant');
const COMPLETION = '<|channel|>final<|message|>Hello.<|return|>';

async function* stream(events: StreamEvent[], failure?: Error): AsyncGenerator<StreamEvent> {
  for (const e of events) yield e;
  if (failure) throw failure;
}

const ANSWER: StreamEvent[] = [
  { type: 'messageStart', index: 0, header: { role: 'assistant', channel: 'final' } },
  { type: 'contentDelta', index: 0, text: 'Hello.' },
  { type: 'messageEnd', index: 0, message: { role: 'assistant', channel: 'final', content: 'Hello.', stop: 'return', notes: [{ code: 'missingStart', message: 'a recovered marker' }] } },
  { type: 'usage', promptTokens: PROMPT.length, completionTokens: 6, cachedPromptTokens: 4 },
  { type: 'done', finishReason: 'stop', endpoint: 'raw', completion: { ids: encodeWithMarkup(COMPLETION), text: COMPLETION } },
];

async function drain(events: AsyncIterable<StreamEvent>): Promise<unknown> {
  try {
    for await (const e of events) void e;
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('request log', () => {
  test('one exchange: ids, usage with cache reuse, stop, notes, timings from the clock', async () => {
    const log = new RequestLog();
    let t = 1000;
    const now = (): number => (t += 50);
    await drain(recordExchange(stream(ANSWER), { server: 'http://h:8080', model: 'gpt-oss-20b', promptIds: PROMPT }, log, { now }));
    const entry = log.last()!;
    assert.equal(entry.server, 'http://h:8080');
    assert.deepEqual(entry.promptIds, PROMPT);
    assert.deepEqual(entry.usage, { promptTokens: PROMPT.length, completionTokens: 6, cachedPromptTokens: 4 });
    assert.equal(entry.finishReason, 'stop');
    assert.equal(entry.lastStop, 'return');
    assert.deepEqual(entry.notes, ['a recovered marker']);
    // Clock: start 1050, first token 1100 (50 ms), end 1150 (100 ms): 6 tokens in 50 ms.
    assert.deepEqual(entry.timings, { firstTokenMs: 50, totalMs: 100, tokensPerSecond: 120 });
    assert.equal(transcriptText(entry), `<|start|>user<|message|>Hi<|end|><|start|>assistant${COMPLETION}`);
    assert.match(exchangeSummary(entry), /usage: \d+ prompt, 6 completion, 4 from the prefix cache/);
  });

  test('a failure is recorded with the message the user saw, and still thrown', async () => {
    const log = new RequestLog();
    const error = await drain(recordExchange(stream(ANSWER.slice(0, 2), new Error('cut')), { server: 's', model: 'm', promptIds: PROMPT }, log, { describeError: () => 'the server closed the connection' }));
    assert.equal((error as Error).message, 'cut');
    assert.equal(log.last()?.error, 'the server closed the connection');
    assert.equal(log.last()?.completion, undefined);
  });

  test('keeps the last N, N read at every add; every entry is offered to the listener', async () => {
    let size = 2;
    const seen: string[] = [];
    const log = new RequestLog(() => size, (e) => seen.push(e.model));
    for (const model of ['a', 'b', 'c']) await drain(recordExchange(stream(ANSWER), { server: 's', model, promptIds: PROMPT }, log));
    assert.deepEqual(log.all().map((e) => e.model), ['b', 'c']);
    size = 0;
    await drain(recordExchange(stream(ANSWER), { server: 's', model: 'd', promptIds: PROMPT }, log));
    assert.deepEqual(log.all(), []);
    assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
  });
});
