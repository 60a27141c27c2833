// The gpt-oss provider inside a real VS Code, against a scripted stand-in for llama-server
// (test/support/scriptedLlamaServer.ts: llama.cpp's wire format, replies chosen by the test).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import { decode } from '../../src/harmony/tokenizer';
import { referenceEncodeAllSpecial, referenceEncodeOrdinary } from '../support/jsTiktokenHarmony';
import { Special } from '../../src/harmony/tokens';
import { MODEL_ID, startScriptedLlamaServer, type ScriptedLlamaServer } from '../support/scriptedLlamaServer';
import { waitForModel, withScriptedLlamacpp } from './scriptedModel';

const WEATHER_TOOL: vscode.LanguageModelChatTool = {
  name: 'get_weather',
  description: 'Get the current weather for a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] },
};
const REASONING = 'User asks for the weather in Tokyo. Need to call get_weather.';
const TOOL_CALL_COMPLETION = `<|channel|>analysis<|message|>${REASONING}<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Tokyo"}<|call|>`;
const ANSWER = 'It is sunny in Tokyo.';

interface Collected {
  thinking: string[];
  thinkingIds: (string | undefined)[];
  text: string;
  calls: vscode.LanguageModelToolCallPart[];
  usage: unknown;
}

async function collect(response: vscode.LanguageModelChatResponse): Promise<Collected> {
  const Thinking = (vscode as unknown as { LanguageModelThinkingPart?: new (...args: unknown[]) => { value: string | string[]; id?: string } }).LanguageModelThinkingPart;
  const out: Collected = { thinking: [], thinkingIds: [], text: '', calls: [], usage: undefined };
  for await (const part of response.stream) {
    if (part instanceof vscode.LanguageModelTextPart) out.text += part.value;
    else if (part instanceof vscode.LanguageModelToolCallPart) out.calls.push(part);
    else if (part instanceof vscode.LanguageModelDataPart && part.mimeType === 'usage') out.usage = JSON.parse(new TextDecoder().decode(part.data));
    else if (Thinking && part instanceof Thinking) {
      out.thinking.push(Array.isArray(part.value) ? part.value.join('') : part.value);
      out.thinkingIds.push(part.id);
    }
  }
  return out;
}

