// SGLang: native /generate streams and metadata BUILT FROM SGLANG'S DOCS AND SOURCE, NOT CAPTURED
// (test/fixtures/servers/README.md), replayed over loopback whole and split; output_ids cumulative
// (the default) and incremental (--incremental-streaming-output); the /v1/completions fallback with a
// token-id prompt; detection, models and context; the faults; the doctor and `harmony chat --kind sglang`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatCommand } from '../../../src/cli/chat';
import type { CliIo } from '../../../src/cli/io';
import { encodeWithMarkup } from '../../../src/harmony/tokenizer';
import { complete, detect, forgetServer, listModels } from '../../../src/servers/client';
import { runDoctor, sglangStreamingCheck } from '../../../src/servers/doctor';
import { ServerError } from '../../../src/servers/errors';
import { harmonyParser } from '../../../src/servers/stream/harmonyParser';
import { sglangEvents } from '../../../src/servers/routes/sglang';
import type { RawChunk, ServerConfig, StreamEvent } from '../../../src/servers/types';
import { FINAL_UTF8, TOOLCALL } from '../../fixtures/servers/build-fixtures';
import { SPLITS, SSE_HEADERS, fixture, loopback, writePieces, type Handler } from './loopback';
import { collect, messagesOf, recordingParser } from './helpers';

const PROMPT = { ids: encodeWithMarkup('<|start|>user<|message|>What is the weather in Tokyo?<|end|><|start|>assistant') };
const withoutStop = (s: string): string => s.replace(/<\|(call|return)\|>$/, '');

/** An SGLang server from its fixtures: JSON metadata, /generate and /v1/completions streams; 404 elsewhere. */
function sglang(routes: Record<string, string | object | { stream: Buffer; split: string }>): Handler {
  return async (request, res) => {
    const route = routes[request.path];
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'Not Found' }));
      return;
    }
    if (typeof route === 'object' && 'stream' in route) {
      res.writeHead(200, SSE_HEADERS);
      await writePieces(res, route.stream, SPLITS[route.split]!(route.stream));
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(typeof route === 'string' ? fixture(route) : JSON.stringify(route));
  };
}

async function raw(config: Omit<ServerConfig, 'url'>, handler: Handler, parser = recordingParser()) {
  const server = await loopback(handler);
  try {
    const result = await collect<StreamEvent>(complete({ url: server.url, kind: 'sglang', endpoint: 'raw', ...config }, { prompt: PROMPT, maxTokens: 256, temperature: 0.5 }, undefined, { parser: parser.factory }));
    return { ...result, pushed: parser.pushed, requests: server.requests };
  } finally {
    forgetServer({ url: server.url });
    await server.close();
  }
}

function done(items: readonly StreamEvent[]): Extract<StreamEvent, { type: 'done' }> {
  const last = items.at(-1);
  assert.equal(last?.type, 'done');
  return last as Extract<StreamEvent, { type: 'done' }>;
}

const idsOf = (chunks: readonly RawChunk[]): number[] => chunks.flatMap((c) => (c.type === 'ids' ? [...c.ids] : []));

