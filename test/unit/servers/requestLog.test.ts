// The request log as plain data: what one exchange records, how many are kept, failures kept
// with the user's message, and the transcript of prompt + completion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeWithMarkup } from '../../../src/harmony/tokenizer';
import { RequestLog, exchangeSummary, recordExchange, transcriptText } from '../../../src/servers/requestLog';
import type { StreamEvent } from '../../../src/servers/types';
import { complete } from '../../../src/servers/client';
import { llamacppEvents } from '../../../src/servers/routes/llamacpp';
import { ollamaEvent } from '../../../src/servers/routes/ollama';
import { ollamaChatEvents } from '../../../src/servers/routes/ollamaChat';
import { startOllamaStandIn } from '../../support/ollama-stand-in';

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

describe('request log: accepted and queue time', () => {
  test('accepted when the server answered; queue is first token minus the prompt time the server reports', async () => {
    const log = new RequestLog();
    let t = 0;
    const now = (): number => (t += 100);
    const withTimings = ANSWER.map((e) => (e.type === 'usage' ? { ...e, promptMs: 150, loadMs: 30 } : e));
    const open = ({ onAccepted }: { onAccepted: () => void }): AsyncIterable<StreamEvent> =>
      (async function* () {
        onAccepted();
        yield* stream(withTimings);
      })();
    await drain(recordExchange(open, { server: 's', model: 'm', promptIds: PROMPT }, log, { now }));
    // Clock: start 100, accepted 200 (100 ms), first token 300 (200 ms), end 400 (300 ms).
    assert.deepEqual(log.last()?.timings, { acceptedMs: 100, queueMs: 20, serverPromptMs: 150, serverLoadMs: 30, firstTokenMs: 200, totalMs: 300, tokensPerSecond: 60 });
    assert.match(exchangeSummary(log.last()!), /^accepted 100 ms, queued 20 ms, prompt 150 ms \(server\), model load 30 ms \(server\), first token 200 ms, total 300 ms, 60\.0 tokens\/s$/m);
  });

  test('no prompt time from the server: no queue figure (first token alone cannot tell waiting from work)', async () => {
    const log = new RequestLog();
    await drain(recordExchange(stream(ANSWER), { server: 's', model: 'm', promptIds: PROMPT }, log));
    assert.equal(log.last()?.timings.queueMs, undefined);
    assert.ok(!('queueMs' in log.last()!.timings), 'no key for what was not measured');
  });

  test('the servers\' own prompt time: llama.cpp timings.prompt_ms, Ollama prompt_eval_duration and load_duration (ns)', () => {
    const final = { content: '', tokens: [], stop: true, stop_type: 'eos', tokens_evaluated: 78, tokens_predicted: 5, timings: { cache_n: 63, prompt_n: 15, prompt_ms: 412.5 } };
    assert.deepEqual(llamacppEvents()(final)[0], { type: 'usage', promptTokens: 78, completionTokens: 5, cachedPromptTokens: 63, promptMs: 412.5 });
    const done = { done: true, done_reason: 'stop', prompt_eval_count: 139, eval_count: 38, prompt_eval_duration: 97_410_000, load_duration: 58_113_208 };
    for (const usage of [ollamaEvent(done)[0], ollamaChatEvents()({ ...done, message: { role: 'assistant', content: '' } })[0]]) {
      assert.deepEqual(usage, { type: 'usage', promptTokens: 139, completionTokens: 38, promptMs: 97.41, loadMs: 58.113208 });
    }
  });

  test('complete() reports acceptance once, before the first event, on the raw and the chat route (stand-in Ollama)', async () => {
    const server = await startOllamaStandIn();
    try {
      for (const endpoint of ['raw', 'chat'] as const) {
        const order: string[] = [];
        const events = complete(
          { url: server.url, kind: 'ollama', model: 'gpt-oss:20b', endpoint },
          { prompt: { ids: PROMPT }, chat: { messages: [{ role: 'user', content: 'Hi' }] }, maxTokens: 64 },
          undefined,
          { onAccepted: () => order.push('accepted') },
        );
        for await (const event of events) order.push(event.type);
        assert.equal(order.filter((e) => e === 'accepted').length, 1, endpoint);
        assert.equal(order[0], 'accepted', endpoint);
      }
    } finally {
      await server.close();
    }
  });
});