/** An error as the failing assertion shows it: errors from another process may come as plain objects. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name} ${error.name}: ${error.message}` : JSON.stringify(error);
}

suite('gpt-oss provider (scripted stand-in for llama-server)', () => {
  let server: ScriptedLlamaServer;
  let model: vscode.LanguageModelChat;

  suiteSetup(async () => {
    server = await startScriptedLlamaServer(32768);
    await vscode.extensions.getExtension(`${manifest.publisher}.${manifest.name}`)?.activate();
    await vscode.workspace.getConfiguration('gptOss').update('servers', [{ url: server.url, kind: 'auto' }], vscode.ConfigurationTarget.Global);
    model = await waitForModel();
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('gptOss').update('servers', undefined, vscode.ConfigurationTarget.Global);
    await server?.close();
  });

  test('selectChatModels finds the loopback server’s model, with its context length', () => {
    assert.equal(model.vendor, 'gpt-oss');
    assert.equal(model.name, MODEL_ID);
    assert.match(model.family, /^gpt-oss/);
    assert.equal(model.maxInputTokens, 32768 - 8192);
  });

  test('sendRequest with tools streams thinking, then a tool call with the right name and input', async () => {
    server.script.push({ harmony: TOOL_CALL_COMPLETION });
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('What is the weather in Tokyo?')], { tools: [WEATHER_TOOL] });
    const got = await collect(response);
    assert.equal(got.thinking.join(''), REASONING);
    assert.equal(got.thinkingIds.filter((id) => id === undefined).length, 0, 'every thinking part carries an id');
    assert.equal(got.thinking[got.thinking.length - 1], '', 'the thinking block is closed with an empty part');
    assert.equal(got.calls.length, 1);
    assert.equal(got.calls[0]!.name, 'get_weather');
    assert.deepEqual(got.calls[0]!.input, { city: 'Tokyo' });
    assert.equal(got.text, '');
    const prompt = decode(server.requests[server.requests.length - 1]!.prompt);
    assert.ok(prompt.includes('type get_weather = (_: {\n// City name\ncity: string,\n}) => any;'), 'the tool is rendered into namespace functions');
    assert.ok(prompt.endsWith('<|start|>user<|message|>What is the weather in Tokyo?<|end|><|start|>assistant'));
  });

  test('the follow-up with the tool result extends the previous prompt by exactly the completion and the tool message', async () => {
    server.script.push({ harmony: TOOL_CALL_COMPLETION });
    const user = vscode.LanguageModelChatMessage.User('What is the weather in Tokyo?');
    const first = await collect(await model.sendRequest([user], { tools: [WEATHER_TOOL] }));
    const firstPrompt = server.requests[server.requests.length - 1]!.prompt;
    const call = first.calls[0]!;
    server.script.push({ harmony: `<|channel|>final<|message|>${ANSWER}<|return|>` });
    const messages = [
      user,
      vscode.LanguageModelChatMessage.Assistant([call]),
      vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart('{"sky":"sunny"}')])]),
    ];
    const second = await collect(await model.sendRequest(messages, { tools: [WEATHER_TOOL] }));
    assert.equal(second.text, ANSWER);
    const secondPrompt = server.requests[server.requests.length - 1]!.prompt;
    const expected = [
      ...firstPrompt,
      ...referenceEncodeAllSpecial(TOOL_CALL_COMPLETION),
      ...referenceEncodeAllSpecial('<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>'),
      ...referenceEncodeOrdinary('{"sky":"sunny"}'),
      Special.end,
      ...referenceEncodeAllSpecial('<|start|>assistant'),
    ];
    assert.deepEqual(secondPrompt, expected, `second prompt differs:\n${decode(secondPrompt.slice(firstPrompt.length))}`);
    assert.ok(second.usage, 'a usage data part ends the response');
  });

  test('countTokens counts o200k_harmony tokens, with the Harmony framing for messages', async () => {
    assert.equal(await model.countTokens('hello world'), 2);
    const message = vscode.LanguageModelChatMessage.User('hello world');
    assert.equal(await model.countTokens(message), 2 + 4);
  });

  test('cancellation stops the request promptly and closes the connection', async () => {
    server.script.push({ harmony: `<|channel|>final<|message|>${'word '.repeat(400)}<|return|>`, tokenDelayMs: 20 });
    const source = new vscode.CancellationTokenSource();
    const before = server.aborted.length;
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Talk a lot.')], {}, source.token);
    let text = '';
    let error: unknown;
    const started = Date.now();
    try {
      for await (const part of response.text) {
        text += part;
        if (text.length > 20) source.cancel();
      }
    } catch (e) {
      error = e;
    }
    const elapsed = Date.now() - started;
    // The provider throws vscode.CancellationError; it crosses to the caller as an Error named 'Canceled'.
    assert.equal((error as Error | undefined)?.name, 'Canceled', `the stream ends with VS Code's cancellation error, not ${describe(error)}`);
    assert.ok(text.length < 'word '.repeat(400).length, 'the stream stopped before the end');
    for (let i = 0; i < 50 && server.aborted.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(server.aborted.length, before + 1, 'the server saw the connection closed');
    assert.ok(elapsed < 8000, `stopped after ${elapsed} ms of a ~8 s stream`);
  });

  test('a server that dies mid-stream: the error names the server, the text already streamed stays', async () => {
    server.script.push({ harmony: `<|channel|>final<|message|>The answer starts here and then the server crashes.<|return|>`, cutAfter: 8 });
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Answer.')], {});
    let text = '';
    let error: unknown;
    try {
      for await (const part of response.text) text += part;
    } catch (e) {
      error = e;
    }
    assert.ok(text.startsWith('The answer'), `partial text kept: ${JSON.stringify(text)}`);
    assert.ok(error instanceof vscode.LanguageModelError, `the failure reaches the caller as a LanguageModelError, not ${describe(error)}`);
    assert.ok(error.message.includes(server.url), error.message);
  });
});

suite('gpt-oss provider errors as VS Code’s own (scripted stand-in for llama-server)', () => {
  const scripted = withScriptedLlamacpp();

  async function failure(): Promise<unknown> {
    try {
      const response = await scripted.model.sendRequest([vscode.LanguageModelChatMessage.User('Hello')], {});
      for await (const _part of response.stream) {
        // Nothing streams before the error.
      }
    } catch (error) {
      return error;
    }
    return undefined;
  }

  const cases = [
    { status: 401, body: { error: { code: 401, message: 'Invalid API Key', type: 'authentication_error' } }, code: 'NoPermissions' },
    { status: 403, body: { error: { code: 403, message: 'Forbidden', type: 'permission_error' } }, code: 'NoPermissions' },
    { status: 404, body: { error: { code: 404, message: `model '${MODEL_ID}' not found`, type: 'not_found_error' } }, code: 'NotFound' },
    { status: 429, body: { error: { code: 429, message: 'quota exceeded', type: 'rate_limit_error' } }, headers: { 'retry-after': '3600' }, code: 'Blocked' },
    { status: 500, body: { error: { code: 500, message: 'out of memory', type: 'server_error' } }, code: '' },
  ];
  for (const { status, body, headers, code } of cases) {
    test(`HTTP ${status} reaches the caller as LanguageModelError ${JSON.stringify(code)}, naming the server and the status`, async () => {
      scripted.server.script.push({ harmony: '', httpError: { status, body, ...(headers ? { headers } : {}) } });
      const error = await failure();
      assert.ok(error instanceof vscode.LanguageModelError, `a LanguageModelError, not ${describe(error)}`);
      assert.equal(error.code, code);
      assert.ok(error.message.includes(scripted.server.url), error.message);
      assert.ok(error.message.includes(String(status)), error.message);
    });
  }

  test('an image in the request is refused before anything is sent, as a LanguageModelError saying so', async () => {
    const before = scripted.server.requests.length;
    // A real 1×1 PNG: the workbench decodes images before they reach the provider.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const image = vscode.LanguageModelDataPart.image(png, 'image/png');
    let error: unknown;
    try {
      const response = await scripted.model.sendRequest([vscode.LanguageModelChatMessage.User([new vscode.LanguageModelTextPart('What is this?'), image])], {});
      for await (const _part of response.stream) {
        // Nothing streams.
      }
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof vscode.LanguageModelError, `a LanguageModelError, not ${describe(error)}`);
    assert.match(error.message, /image/);
    assert.equal(scripted.server.requests.length, before, 'no request reached the server');
  });
});

suite('gpt-oss provider, utility requests (scripted stand-in for llama-server)', () => {
  const scripted = withScriptedLlamacpp();

  test('a utility request without tools gets a short answer, and the model spent on thinking alone still says something', async () => {
    scripted.server.script.push({ harmony: '<|channel|>final<|message|>Fix login bug<|return|>' });
    const title = await scripted.model.sendRequest([vscode.LanguageModelChatMessage.User('Write a short title for this chat.')], {});
    let text = '';
    for await (const part of title.text) text += part;
    assert.equal(text, 'Fix login bug');
    // Only reasoning, cut off by the token limit: agent mode would report "No response" without a text part.
    scripted.server.script.push({ harmony: '<|channel|>analysis<|message|>Let me think about this for a very long time' });
    const thinking = await scripted.model.sendRequest([vscode.LanguageModelChatMessage.User('Hard question')], {});
    text = '';
    for await (const part of thinking.text) text += part;
    assert.match(text, /spent its whole output budget/);
  });
});