describe('SGLang /generate, built from docs and source, not captured', () => {
  for (const split of Object.keys(SPLITS)) {
    test(`cumulative output_ids (the default), ${split}: the parser gets each id once, the stop id included; usage with cached tokens`, async () => {
      const stream = fixture('sglang-generate-toolcall-cumulative.sse');
      const { items, error, pushed, requests } = await raw({}, sglang({ '/generate': { stream, split } }));
      assert.equal(error, undefined);
      assert.deepEqual(pushed.ids, encodeWithMarkup(TOOLCALL));
      assert.equal(pushed.text, '');
      assert.deepEqual(done(items).completion?.ids, encodeWithMarkup(TOOLCALL));
      assert.ok(items.some((e) => e.type === 'usage' && e.promptTokens === PROMPT.ids.length && e.completionTokens === 38 && e.cachedPromptTokens === PROMPT.ids.length - 9));
      assert.deepEqual(requests.map((r) => r.path), ['/generate']);
    });
  }

  test('the request: our ids as input_ids, the stop ids, special tokens kept, sampling in sampling_params, no model', async () => {
    const stream = fixture('sglang-generate-toolcall-cumulative.sse');
    const { requests } = await raw({ model: 'openai/gpt-oss-120b', extraBody: { top_k: 20, sampling_params: { min_p: 0.05 }, rid: 'r1' } }, sglang({ '/generate': { stream, split: 'whole' } }));
    assert.deepEqual(JSON.parse(requests[0]!.body), {
      rid: 'r1',
      input_ids: PROMPT.ids,
      stream: true,
      sampling_params: {
        top_k: 20,
        min_p: 0.05,
        max_new_tokens: 256,
        temperature: 0.5,
        stop_token_ids: [200002, 200012],
        skip_special_tokens: false,
        spaces_between_special_tokens: false,
        no_stop_trim: true,
      },
    });
  });

  for (const split of ['whole', 'awkward', 'every byte']) {
    test(`incremental output_ids, CJK and emoji across tokens, ${split}: the ids intact; the stop id only in finish_reason.matched is put back`, async () => {
      const stream = fixture('sglang-generate-utf8-incremental.sse');
      const recorded = await raw({}, sglang({ '/generate': { stream, split } }));
      assert.equal(recorded.error, undefined);
      assert.deepEqual(recorded.pushed.ids, encodeWithMarkup(withoutStop(FINAL_UTF8)));
      const parsed = await raw({}, sglang({ '/generate': { stream, split } }), { factory: harmonyParser, pushed: { ids: [], text: '', ends: 0 } });
      assert.deepEqual(messagesOf(parsed.items).map((m) => [m.channel, m.content, m.stop]), [
        ['analysis', 'ユーザーは挨拶している。短く返す。', 'end'],
        ['final', 'こんにちは！👋 東京の天気は晴れ☀️です。', 'return'],
      ]);
      assert.deepEqual(done(parsed.items).completion?.ids, encodeWithMarkup(FINAL_UTF8));
    });
  }

  test('the mode is told apart on the stream: cumulative, incremental, a delta that starts like the output so far, a last event without its matched stop id', () => {
    const meta = (completion: number, finish: unknown = null) => ({ meta_info: { completion_tokens: completion, finish_reason: finish, prompt_tokens: 5 } });
    const cumulative = sglangEvents();
    assert.deepEqual(idsOf([{ output_ids: [1, 2], ...meta(2) }, { output_ids: [1, 2, 3], ...meta(3) }, { output_ids: [1, 2, 3, 4], ...meta(4) }].flatMap(cumulative)), [1, 2, 3, 4]);
    const incremental = sglangEvents();
    assert.deepEqual(idsOf([{ output_ids: [1, 2], ...meta(2) }, { output_ids: [3], ...meta(3) }, { output_ids: [4, 5], ...meta(5) }].flatMap(incremental)), [1, 2, 3, 4, 5]);
    // New ids that happen to begin with everything seen so far: completion_tokens says they are new.
    const repeats = sglangEvents();
    assert.deepEqual(idsOf([{ output_ids: [7], ...meta(1) }, { output_ids: [7, 8], ...meta(3) }].flatMap(repeats)), [7, 7, 8]);
    // Cumulative, the last event trimmed of the stop id it matched: nothing is taken twice.
    const trimmed = sglangEvents();
    const chunks = [{ output_ids: [1], ...meta(1) }, { output_ids: [1, 2], ...meta(2) }, { output_ids: [1, 2], ...meta(3, { type: 'stop', matched: 200012 }) }].flatMap(trimmed);
    assert.deepEqual(idsOf(chunks), [1, 2]);
    assert.deepEqual(chunks.at(-1), { type: 'finish', reason: 'stop', raw: 'stop', stopToken: 200012 });
    // Releases without output_ids: the cumulative text, each piece once.
    const text = sglangEvents();
    assert.deepEqual(
      [{ text: '<|channel|>' }, { text: '<|channel|>final' }, { text: '<|channel|>final<|message|>Hi', ...meta(4, { type: 'length', length: 4 }) }].flatMap(text),
      [
        { type: 'text', text: '<|channel|>' },
        { type: 'text', text: 'final' },
        { type: 'text', text: '<|message|>Hi' },
        { type: 'usage', promptTokens: 5, completionTokens: 4 },
        { type: 'finish', reason: 'length', raw: 'length' },
      ],
    );
  });
});

