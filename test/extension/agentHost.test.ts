// The messages VS Code's agent host (the Agents window) sends a bring-your-own-key model, sent the
// same way through the real VS Code: its BYOK bridge (agentHostByokLmHandler in the 1.139
// workbench) turns each Responses `reasoning` item into an assistant message holding one thinking
// part whose value is the summary array, joins it to the assistant message that follows, puts a
// `stateful_marker` data part first when there is a previous response, and passes the effort as
// `configuration.reasoningEffort` with `includeEncryptedThinking`. Each prompt our provider sends
// (to a scripted stand-in for llama-server, test/support/scriptedLlamaServer.ts) must be the ids
// our renderer gives the equivalent chat-completions conversation, or the model's own tokens.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { renderChatRequest, type ReasoningEffort } from '../../src/harmony';
import { decode, encodeWithMarkup } from '../../src/harmony/tokenizer';
import { withScriptedLlamacpp } from './scriptedModel';

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the current weather for a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] },
};
const CHAT_TOOLS = [{ type: 'function', function: { name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, parameters: WEATHER_TOOL.inputSchema } }];
const QUESTION = 'What is the weather in Tokyo?';
const REASONING = 'User asks for the weather in Tokyo. Need to call get_weather.';
const TOOL_CALL = `<|channel|>analysis<|message|>${REASONING}<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Tokyo"}<|call|>`;
const FINAL_REASONING = 'The tool says sunny. Answer briefly.';
const ANSWER = 'It is sunny in Tokyo.';
const RESULT = '{"sky":"sunny"}';

type Thinking = new (value: string | string[], id?: string, metadata?: Record<string, unknown>) => unknown;
const ThinkingPart = (vscode as unknown as { LanguageModelThinkingPart?: Thinking }).LanguageModelThinkingPart;

/** The options the agent host's bridge passes (not all in the stable type). */
function agentHostOptions(effort: ReasoningEffort): vscode.LanguageModelChatRequestOptions {
  return { modelOptions: {}, tools: [WEATHER_TOOL], includeEncryptedThinking: true, configuration: { reasoningEffort: effort } } as vscode.LanguageModelChatRequestOptions;
}

/** A thinking part as the bridge replays a reasoning item: the summary as an array, the item's id and metadata. */
function replayedReasoning(summary: string[], id: string): vscode.LanguageModelTextPart {
  return new ThinkingPart!(summary, id, {}) as vscode.LanguageModelTextPart;
}

/** The marker the bridge puts first when the Responses request names a previous response. */
function statefulMarker(): vscode.LanguageModelChatMessage {
  return vscode.LanguageModelChatMessage.Assistant([new vscode.LanguageModelDataPart(new TextEncoder().encode('gpt-oss\\resp_1'), 'stateful_marker')]);
}

async function drain(response: vscode.LanguageModelChatResponse): Promise<{ text: string; calls: vscode.LanguageModelToolCallPart[] }> {
  let text = '';
  const calls: vscode.LanguageModelToolCallPart[] = [];
  for await (const part of response.stream) {
    if (part instanceof vscode.LanguageModelTextPart) text += part.value;
    else if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
  }
  return { text, calls };
}

/** The two id arrays equal, or where they first part, decoded. */
function assertSameIds(actual: readonly number[], expected: readonly number[], what: string): void {
  let i = 0;
  while (i < expected.length && expected[i] === actual[i]) i++;
  if (i === expected.length && actual.length === expected.length) return;
  const around = (ids: readonly number[]): string => JSON.stringify(decode(ids.slice(Math.max(0, i - 30), i + 30)));
  assert.fail(`${what}: first difference at token ${i} of ${expected.length} (got ${actual.length}): expected …${around(expected)}…, got …${around(actual)}…`);
}

