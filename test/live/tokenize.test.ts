// A real llama-server with the o200k_harmony vocabulary tokenizes like our tokenizer: every golden
// prompt of openai/harmony gives exactly the golden ids, and the scripts where llama.cpp's
// pre-tokenizer differs (combining marks) differ exactly as recorded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeOrdinary } from '../../src/harmony/tokenizer';
import { goldenIds, goldenText, textGoldenNames } from '../support/goldens';
import { startLlamaServer, type LlamaServer } from '../llama/server';
import { PRETOKENIZER_SAMPLES } from './support/pretokenizer';
import { serverTokenize } from './support/tokenize';


/**
 * Goldens where llama.cpp's ids differ from harmony's, with llama.cpp's ids. Measured: none — the
 * goldens are English, code and JSON, which llama.cpp's gpt-4o pre-tokenizer splits like o200k.
 */
const GOLDEN_DIFFERENCES: Record<string, number[]> = {};

describe('llama-server /tokenize with the o200k_harmony vocabulary', () => {
  let server: LlamaServer;
  before(async () => {
    server = await startLlamaServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('has all 21 text goldens to compare', () => {
    assert.equal(textGoldenNames().length, 21);
  });

  for (const name of textGoldenNames()) {
    it(`${name}: the server's ids are the golden ids${name in GOLDEN_DIFFERENCES ? ' (recorded difference)' : ''}`, async () => {
      const ids = await serverTokenize(server, goldenText(name));
      assert.deepEqual(ids, GOLDEN_DIFFERENCES[name] ?? goldenIds(name));
    });
  }

  it('/detokenize turns the golden ids back into the golden text', async () => {
    for (const name of textGoldenNames()) {
      const response = await fetch(`${server.url}/detokenize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tokens: goldenIds(name) }),
      });
      const { content } = (await response.json()) as { content: string };
      assert.equal(content, goldenText(name), name);
    }
  });

  for (const sample of PRETOKENIZER_SAMPLES) {
    const differs = JSON.stringify(sample.ours) !== JSON.stringify(sample.llama);
    it(`${sample.script}: ${differs ? 'differs from ours exactly as recorded' : 'same ids as ours'}`, async () => {
      assert.deepEqual(encodeOrdinary(sample.text), sample.ours, 'our tokenizer changed');
      assert.deepEqual(await serverTokenize(server, sample.text, false), sample.llama);
    });
  }

  it('records at least one script where the pre-tokenizers differ (else the list is stale)', () => {
    assert.ok(PRETOKENIZER_SAMPLES.some((s) => JSON.stringify(s.ours) !== JSON.stringify(s.llama)));
  });
});