describe('SGLang faults', () => {
  const lines = fixture('sglang-generate-toolcall-cumulative.sse').toString('utf8').split('\n\n');

  test('an error event mid-stream ({"error": {"message"}}, as http_server.py sends a ValueError): what streamed, then a streamError', async () => {
    const stream = Buffer.from(`${lines.slice(0, 3).join('\n\n')}\n\ndata: {"error":{"message":"The input (140000 tokens) is longer than the model's context length (131072 tokens)."}}\n\ndata: [DONE]\n\n`);
    const { error, pushed } = await raw({}, sglang({ '/generate': { stream, split: 'awkward' } }));
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'streamError');
    assert.match(error.message, /longer than the model's context length/);
    assert.deepEqual(pushed.ids, encodeWithMarkup('<|channel|>analysis<|message|>User'));
    assert.equal(pushed.ends, 1);
  });

  test('a stream that stops without a finish_reason: a cut, what streamed kept', async () => {
    const stream = Buffer.from(`${lines.slice(0, 4).join('\n\n')}\n\n`);
    const { error, pushed } = await raw({}, sglang({ '/generate': { stream, split: 'every 7 bytes' } }));
    assert.ok(error instanceof ServerError);
    assert.equal(error.kind, 'cut');
    assert.equal(pushed.ids.length, 5);
  });

  test('an abort finish: the stream ends as "other", with the server\'s message in the raw reason', async () => {
    const abort = { text: '', output_ids: [200005], meta_info: { id: 'x', finish_reason: { type: 'abort', message: 'Abort in waiting queue', status_code: 503 }, prompt_tokens: 13, completion_tokens: 1, cached_tokens: 0 } };
    const stream = Buffer.from(`data: ${JSON.stringify(abort)}\n\ndata: [DONE]\n\n`);
    const { error, items } = await raw({}, sglang({ '/generate': { stream, split: 'whole' } }));
    assert.equal(error, undefined);
    assert.equal(done(items).finishReason, 'other');
    assert.deepEqual(sglangEvents()(abort).at(-1), { type: 'finish', reason: 'other', raw: 'abort: Abort in waiting queue' });
  });

  test('a 400 from /generate (ErrorResponse JSON): a badRequest with the server\'s words, no fallback', async () => {
    const server = await loopback((_request, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'error', message: 'max_new_tokens must be at least 0, got -1.', type: 'Bad Request', param: null, code: 400 }));
    });
    try {
      const { error } = await collect<StreamEvent>(complete({ url: server.url, kind: 'sglang', endpoint: 'raw' }, { prompt: PROMPT }, undefined, { parser: recordingParser().factory }));
      assert.ok(error instanceof ServerError);
      assert.equal(error.kind, 'badRequest');
      assert.match(error.message, /max_new_tokens must be at least 0/);
      assert.deepEqual(server.requests.map((r) => r.path), ['/generate']);
    } finally {
      await server.close();
    }
  });
});

describe('SGLang /v1/completions with a token-id prompt: the fallback where /generate is not reachable', () => {
  for (const split of ['whole', 'awkward', 'every 7 bytes']) {
    test(`${split}: same token prompt, stop ids and return_token_ids; the ids back from token_ids`, async () => {
      const stream = fixture('sglang-completions-toolcall.sse');
      const { items, error, pushed, requests } = await raw({ model: 'openai/gpt-oss-120b' }, sglang({ '/v1/completions': { stream, split } }));
      assert.equal(error, undefined);
      assert.deepEqual(requests.map((r) => r.path), ['/generate', '/v1/completions']);
      const body = JSON.parse(requests[1]!.body) as Record<string, unknown>;
      assert.deepEqual(body.prompt, PROMPT.ids);
      assert.deepEqual(body.stop_token_ids, [200002, 200012]);
      assert.equal(body.return_token_ids, true);
      assert.equal(body.skip_special_tokens, false);
      assert.deepEqual(pushed.ids, encodeWithMarkup(TOOLCALL));
      assert.ok(items.some((e) => e.type === 'usage' && e.completionTokens === 38));
    });
  }
});

describe('SGLang detection, models and context, built from docs and source', () => {
  async function withServer(routes: Record<string, string | object>, body: (config: ServerConfig) => Promise<void>): Promise<void> {
    const server = await loopback(sglang(routes));
    const config = { url: server.url };
    try {
      await body(config);
    } finally {
      forgetServer(config);
      await server.close();
    }
  }

  test('models owned by "sglang" (with max_model_len, which alone would say vLLM) → sglang; context from max_model_len', async () => {
    await withServer({ '/v1/models': 'sglang-models.json', '/get_model_info': 'sglang-model-info.json', '/get_server_info': 'sglang-server-info.json' }, async (config) => {
      const detection = await detect(config);
      assert.equal(detection.kind, 'sglang');
      assert.match(detection.evidence, /owned by "sglang"/);
      assert.deepEqual(await listModels(config), [{ id: 'openai/gpt-oss-120b', contextLength: 131072, contextSource: 'GET /v1/models max_model_len' }]);
    });
  });

  for (const [info, server] of [
    ['/get_model_info', '/get_server_info'],
    ['/model_info', '/server_info'],
  ] as const) {
    test(`only ${info} and ${server} (a proxy without /v1): sglang; the model and context_length from them`, async () => {
      await withServer({ [info]: 'sglang-model-info.json', [server]: 'sglang-server-info.json' }, async (config) => {
        const detection = await detect(config);
        assert.equal(detection.kind, 'sglang');
        assert.match(detection.evidence, new RegExp(`GET ${info} answered`));
        assert.deepEqual(await listModels(config), [{ id: 'openai/gpt-oss-120b', contextLength: 65536, contextSource: 'GET /get_server_info context_length' }]);
      });
    });
  }
});