suite('agent host message shapes render as Harmony (scripted stand-in for llama-server)', () => {
  const scripted = withScriptedLlamacpp();
  const lastPrompt = (): number[] => scripted.server.requests[scripted.server.requests.length - 1]!.prompt;

  suiteSetup(() => {
    assert.ok(ThinkingPart, 'this VS Code exposes LanguageModelThinkingPart');
  });

  test('configuration.reasoningEffort sets the Reasoning line: each effort, the prompt the renderer gives', async () => {
    for (const effort of ['low', 'high'] as const) {
      scripted.server.script.push({ harmony: TOOL_CALL });
      await drain(await scripted.model.sendRequest([vscode.LanguageModelChatMessage.User(QUESTION)], agentHostOptions(effort)));
      const expected = renderChatRequest({ messages: [{ role: 'user', content: QUESTION }], tools: CHAT_TOOLS }, { effort }).ids;
      assertSameIds(lastPrompt(), expected, `effort ${effort}`);
      assert.ok(decode(lastPrompt()).includes(`\nReasoning: ${effort}\n`));
    }
  });

  test('the tool loop: a replayed reasoning item and our tool call continue from the model’s own tokens', async () => {
    scripted.server.script.push({ harmony: TOOL_CALL });
    const first = await drain(await scripted.model.sendRequest([vscode.LanguageModelChatMessage.User(QUESTION)], agentHostOptions('medium')));
    const firstPrompt = lastPrompt();
    const call = first.calls[0]!;
    scripted.server.script.push({ harmony: `<|channel|>final<|message|>${ANSWER}<|return|>` });
    const messages = [
      vscode.LanguageModelChatMessage.User(QUESTION),
      // The bridge joins the reasoning item and the function call into one assistant message.
      vscode.LanguageModelChatMessage.Assistant([replayedReasoning([REASONING], 'rs_1'), call]),
      vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart(RESULT)])]),
    ];
    await drain(await scripted.model.sendRequest(messages, agentHostOptions('medium')));
    const expected = [
      ...firstPrompt,
      ...encodeWithMarkup(TOOL_CALL),
      ...encodeWithMarkup(`<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>${RESULT}<|end|><|start|>assistant`),
    ];
    assertSameIds(lastPrompt(), expected, 'the follow-up prompt');
  });

  test('reasoning replayed for a call we did not make (another window, a reload): alone or joined, it renders as the analysis before the call', async () => {
    const chat = renderChatRequest(
      {
        messages: [
          { role: 'user', content: QUESTION },
          { role: 'assistant', content: '', reasoning: REASONING, tool_calls: [{ id: 'call_elsewhere', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } }] },
          { role: 'tool', tool_call_id: 'call_elsewhere', content: RESULT },
        ],
        tools: CHAT_TOOLS,
      },
      { effort: 'medium' },
    ).ids;
    assert.ok(decode(chat).includes(`<|channel|>analysis<|message|>${REASONING}<|end|>`), 'the renderer keeps the analysis before a call');
    const call = new vscode.LanguageModelToolCallPart('call_elsewhere', 'get_weather', { city: 'Tokyo' });
    const result = vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart('call_elsewhere', [new vscode.LanguageModelTextPart(RESULT)])]);
    // The summary split in two (a summary part ended mid-stream) is one analysis message.
    const reasoning = replayedReasoning(['User asks for the weather in Tokyo. ', 'Need to call get_weather.'], 'rs_2');
    const shapes = {
      'a separate assistant message': [vscode.LanguageModelChatMessage.Assistant([reasoning]), vscode.LanguageModelChatMessage.Assistant([call])],
      'joined to the call': [vscode.LanguageModelChatMessage.Assistant([reasoning, call])],
    };
    for (const [shape, assistant] of Object.entries(shapes)) {
      scripted.server.script.push({ harmony: `<|channel|>final<|message|>${ANSWER}<|return|>` });
      await drain(await scripted.model.sendRequest([vscode.LanguageModelChatMessage.User(QUESTION), ...assistant, result], agentHostOptions('medium')));
      assertSameIds(lastPrompt(), chat, `reasoning as ${shape}`);
    }
  });

  test('the next user turn after an answer: the marker is ignored, the finished turn’s reasoning dropped, the effort applied', async () => {
    scripted.server.script.push({ harmony: `<|channel|>final<|message|>You are welcome.<|return|>` });
    const call = new vscode.LanguageModelToolCallPart('call_earlier', 'get_weather', { city: 'Tokyo' });
    const messages = [
      statefulMarker(),
      vscode.LanguageModelChatMessage.User(QUESTION),
      vscode.LanguageModelChatMessage.Assistant([replayedReasoning([REASONING], 'rs_3'), call]),
      vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart('call_earlier', [new vscode.LanguageModelTextPart(RESULT)])]),
      vscode.LanguageModelChatMessage.Assistant([replayedReasoning([FINAL_REASONING], 'rs_4'), new vscode.LanguageModelTextPart(ANSWER)]),
      vscode.LanguageModelChatMessage.User('Thanks!'),
    ];
    const { text } = await drain(await scripted.model.sendRequest(messages, agentHostOptions('low')));
    assert.equal(text, 'You are welcome.');
    const expected = renderChatRequest(
      {
        messages: [
          { role: 'user', content: QUESTION },
          { role: 'assistant', content: '', reasoning: REASONING, tool_calls: [{ id: 'call_earlier', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } }] },
          { role: 'tool', tool_call_id: 'call_earlier', content: RESULT },
          { role: 'assistant', content: ANSWER, reasoning: FINAL_REASONING },
          { role: 'user', content: 'Thanks!' },
        ],
        tools: CHAT_TOOLS,
      },
      { effort: 'low' },
    ).ids;
    assertSameIds(lastPrompt(), expected, 'the next turn');
    const prompt = decode(lastPrompt());
    assert.ok(!prompt.includes(FINAL_REASONING) && !prompt.includes(REASONING), 'a finished turn’s reasoning is not sent again');
    assert.ok(!prompt.includes('resp_1'), 'the stateful marker is not model input');
  });
});
