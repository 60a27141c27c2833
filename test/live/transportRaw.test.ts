// Our transport and parser on the real llama-server, raw path: `complete()` sends our rendered
// token ids to /completion, the random model is scripted by a grammar carried in the request's
// extra body, and what comes back through the transport's SSE reader, the feed and the streaming
// Harmony parser is exactly the scripted reasoning, tool call and answer — on real streamed tokens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCompletion } from '../../src/harmony/parseCompletion';
import { decode, encodeWithMarkup } from '../../src/harmony/tokenizer';
import { Special } from '../../src/harmony/tokens';
import { startLlamaServer, type LlamaServer } from '../llama/server';
import { ANALYSIS_FINAL, ANALYSIS_TOOL, FINAL_ANSWER, FINAL_SCRIPT, MULTIBYTE_SCRIPT, TOOL_ARGUMENTS, TOOL_CALL_SCRIPT } from './support/scripts';
import { GREETING_CHAT, WEATHER_CHAT, idScript, liveConfig, rendered, run, scriptedRequest, streamedContents, type Outcome } from './support/transport';

/** What the provider makes of a completion, in one comparable shape. */
function reading(outcome: Outcome) {
  const { summary } = outcome;
  return {
    reasoning: summary.reasoning,
    content: summary.content,
    calls: summary.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments, truncated: c.truncated })),
    unparsed: summary.unparsed,
    truncated: summary.truncated,
  };
}

/** The same completion parsed whole, offline: streaming over real tokens must read the same. */
function offline(ids: readonly number[], functionNames?: ReadonlyMap<string, string>) {
  const summary = parseCompletion(ids, functionNames === undefined ? {} : { functionNames });
  return reading({ summary } as Outcome);
}