describe('SGLang in the doctor and the CLI', () => {
  test('doctor: version from /get_server_info, context, a raw round trip as ids, /tokenize, prefix-cache reuse from cached_tokens', async () => {
    const stream = fixture('sglang-generate-toolcall-cumulative.sse');
    const routes = { '/v1/models': 'sglang-models.json', '/get_model_info': 'sglang-model-info.json', '/get_server_info': 'sglang-server-info.json', '/generate': { stream, split: 'whole' } };
    const handler: Handler = async (request, res) => {
      if (request.path === '/tokenize') {
        const { prompt } = JSON.parse(request.body) as { prompt: string };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ tokens: encodeWithMarkup(prompt), count: encodeWithMarkup(prompt).length, max_model_len: 131072 }));
        return;
      }
      await sglang(routes)(request, res, undefined as never);
    };
    const server = await loopback(handler);
    try {
      const report = await runDoctor({ url: server.url });
      const byName = new Map(report.checks.map((c) => [c.name, c]));
      assert.deepEqual([...byName.keys()], ['Reachable', 'Server', 'Streaming', 'Models', 'Context', 'Raw endpoint', 'Tokenizer', 'Chat path', 'Responses path', 'Speed and cache']);
      assert.equal(byName.get('Server')?.summary, 'SGLang 0.5.4');
      // The fixture's server runs with the default (cumulative) streaming.
      assert.equal(byName.get('Streaming')?.status, 'warn');
      assert.match(byName.get('Streaming')!.fix!, /--incremental-streaming-output/);
      assert.match(byName.get('Context')!.summary, /^131072 tokens \(GET \/v1\/models max_model_len\)/);
      assert.equal(byName.get('Raw endpoint')?.status, 'pass');
      assert.match(byName.get('Raw endpoint')!.summary, /^38 tokens back as ids, stopped at <\|call\|>/);
      assert.equal(byName.get('Tokenizer')?.status, 'pass');
      assert.match(byName.get('Speed and cache')!.summary, /4 of \d+ prompt tokens of a request extending the first came from the prefix cache$/);
    } finally {
      forgetServer({ url: server.url });
      await server.close();
    }
  });

  test('the streaming check reads either release\'s flag; a server that says neither gets no check', () => {
    assert.equal(sglangStreamingCheck({ incremental_streaming_output: true })?.status, 'pass');
    assert.equal(sglangStreamingCheck({ stream_output: false })?.status, 'warn');
    assert.equal(sglangStreamingCheck({ version: '0.5.4' }), undefined);
    assert.equal(sglangStreamingCheck(undefined), undefined);
  });

  test('harmony chat --kind sglang: reasoning and the tool call from /generate, via the raw endpoint', async () => {
    const stream = fixture('sglang-generate-toolcall-cumulative.sse');
    const server = await loopback(sglang({ '/generate': { stream, split: 'awkward' } }));
    const request = JSON.stringify({ messages: [{ role: 'user', content: 'What is the weather in Tokyo?' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }] });
    const cli = { out: '', err: '' };
    const io: CliIo = { readInput: async () => request, stdout: (t) => void (cli.out += t), stderr: (t) => void (cli.err += t) };
    try {
      const code = await chatCommand(['--url', server.url, '--kind', 'sglang', '--model', 'openai/gpt-oss-120b', 'req.json'], io);
      assert.equal(code, 0, cli.err);
      assert.equal(cli.out, '[reasoning]\nUser asks for the weather in Tokyo. Need to call get_weather.\n[tool call get_weather]\n{"city":"Tokyo"}\n');
      assert.match(cli.err, /^server: .* is sglang \(configured\)\nusage: 13 prompt \+ 38 completion tokens\ndone: toolCalls via the raw endpoint\n$/);
    } finally {
      await server.close();
    }
  });
});
