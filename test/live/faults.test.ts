// Real server faults, seen with plain fetch: a server killed in the middle of a stream, and a
// server that is not there. (The transports' own error handling is tested on top of these.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { streamCompletion, type CompletionEvent } from '../llama/sse';
import { freePort, startLlamaServer } from '../llama/server';
import { promptIds } from './support/scripts';

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  while (current instanceof Error) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

describe('server faults', () => {
  it('a server that is not there: fetch rejects with ECONNREFUSED', async () => {
    const port = await freePort();
    await assert.rejects(
      fetch(`http://127.0.0.1:${port}/v1/models`),
      (error: unknown) => errorCode(error) === 'ECONNREFUSED',
    );
  });

  it('a server killed mid-stream: the stream breaks after the tokens already sent, and the server is gone', async () => {
    const server = await startLlamaServer();
    try {
      const received: CompletionEvent[] = [];
      const reading = (async () => {
        for await (const event of streamCompletion(server.url, {
          prompt: promptIds(), n_predict: 4000, ignore_eos: true, return_tokens: true, seed: 1,
        })) {
          received.push(event);
          if (received.length === 5) await server.kill();
        }
      })();
      await assert.rejects(reading, (error: unknown) => error instanceof Error);
      assert.ok(received.length >= 5, 'tokens streamed before the kill arrived');
      assert.ok(received.length < 4000, 'the stream did not run to its end');
      assert.ok(received.every((e) => !e.stop), 'no final event');
      assert.equal((await server.exited).signal, 'SIGKILL');
      await assert.rejects(fetch(`${server.url}/health`), (error: unknown) => errorCode(error) === 'ECONNREFUSED');
    } finally {
      await server.stop();
    }
  });
});
