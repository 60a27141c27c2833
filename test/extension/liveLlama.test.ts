// The gpt-oss provider inside a real VS Code (code-server's extension host) against the REAL
// llama-server built by test/llama/setup.mjs, serving the random-weights tiny gpt-oss model. The
// model is scripted by a token-id grammar that the user setting `gptOss.extraBody` carries into
// every request body, so the real server streams exactly the chosen Harmony answer: thinking then
// a tool call; after the tool result (extraBody switched to the answer script), the answer.
// The runner passes GPT_OSS_LLAMA_CACHE: code-server's HOME is a throwaway one.
import * as assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import { decode } from '../../src/harmony/tokenizer';
import { referenceEncodeAllSpecial, referenceEncodeOrdinary } from '../support/jsTiktokenHarmony';
import { scriptFields } from '../llama/script';
import { startLlamaServer, type LlamaServer } from '../llama/server';
import { ANALYSIS_TOOL, TOOL_ARGUMENTS, TOOL_CALL_SCRIPT } from '../live/support/scripts';

const MODEL_ALIAS = 'tiny-gpt-oss';
const WEATHER_TOOL: vscode.LanguageModelChatTool = {
  name: 'get_weather',
  description: 'Get the current weather for a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] },
};
const ANALYSIS_ANSWER = 'The tool says sunny. Answer briefly.';
const ANSWER = 'It is sunny in Tokyo.';
const ANSWER_SCRIPT = `<|channel|>analysis<|message|>${ANALYSIS_ANSWER}<|end|><|start|>assistant<|channel|>final<|message|>${ANSWER}<|return|>`;
const TOOL_RESULT = '{"sky":"sunny"}';

interface Collected {
  thinking: string;
  text: string;
  calls: vscode.LanguageModelToolCallPart[];
  usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  order: string[];
}

async function collect(response: vscode.LanguageModelChatResponse): Promise<Collected> {
  const Thinking = (vscode as unknown as { LanguageModelThinkingPart?: new (...args: unknown[]) => { value: string | string[] } }).LanguageModelThinkingPart;
  const out: Collected = { thinking: '', text: '', calls: [], usage: undefined, order: [] };
  const mark = (kind: string) => {
    if (out.order[out.order.length - 1] !== kind) out.order.push(kind);
  };
  for await (const part of response.stream) {
    if (part instanceof vscode.LanguageModelTextPart) {
      out.text += part.value;
      mark('text');
    } else if (part instanceof vscode.LanguageModelToolCallPart) {
      out.calls.push(part);
      mark('toolCall');
    } else if (part instanceof vscode.LanguageModelDataPart && part.mimeType === 'usage') {
      out.usage = JSON.parse(new TextDecoder().decode(part.data)) as Collected['usage'];
    } else if (Thinking && part instanceof Thinking) {
      const value = Array.isArray(part.value) ? part.value.join('') : part.value;
      out.thinking += value;
      if (value !== '') mark('thinking');
    }
  }
  return out;
}

