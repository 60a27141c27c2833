// Our transport, parser and CLI against the real llama-server serving the crafted-weights models
// (test/llama/makeModels.mjs): they say one scripted Harmony answer by themselves, so both paths
// work unscripted — the chat-completions path with tools, where llama.cpp's own gpt-oss parsing
// splits the answer and our fallback delivers it, and the raw path, where our parser does.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { craftedFinalModel, craftedToolCallModel, manifestOf, startLlamaServer, type LlamaServer } from '../llama/server';
import { ANALYSIS_FINAL, ANALYSIS_TOOL, FINAL_ANSWER, FINAL_SCRIPT, TOOL_ARGUMENTS, TOOL_CALL_SCRIPT } from './support/scripts';
import { GREETING_CHAT, WEATHER_CHAT, liveConfig, rendered, run } from './support/transport';

const root = new URL('../..', import.meta.url).pathname;

interface Manifest {
  script: string;
  ids: number[];
  markers: { id: number; text: string }[];
}

const manifest = (model: string): Manifest => JSON.parse(readFileSync(manifestOf(model), 'utf8')) as Manifest;

/** The crafted model's precondition: our rendered prompt holds none of its marker tokens. */
function assertNoMarkers(model: string, chat: Record<string, unknown>): void {
  const { ids } = rendered(chat);
  for (const marker of manifest(model).markers) assert.ok(!ids.includes(marker.id), `our prompt contains marker ${JSON.stringify(marker.text)}`);
}

/** `node dist/cli.js ARGS…`: exit code, stdout, stderr. */
function cli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HARMONY_API_KEY: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('crafted-weights model (tool call) on the real llama-server, through our transport', () => {
  let server: LlamaServer;
  let scratch: string;
  before(async () => {
    server = await startLlamaServer({ model: craftedToolCallModel, alias: 'crafted-gpt-oss-toolcall' });
    scratch = mkdtempSync(join(tmpdir(), 'gpt-oss-live-cli-'));
  });
  after(async () => {
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('its script is the tool call, and our rendered weather prompt has none of its markers', () => {
    assert.equal(manifest(craftedToolCallModel).script, TOOL_CALL_SCRIPT);
    assertNoMarkers(craftedToolCallModel, WEATHER_CHAT);
  });

  for (const temperature of [0, 1.5]) {
    it(`chat path with tools: the server's Harmony parsing returns reasoning and a tool call, which our fallback delivers exactly (temperature ${temperature})`, async () => {
      const functionNames = rendered(WEATHER_CHAT).functionNames.fromModel;
      const outcome = await run(liveConfig(server.url, { endpoint: 'chat' }), { chat: { ...WEATHER_CHAT }, temperature, extraBody: { seed: 4 } }, functionNames);
      assert.equal(outcome.error, undefined, String(outcome.error));
      assert.equal(outcome.summary.reasoning, ANALYSIS_TOOL);
      assert.equal(outcome.summary.content, '');
      assert.deepEqual(outcome.summary.toolCalls.map((c) => [c.name, c.rawArguments, c.arguments, c.truncated]), [['get_weather', TOOL_ARGUMENTS, { city: 'Tokyo' }, false]]);
      assert.deepEqual(outcome.summary.messages.map((m) => [m.channel, m.recipient, m.stop]), [
        ['analysis', undefined, 'end'],
        ['commentary', 'functions.get_weather', 'call'],
      ]);
      assert.equal(outcome.summary.unparsed, '');
      assert.equal(outcome.done?.finishReason, 'toolCalls');
      assert.equal(outcome.done?.endpoint, 'chat');
      assert.equal(outcome.usage?.completionTokens, manifest(craftedToolCallModel).ids.length);
    });
  }

  it('raw path, unscripted: our parser reads the same reasoning and tool call; the completion ids are the model\'s', async () => {
    const prompt = rendered(WEATHER_CHAT);
    const outcome = await run(liveConfig(server.url), { prompt: { ids: prompt.ids }, chat: { ...WEATHER_CHAT }, temperature: 1, extraBody: { seed: 9 } }, prompt.functionNames.fromModel);
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.equal(outcome.summary.reasoning, ANALYSIS_TOOL);
    assert.deepEqual(outcome.summary.toolCalls.map((c) => [c.name, c.rawArguments]), [['get_weather', TOOL_ARGUMENTS]]);
    assert.equal(outcome.done?.endpoint, 'raw');
    assert.deepEqual(outcome.done?.completion?.ids, manifest(craftedToolCallModel).ids);
    assert.deepEqual(outcome.usage?.promptTokens, prompt.ids.length);
  });

  describe('`harmony chat --url … FILE` (node dist/cli.js)', () => {
    before(() => {
      // The bundle under test is the current source's (npm test's build stage does the same).
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    });

    for (const endpoint of [undefined, 'chat'] as const) {
      it(`prints the reasoning and the tool call; kind detected; done via the ${endpoint ?? 'raw (auto)'} endpoint`, async () => {
        const file = join(scratch, 'weather.json');
        writeFileSync(file, JSON.stringify(WEATHER_CHAT));
        const result = await cli(['chat', '--url', server.url, ...(endpoint ? ['--endpoint', endpoint] : []), file]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, `[reasoning]\n${ANALYSIS_TOOL}\n[tool call get_weather]\n${TOOL_ARGUMENTS}\n`);
        const kind = /^server: (\S+) is llamacpp \(GET \/props answered with llama\.cpp server properties\)$/m.exec(result.stderr);
        assert.equal(kind?.[1], server.url, result.stderr);
        assert.match(result.stderr, /^usage: \d+ prompt \+ 38 completion tokens$/m);
        assert.match(result.stderr, new RegExp(`^done: toolCalls via the ${endpoint ?? 'raw'} endpoint$`, 'm'));
      });
    }
  });
});

describe('crafted-weights model (final answer) on the real llama-server, through our transport', () => {
  let server: LlamaServer;
  before(async () => {
    server = await startLlamaServer({ model: craftedFinalModel, alias: 'crafted-gpt-oss-final' });
  });
  after(async () => {
    await server?.stop();
  });

  it('its script is the final answer, and our rendered greeting prompt has none of its markers', () => {
    assert.equal(manifest(craftedFinalModel).script, FINAL_SCRIPT);
    assertNoMarkers(craftedFinalModel, GREETING_CHAT);
  });

  for (const endpoint of ['chat', 'raw'] as const) {
    it(`${endpoint} path: exactly the reasoning and the answer, finish stop`, async () => {
      const prompt = rendered(GREETING_CHAT);
      const outcome = await run(liveConfig(server.url, { endpoint }), { prompt: { ids: prompt.ids }, chat: { ...GREETING_CHAT }, temperature: 1.5, extraBody: { seed: 3 } });
      assert.equal(outcome.error, undefined, String(outcome.error));
      assert.equal(outcome.summary.reasoning, ANALYSIS_FINAL);
      assert.equal(outcome.summary.content, FINAL_ANSWER);
      assert.deepEqual(outcome.summary.toolCalls, []);
      assert.deepEqual(outcome.summary.messages.map((m) => [m.channel, m.stop]), [['analysis', 'end'], ['final', 'return']]);
      assert.equal(outcome.done?.finishReason, 'stop');
      assert.equal(outcome.done?.endpoint, endpoint);
      if (endpoint === 'raw') assert.deepEqual(outcome.done?.completion?.ids, manifest(craftedFinalModel).ids);
    });
  }
});
