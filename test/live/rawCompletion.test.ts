// The raw path on a real llama-server: our token ids as the prompt of /completion, streamed back
// with token ids (return_tokens), the random model scripted by a grammar. What the server streams
// is exactly the scripted Harmony text, token for token, and generation stops at <|call|> /
// <|return|> (the server's end-of-generation handling, not ours).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decode, encodeWithMarkup, tokenBytes } from '../../src/harmony/tokenizer';
import { Special } from '../../src/harmony/tokens';
import { scriptCompletion, unforceableTokens } from '../llama/script';
import { streamCompletion, type CompletionEvent } from '../llama/sse';
import { startLlamaServer, type LlamaServer } from '../llama/server';
import { FINAL_SCRIPT, MULTIBYTE_SCRIPT, promptIds, TOOL_CALL_SCRIPT } from './support/scripts';

/** Positions of the ids after which the decoded bytes end inside a UTF-8 character. */
function positionsEndingMidCharacter(ids: readonly number[]): number[] {
  const positions: number[] = [];
  const bytes: number[] = [];
  ids.forEach((id, at) => {
    bytes.push(...(tokenBytes(id) ?? []));
    // Fatal decoding of the text so far fails only if it ends mid-character (the script is valid UTF-8).
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    } catch {
      positions.push(at);
    }
  });
  return positions;
}

interface Streamed {
  events: CompletionEvent[];
  /** Token ids of every event before the final one, in order. */
  ids: number[];
  final: CompletionEvent;
}

async function runScript(server: LlamaServer, text: string, sampling: Record<string, unknown> = {}): Promise<Streamed> {
  const script = scriptCompletion(text);
  const events: CompletionEvent[] = [];
  for await (const event of streamCompletion(server.url, {
    prompt: promptIds(),
    grammar: script.grammar,
    logit_bias: script.logitBias,
    return_tokens: true,
    n_predict: script.ids.length + 20,
    cache_prompt: false,
    ...sampling,
  })) {
    assert.equal(event.error, undefined, `the server sent an error event: ${JSON.stringify(event.error)}`);
    events.push(event);
  }
  const final = events.at(-1);
  assert.ok(final, 'no events');
  assert.equal(events.filter((e) => e.stop).length, 1, 'exactly one final event');
  assert.equal(final.stop, true, 'the last event is the final one');
  return { events, ids: events.slice(0, -1).flatMap((e) => e.tokens ?? []), final };
}