async function waitForModel(id: string): Promise<vscode.LanguageModelChat> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const [model] = await vscode.lm.selectChatModels({ vendor: 'gpt-oss', id });
    if (model) return model;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no gpt-oss model ${id} appeared within 10 s`);
}

/**
 * A transparent loopback recorder in front of the server: forwards every request unchanged (the
 * stream included, as it arrives) and keeps the /completion prompts, so the test can compare the
 * second prompt with the first token for token.
 */
interface Timings {
  cache_n: number;
  prompt_n: number;
}

async function recorder(target: string): Promise<{ url: string; prompts: number[][]; timings: Timings[]; close: () => Promise<void> }> {
  const prompts: number[][] = [];
  const timings: Timings[] = [];
  const upstream = new URL(target);
  const proxy: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/completion') prompts.push((JSON.parse(body.toString('utf8')) as { prompt: number[] }).prompt);
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          if (req.url !== '/completion') return;
          let text = '';
          answer.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          answer.on('end', () => {
            const final = text.split('\n').filter((line) => line.startsWith('data: ') && line.includes('"stop":true')).at(-1);
            if (final) timings.push((JSON.parse(final.slice(6)) as { timings: Timings }).timings);
          });
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    prompts,
    timings,
    close: () => new Promise<void>((resolve) => {
      proxy.closeAllConnections();
      proxy.close(() => resolve());
    }),
  };
}

suite('gpt-oss provider against the real llama-server (random weights, scripted by gptOss.extraBody)', () => {
  let server: LlamaServer | undefined;
  let recording: Awaited<ReturnType<typeof recorder>> | undefined;
  let model: vscode.LanguageModelChat;
  const config = () => vscode.workspace.getConfiguration('gptOss');

  suiteSetup(async function () {
    this.timeout(90_000);
    server = await startLlamaServer({ alias: MODEL_ALIAS, ctxSize: 4096 });
    await vscode.extensions.getExtension(`${manifest.publisher}.${manifest.name}`)?.activate();
    recording = await recorder(server.url);
    await config().update('servers', [{ url: recording.url, kind: 'auto' }], vscode.ConfigurationTarget.Global);
    model = await waitForModel(`${MODEL_ALIAS}@${recording.url}`);
  });

  suiteTeardown(async () => {
    await config().update('servers', undefined, vscode.ConfigurationTarget.Global);
    await config().update('extraBody', undefined, vscode.ConfigurationTarget.Global);
    await recording?.close();
    await server?.stop();
  });

  test('the live server’s model is listed with the server’s context length (half of it for input)', () => {
    assert.equal(model.vendor, 'gpt-oss');
    assert.equal(model.name, MODEL_ALIAS);
    assert.equal(model.maxInputTokens, 4096 - 2048);
  });

  test('real llama-server: sendRequest streams thinking, then a get_weather tool call; after the tool result, the answer (token-exact history, reused from the server’s cache)', async function () {
    this.timeout(60_000);
    await config().update('extraBody', { ...scriptFields(TOOL_CALL_SCRIPT), seed: 7 }, vscode.ConfigurationTarget.Global);
    const user = vscode.LanguageModelChatMessage.User("What's the weather in Tokyo?");
    const first = await collect(await model.sendRequest([user], { tools: [WEATHER_TOOL] }));
    assert.equal(first.thinking, ANALYSIS_TOOL);
    assert.deepEqual(first.order, ['thinking', 'toolCall'], 'thinking first, then the tool call');
    assert.equal(first.calls.length, 1);
    assert.equal(first.calls[0]!.name, 'get_weather');
    assert.deepEqual(first.calls[0]!.input, JSON.parse(TOOL_ARGUMENTS));
    assert.equal(first.text, '');
    assert.equal(first.usage?.completion_tokens, referenceEncodeAllSpecial(TOOL_CALL_SCRIPT).length);

    await config().update('extraBody', { ...scriptFields(ANSWER_SCRIPT), seed: 8 }, vscode.ConfigurationTarget.Global);
    const call = first.calls[0]!;
    const second = await collect(
      await model.sendRequest(
        [
          user,
          vscode.LanguageModelChatMessage.Assistant([call]),
          vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart(TOOL_RESULT)])]),
        ],
        { tools: [WEATHER_TOOL] },
      ),
    );
    assert.equal(second.thinking, ANALYSIS_ANSWER);
    assert.equal(second.text, ANSWER);
    assert.deepEqual(second.calls, []);
    assert.deepEqual(second.order, ['thinking', 'text']);

    // The second prompt (as sent, recorded on the way) is the first prompt, the model's own
    // completion, the tool message and `<|start|>assistant`, token for token.
    const toolMessage = [
      ...referenceEncodeAllSpecial('<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>'),
      ...referenceEncodeOrdinary(TOOL_RESULT),
      ...referenceEncodeAllSpecial('<|end|><|start|>assistant'),
    ];
    assert.ok(first.usage && second.usage);
    const [firstPrompt, secondPrompt] = recording!.prompts.slice(-2);
    assert.ok(firstPrompt && secondPrompt);
    const expected = [...firstPrompt, ...referenceEncodeAllSpecial(TOOL_CALL_SCRIPT), ...toolMessage];
    assert.deepEqual(secondPrompt, expected, `second prompt differs after ${firstPrompt.length} tokens:\n${decode(secondPrompt.slice(firstPrompt.length))}`);
    assert.deepEqual([first.usage.prompt_tokens, second.usage.prompt_tokens], [firstPrompt.length, secondPrompt.length], 'usage reports the prompt lengths');
    // The server reused its cache of the first request for all of it but the last sampled token
    // (<|call|> is sampled, never evaluated): the prefix matched token for token.
    const cached = firstPrompt.length + first.usage.completion_tokens - 1;
    const reuse = recording!.timings.at(-1);
    assert.deepEqual(reuse && { cache_n: reuse.cache_n, prompt_n: reuse.prompt_n }, { cache_n: cached, prompt_n: secondPrompt.length - cached });
  });
});