describe('our transport + parser on the real llama-server: raw /completion, grammar-scripted', () => {
  let server: LlamaServer;
  before(async () => {
    server = await startLlamaServer({ alias: 'tiny-gpt-oss' });
  });
  after(async () => {
    await server?.stop();
  });

  it('analysis → tool call: exactly the scripted reasoning and get_weather {"city":"Tokyo"}, streamed token by token, stopped at <|call|>', async () => {
    const { request, script, functionNames } = scriptedRequest(WEATHER_CHAT, TOOL_CALL_SCRIPT, { temperature: 1.5, seed: 7 });
    const outcome = await run(liveConfig(server.url), request, functionNames);
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.deepEqual(reading(outcome), {
      reasoning: ANALYSIS_TOOL,
      content: '',
      calls: [{ name: 'get_weather', arguments: JSON.parse(TOOL_ARGUMENTS) as unknown, truncated: false }],
      unparsed: '',
      truncated: false,
    });
    assert.equal(outcome.summary.toolCalls[0]?.rawArguments, TOOL_ARGUMENTS);
    assert.deepEqual(outcome.summary.messages.map((m) => m.stop), ['end', 'call']);
    // Streamed as it came: one delta per content token, not one block at the end.
    assert.ok(outcome.parsed.filter((e) => e.type === 'contentDelta').length >= 10);
    assert.deepEqual(streamedContents(outcome), [ANALYSIS_TOOL, TOOL_ARGUMENTS]);
    // The server stopped at <|call|>: the model's own tokens come back for the next prompt.
    assert.equal(outcome.done?.finishReason, 'toolCalls');
    assert.equal(outcome.done?.endpoint, 'raw');
    assert.deepEqual(outcome.done?.completion?.ids, script.ids);
    assert.equal(outcome.done?.completion?.ids?.at(-1), Special.call);
    // cache_n depends on what the server ran before (other tests share it): only its range is known;
    // prompt_ms (the request log's queue time is first token minus it) only that it is there.
    const { cachedPromptTokens, promptMs, ...usage } = outcome.usage ?? {};
    assert.deepEqual(usage, { type: 'usage', promptTokens: request.prompt?.ids.length, completionTokens: script.ids.length });
    assert.ok(Number.isInteger(cachedPromptTokens) && cachedPromptTokens! >= 0 && cachedPromptTokens! < request.prompt!.ids.length, `cache_n ${cachedPromptTokens}`);
    assert.equal(typeof promptMs, 'number', 'llama.cpp timings.prompt_ms arrives as usage.promptMs');
  });

  it('analysis → final: exactly the scripted reasoning and answer, stopped at <|return|>', async () => {
    const { request, script } = scriptedRequest(GREETING_CHAT, FINAL_SCRIPT, { temperature: 0.8, seed: 3 });
    const outcome = await run(liveConfig(server.url), request);
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.deepEqual(reading(outcome), { reasoning: ANALYSIS_FINAL, content: FINAL_ANSWER, calls: [], unparsed: '', truncated: false });
    assert.deepEqual(outcome.summary.messages.map((m) => [m.channel, m.stop]), [['analysis', 'end'], ['final', 'return']]);
    assert.equal(outcome.done?.finishReason, 'stop');
    assert.deepEqual(outcome.done?.completion?.ids, script.ids);
    assert.equal(outcome.done?.completion?.text, FINAL_SCRIPT);
  });

  describe('malformed streams, recovered on real streamed tokens', () => {
    const CASES: { name: string; text: string; expect: ReturnType<typeof reading>; note?: RegExp }[] = [
      {
        name: 'recipient in the role (<|start|>assistant to=functions.get_weather<|channel|>commentary …)',
        text: `<|channel|>analysis<|message|>${ANALYSIS_TOOL}<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>${TOOL_ARGUMENTS}<|call|>`,
        expect: { reasoning: ANALYSIS_TOOL, content: '', calls: [{ name: 'get_weather', arguments: { city: 'Tokyo' }, truncated: false }], unparsed: '', truncated: false },
      },
      {
        name: 'recipient in the role of the first header (the completion starts " to=functions.get_weather")',
        text: ` to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>${TOOL_ARGUMENTS}<|call|>`,
        expect: { reasoning: '', content: '', calls: [{ name: 'get_weather', arguments: { city: 'Tokyo' }, truncated: false }], unparsed: '', truncated: false },
      },
      {
        name: '<|constrain|> glued to the recipient (to=functions.get_weather<|constrain|>json)',
        text: `<|channel|>analysis<|message|>${ANALYSIS_TOOL}<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather<|constrain|>json<|message|>${TOOL_ARGUMENTS}<|call|>`,
        expect: { reasoning: ANALYSIS_TOOL, content: '', calls: [{ name: 'get_weather', arguments: { city: 'Tokyo' }, truncated: false }], unparsed: '', truncated: false },
      },
      {
        name: 'missing <|message|> before a final answer (<|channel|>final Hello! …)',
        text: `<|channel|>analysis<|message|>${ANALYSIS_FINAL}<|end|><|start|>assistant<|channel|>final ${FINAL_ANSWER}<|return|>`,
        expect: { reasoning: ANALYSIS_FINAL, content: FINAL_ANSWER, calls: [], unparsed: '', truncated: false },
        note: /no <\|message\|> after the header/,
      },
      {
        name: 'missing <|message|> in a tool call (<|constrain|>json {"city":"Tokyo"})',
        text: `<|channel|>commentary to=functions.get_weather <|constrain|>json ${TOOL_ARGUMENTS}<|call|>`,
        expect: { reasoning: '', content: '', calls: [{ name: 'get_weather', arguments: { city: 'Tokyo' }, truncated: false }], unparsed: '', truncated: false },
        note: /no <\|message\|> after the header/,
      },
      {
        name: 'missing <|message|> in a tool call, arguments glued to the content type (<|constrain|>json{"city":"Tokyo"})',
        text: `<|channel|>commentary to=functions.get_weather <|constrain|>json${TOOL_ARGUMENTS}<|call|>`,
        expect: { reasoning: '', content: '', calls: [{ name: 'get_weather', arguments: { city: 'Tokyo' }, truncated: false }], unparsed: '', truncated: false },
        note: /no <\|message\|> after the header/,
      },
      {
        name: 'no <|end|> before the next <|start|> (analysis runs straight into the final message)',
        text: `<|channel|>analysis<|message|>${ANALYSIS_FINAL}<|start|>assistant<|channel|>final<|message|>${FINAL_ANSWER}<|return|>`,
        expect: { reasoning: ANALYSIS_FINAL, content: FINAL_ANSWER, calls: [], unparsed: '', truncated: false },
        note: /no <\|end\|> before <\|start\|>/,
      },
      {
        name: 'stray <|channel|>commentary to=assistant prefix',
        text: `<|channel|>commentary to=assistant<|channel|>analysis<|message|>${ANALYSIS_FINAL}<|end|><|start|>assistant<|channel|>final<|message|>${FINAL_ANSWER}<|return|>`,
        expect: { reasoning: ANALYSIS_FINAL, content: FINAL_ANSWER, calls: [], unparsed: '', truncated: false },
        note: /stray header "<\|channel\|>commentary to=assistant" dropped/,
      },
    ];
    for (const [i, c] of CASES.entries()) {
      it(c.name, async () => {
        const { request, script, functionNames } = scriptedRequest(WEATHER_CHAT, c.text, { seed: 20 + i, temperature: 1.2 });
        const outcome = await run(liveConfig(server.url), request, functionNames);
        assert.equal(outcome.error, undefined, String(outcome.error));
        // The server streamed exactly the malformed tokens; the stream reads like the whole text parsed at once.
        assert.deepEqual(outcome.done?.completion?.ids, script.ids);
        assert.deepEqual(reading(outcome), offline(script.ids, functionNames), 'streamed and whole-text parsing agree');
        assert.deepEqual(reading(outcome), c.expect);
        if (c.note) assert.ok(outcome.summary.messages.some((m) => m.notes.some((n) => c.note!.test(n.message))), JSON.stringify(outcome.summary.messages.map((m) => m.notes)));
        assert.equal(outcome.done?.finishReason, c.expect.calls.length > 0 ? 'toolCalls' : 'stop');
      });
    }
  });

  it('truncation by n_predict (maxTokens) inside the JSON arguments: finish length, the call flagged truncated, partial arguments kept', async () => {
    const full = encodeWithMarkup(TOOL_CALL_SCRIPT);
    const cut = full.indexOf(173844); // "Tokyo": stop after `{"city":"`
    assert.ok(cut > 0);
    const { request, functionNames } = scriptedRequest(WEATHER_CHAT, TOOL_CALL_SCRIPT, { maxTokens: cut, seed: 5 });
    const outcome = await run(liveConfig(server.url), request, functionNames);
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.equal(outcome.done?.finishReason, 'length');
    assert.deepEqual(outcome.done?.completion?.ids, full.slice(0, cut));
    assert.equal(outcome.summary.reasoning, ANALYSIS_TOOL);
    assert.equal(outcome.summary.truncated, true);
    assert.deepEqual(outcome.summary.messages.map((m) => m.stop), ['end', 'truncated']);
    const [call] = outcome.summary.toolCalls;
    assert.equal(call?.name, 'get_weather');
    assert.equal(call?.truncated, true);
    assert.equal(call?.rawArguments, '{"city":"');
    assert.equal(call?.invalidJson, true);
    assert.equal(outcome.usage?.completionTokens, cut);
  });

  it('multi-byte characters split over tokens at character boundaries: text and ids exact (☀ = 25701 + 222, the first id never streamed)', async () => {
    const { request, script } = scriptedRequest(GREETING_CHAT, MULTIBYTE_SCRIPT, { seed: 5 });
    const outcome = await run(liveConfig(server.url), request);
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.equal(outcome.summary.content, '東京は晴れ ☀️ 25°C');
    assert.equal(outcome.summary.reasoning, '天気を調べる 😀');
    assert.ok(!JSON.stringify(outcome.parsed).includes('\uFFFD'), 'no replacement character anywhere');
    // Re-tokenising the event's text happens to give the model's ids back here (our tokenizer would split it so too).
    assert.deepEqual(outcome.done?.completion?.ids, script.ids);
  });

  it('a token lost mid-character is recovered: the completion ids are the model\'s own, also when its tokenization is not ours (" 😀" = 22861 + 222)', async () => {
    // A model samples tokens, not text: " 😀" may come as " \xF0\x9F\x98" (22861) + "\x80" (222) instead of
    // our tokenizer's single 88038. llama.cpp sends no event for 22861 (it ends mid-character); the
    // event of 222 has the text " 😀", tokens [222], and tokens_predicted one higher than expected.
    const model = [...encodeWithMarkup('<|channel|>final<|message|>Nice'), 22861, 222, ...encodeWithMarkup(' day<|return|>')];
    assert.deepEqual(encodeWithMarkup(decode(model)).filter((id) => id === 88038).length, 1, 'our tokenizer says " 😀" otherwise');
    const prompt = rendered(GREETING_CHAT);
    const outcome = await run(liveConfig(server.url), {
      prompt: { ids: prompt.ids },
      endpoint: 'raw',
      maxTokens: model.length + 8,
      extraBody: { ...idScript(model), seed: 2 },
    });
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.equal(outcome.summary.content, 'Nice 😀 day', 'the text is whole');
    assert.equal(outcome.usage?.completionTokens, model.length, 'the server generated exactly the scripted tokens');
    // The provider sends these ids back as the next prompt's history: they must be what the model saw.
    assert.deepEqual(outcome.done?.completion?.ids, model, 'the completion ids are the tokens the model generated');
  });

  // Known gap, kept visible as a todo (it runs, and reports, without failing the suite): the reader
  // should queue ids that arrive with empty text and release them with the event whose text covers them.
  it('tokens held back by a partial stop-string match (a `stop` in the extra body) keep their own ids (" sun" + "ny", not our " sunny")', { todo: 'ids streamed with empty text during a partial stop-string match are re-derived from text' }, async () => {
    // With `stop: [" sunny day"]` llama.cpp streams " sun" and "ny" as events with their ids and empty
    // content (they might begin the stop string); the next event carries " sunny weather" with only
    // its own id. The ids were streamed: dropping them and re-deriving them from the text gives our
    // tokenizer's 46726 instead of the model's 7334 + 3008.
    assert.deepEqual([decode([7334]), decode([3008]), encodeWithMarkup(' sunny')], [' sun', 'ny', [46726]]);
    const model = [...encodeWithMarkup('<|channel|>final<|message|>A'), 7334, 3008, ...encodeWithMarkup(' weather.<|return|>')];
    const outcome = await run(liveConfig(server.url), {
      prompt: { ids: rendered(GREETING_CHAT).ids },
      endpoint: 'raw',
      maxTokens: model.length + 8,
      extraBody: { ...idScript(model), stop: [' sunny day'], seed: 1 },
    });
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.equal(outcome.summary.content, 'A sunny weather.');
    assert.equal(outcome.usage?.completionTokens, model.length);
    assert.deepEqual(outcome.done?.completion?.ids, model, 'the completion ids are the tokens the model generated');
  });
});