describe('raw /completion with token ids, scripted by a grammar', () => {
  let server: LlamaServer;
  before(async () => {
    server = await startLlamaServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('the prompt is our ids: the server evaluates exactly that many tokens', async () => {
    const { final } = await runScript(server, FINAL_SCRIPT, { seed: 1 });
    assert.equal(final.tokens_evaluated, promptIds().length);
    assert.equal(final.prompt, decode(promptIds()));
  });

  for (const [name, text, stop] of [
    ['analysis → tool call', TOOL_CALL_SCRIPT, Special.call],
    ['analysis → final', FINAL_SCRIPT, Special.return],
  ] as const) {
    it(`${name}: the streamed ids decode to exactly the script and generation stops at ${decode([stop])}`, async () => {
      const script = scriptCompletion(text);
      assert.equal(script.stopToken, stop);
      const { events, ids, final } = await runScript(server, text, { temperature: 1.5, seed: 7 });
      assert.deepEqual(ids, script.ids);
      assert.equal(decode(ids), text);
      assert.equal(ids.at(-1), stop);
      // One event per token, the stop token's own event last before the final one.
      assert.ok(events.slice(0, -1).every((e) => e.tokens?.length === 1));
      assert.equal(final.stop_type, 'eos');
      assert.equal(final.tokens_predicted, script.ids.length);
      assert.deepEqual(final.tokens, []);
      // The streamed text: markup tokens rendered as text, the stop token not.
      const content = events.map((e) => e.content).join('');
      assert.equal(content, text.slice(0, -decode([stop]).length));
    });
  }

  it('is exact whatever the seed and temperature (the grammar, not luck)', async () => {
    const script = scriptCompletion(TOOL_CALL_SCRIPT);
    for (const [seed, temperature] of [[1, 0], [2, 0.8], [3, 1.5], [4, 2]] as const) {
      const { ids } = await runScript(server, TOOL_CALL_SCRIPT, { seed, temperature });
      assert.deepEqual(ids, script.ids, `seed ${seed}, temperature ${temperature}`);
    }
  });

  it('a token ending inside a character is not streamed: its id is lost, tokens_predicted shows the gap', async () => {
    // llama.cpp (tools/server/server-context.cpp, process_token) sends no event while the generated
    // text ends mid-character; the next event carries the whole text but only its own token id
    // (`tokens = { tkn.tok }`), and the final event of a stream has no ids. So over a stream the ids
    // of such tokens never arrive; only tokens_predicted jumps. ☀ = ids 25701 (" \xE2\x98") + 222.
    const script = scriptCompletion(MULTIBYTE_SCRIPT);
    const withheld = positionsEndingMidCharacter(script.ids);
    assert.deepEqual(withheld.map((at) => script.ids[at]), [25701]);
    const { events, ids, final } = await runScript(server, MULTIBYTE_SCRIPT, { seed: 5 });
    assert.deepEqual(ids, script.ids.filter((_, at) => !withheld.includes(at)));
    assert.equal(final.tokens_predicted, script.ids.length);
    // Each event's tokens_predicted is the count so far: the gap sits exactly at the withheld token.
    const counts = events.slice(0, -1).map((e) => e.tokens_predicted);
    const gaps = counts.flatMap((n, i) => ((n ?? 0) - (i === 0 ? 0 : counts[i - 1] ?? 0) > 1 ? [i] : []));
    assert.equal(gaps.length, 1);
    const gapEvent = events[gaps[0] ?? -1];
    assert.deepEqual(gapEvent?.tokens, [222]);
    assert.equal(gapEvent?.content, ' \u2600');
    // The text is whole: no replacement character anywhere, and it joins to the script.
    const content = events.map((e) => e.content).join('');
    assert.equal(content, MULTIBYTE_SCRIPT.slice(0, -'<|return|>'.length));
  });

  it('without a closing stop token in the script, n_predict ends the stream (stop_type limit)', async () => {
    const text = '<|channel|>final<|message|>{"city":"Tok';
    const script = scriptCompletion(text);
    assert.equal(script.stopToken, undefined);
    const { ids, final } = await runScript(server, text, { n_predict: script.ids.length, seed: 3 });
    assert.deepEqual(ids, script.ids);
    assert.equal(final.stop_type, 'limit');
  });

  it('a token holding only the first bytes of a character cannot be forced (llama.cpp grammar limit)', async () => {
    const text = '<|channel|>final<|message|>Nice 👍🏽<|return|>';
    const ids = encodeWithMarkup(text);
    assert.deepEqual(unforceableTokens(ids.slice(0, -1)).map((at) => ids[at]), [52622]);
    assert.throws(() => scriptCompletion(text), /cannot force ids 52622/);
    // What the server does when asked anyway: an error event once it reaches that token.
    const grammar = `root ::= ${ids.slice(0, -1).map((id) => `<[${id}]>`).join(' ')}`;
    const events: CompletionEvent[] = [];
    for await (const event of streamCompletion(server.url, {
      prompt: promptIds(), grammar, return_tokens: true, n_predict: 32, seed: 1, cache_prompt: false,
    })) events.push(event);
    const error = events.at(-1)?.error;
    assert.ok(error, `expected an error event, got ${JSON.stringify(events.at(-1))}`);
    assert.match(error.message, /Unexpected empty grammar stack/);
    assert.deepEqual(events.slice(0, -1).flatMap((e) => e.tokens ?? []), ids.slice(0, ids.indexOf(52622)));
  });
});
