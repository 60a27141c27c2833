// Client-side cost per streamed token of the transport + parser, against the same
// loopback replay read by a no-op consumer (fetch, discard the bytes), in one run:
// medians over interleaved repetitions, the difference per token and the ratio.
// Target: < 10 µs/token of overhead.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWithMarkup, decode } from '../src/harmony/tokenizer';
import { complete } from '../src/servers/client';
import { harmonyParser } from '../src/servers/stream/harmonyParser';
import type { ParserFactory, StreamParser } from '../src/servers/stream/parse';
import type { EndpointChoice, ServerKind, StreamEvent } from '../src/servers/types';
import { median } from './stats';

const REPS = 15;
const ANALYSIS = 'User asks for the weather in Tokyo. We need to call get_weather with the city, then summarise: 東京の天気 ☀️. ';

/** A long completion: one analysis message of many sentences, then a tool call. */
function completionIds(targetTokens: number): number[] {
  const sentence = encodeWithMarkup(ANALYSIS);
  const body: number[] = [];
  while (body.length < targetTokens) body.push(...sentence);
  return [
    ...encodeWithMarkup('<|channel|>analysis<|message|>'),
    ...body,
    ...encodeWithMarkup('<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Tokyo"}<|call|>'),
  ];
}

/** Per-token text as a detokenizer streams it (incomplete UTF-8 held back). */
function pieces(ids: readonly number[]): string[] {
  const out: string[] = [];
  let emitted = '';
  let pending: number[] = [];
  for (const id of ids) {
    pending.push(id);
    const text = decode(pending);
    if (text.endsWith('\uFFFD')) {
      out.push('');
      continue;
    }
    out.push(text);
    emitted += text;
    pending = [];
  }
  void emitted;
  return out;
}

function llamacppStream(ids: readonly number[]): Buffer {
  const texts = pieces(ids);
  const events = ids.map((id, i) => `data: ${JSON.stringify({ index: 0, content: texts[i], tokens: [id], stop: false, id_slot: 0, tokens_predicted: i + 1, tokens_evaluated: 512 })}\n\n`);
  events.push(`data: ${JSON.stringify({ index: 0, content: '', tokens: [], id_slot: 0, stop: true, tokens_predicted: ids.length, tokens_evaluated: 512, stop_type: 'eos', stopping_word: '' })}\n\n`);
  return Buffer.from(events.join(''));
}

function vllmStream(ids: readonly number[]): Buffer {
  const texts = pieces(ids);
  const head = { id: 'cmpl-bench', object: 'text_completion', created: 1795303100, model: 'openai/gpt-oss-20b' };
  const events = ids.map(
    (id, i) =>
      `data: ${JSON.stringify({ ...head, choices: [{ index: 0, text: texts[i], logprobs: null, finish_reason: i === ids.length - 1 ? 'stop' : null, stop_reason: i === ids.length - 1 ? 200012 : null, token_ids: [id] }] })}\n\n`,
  );
  events.push(`data: ${JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: 512, completion_tokens: ids.length, total_tokens: 512 + ids.length } })}\n\ndata: [DONE]\n\n`);
  return Buffer.from(events.join(''));
}

function chatStream(ids: readonly number[]): Buffer {
  const texts = pieces(ids.slice(3, -20)).filter((t) => t !== '');
  const head = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1795303100, model: 'gpt-oss' };
  const events = [
    { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }] },
    ...texts.map((t) => ({ ...head, choices: [{ index: 0, delta: { reasoning_content: t }, finish_reason: null }] })),
    { ...head, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } }] }, finish_reason: null }] },
    { ...head, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  ];
  return Buffer.from(`${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`);
}

/** The same completion as a Responses stream (vLLM's events): a reasoning_text delta per token, then the call. */
function responsesStream(ids: readonly number[]): Buffer {
  const texts = pieces(ids.slice(3, -20)).filter((t) => t !== '');
  const event = (type: string, data: Record<string, unknown>, n: number): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: n })}\n\n`;
  const item = { id: 'fc_bench', type: 'function_call', call_id: 'call_bench', name: 'get_weather', arguments: '{"city":"Tokyo"}', status: 'completed' };
  const events = [
    event('response.output_item.added', { output_index: 0, item: { id: 'rs_bench', type: 'reasoning', summary: [] } }, 0),
    ...texts.map((delta, i) => event('response.reasoning_text.delta', { item_id: 'rs_bench', output_index: 0, content_index: 0, delta }, i + 1)),
    event('response.output_item.added', { output_index: 1, item: { ...item, arguments: '', status: 'in_progress' } }, texts.length + 1),
    event('response.function_call_arguments.delta', { item_id: 'fc_bench', output_index: 1, delta: item.arguments }, texts.length + 2),
    event('response.function_call_arguments.done', { item_id: 'fc_bench', output_index: 1, arguments: item.arguments }, texts.length + 3),
    event('response.output_item.done', { output_index: 1, item }, texts.length + 4),
    event('response.completed', { response: { id: 'resp_bench', status: 'completed', usage: { input_tokens: 512, output_tokens: ids.length } } }, texts.length + 5),
  ];
  return Buffer.from(events.join(''));
}

/** SGLang /generate: one event per token, `output_ids` new ids only (--incremental-streaming-output) or every id so far (the default). */
function sglangStream(ids: readonly number[], cumulative: boolean): Buffer {
  const texts = pieces(ids);
  const events: string[] = [];
  let text = '';
  ids.forEach((id, i) => {
    text += texts[i];
    const last = i === ids.length - 1;
    const meta = { id: 'bench', finish_reason: last ? { type: 'stop', matched: 200012 } : null, prompt_tokens: 512, completion_tokens: i + 1, cached_tokens: 0 };
    events.push(`data: ${JSON.stringify({ text: cumulative ? text : texts[i], output_ids: cumulative ? ids.slice(0, i + 1) : [id], meta_info: meta })}\n\n`);
  });
  events.push('data: [DONE]\n\n');
  return Buffer.from(events.join(''));
}

// The replay server runs in its own process, so that the client's CPU time (process.cpuUsage)
// is the client's alone: paced, one event per write as a server streams tokens, and in one burst.
const SERVER_SCRIPT = `
const http = require('node:http');
const fs = require('node:fs');
const routes = JSON.parse(process.argv[1]);
const bodies = Object.fromEntries(Object.entries(routes).map(([p, f]) => [p, fs.readFileSync(f)]));
const events = Object.fromEntries(Object.entries(bodies).map(([p, b]) => [p, b.toString('utf8').split('\\n\\n').filter(Boolean).map((e) => Buffer.from(e + '\\n\\n'))]));
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', async () => {
    const path = req.url || '';
    let mode = 'paced';
    try { mode = JSON.parse(body).bench_mode || mode; } catch {}
    if (!bodies[path]) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (mode === 'burst') { res.end(bodies[path]); return; }
    for (const e of events[path]) { if (!res.write(e)) await new Promise((r) => res.once('drain', r)); await new Promise((r) => setImmediate(r)); }
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function serve(routes: Record<string, Buffer>): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'transport-bench-'));
  const files = Object.fromEntries(
    Object.entries(routes).map(([path, body], i) => {
      const file = join(dir, `${i}.sse`);
      writeFileSync(file, body);
      return [path, file];
    }),
  );
  const child = spawn(process.execPath, ['-e', SERVER_SCRIPT, JSON.stringify(files)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

async function measure(run: () => Promise<unknown>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await run();
  const used = process.cpuUsage(cpu);
  return { wallMs: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (used.user + used.system) / 1000 };
}

type Mode = 'paced' | 'burst';

async function noOpConsumer(url: string, mode: Mode): Promise<void> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify({ bench_mode: mode }), headers: { 'content-type': 'application/json' } });
  for await (const chunk of response.body!) void chunk;
}

async function throughClient(url: string, mode: Mode, kind: ServerKind, endpoint: EndpointChoice, parser: ParserFactory, prompt: readonly number[]): Promise<void> {
  const request = endpoint === 'raw' ? { prompt: { ids: prompt, text: '' } } : { chat: { messages: [{ role: 'user', content: 'weather?' }], tools: [{ type: 'function', function: { name: 'get_weather' } }] } };
  // The replay mode rides in the request body (extraBody for the client; SGLang's /generate carries it at the top level too).
  const config = { url, kind, endpoint, model: 'gpt-oss', extraBody: { bench_mode: mode } };
  for await (const event of complete(config, request, undefined, { parser }) as AsyncIterable<StreamEvent>) void event;
}

function availableParser(): { factory: ParserFactory; label: string } {
  try {
    harmonyParser();
    return { factory: harmonyParser, label: 'transport + Harmony parser' };
  } catch {
    // Until src/harmony/parser.ts lands: the transport alone, with a parser that only counts.
    const passThrough = (): StreamParser => ({ pushTokens: () => [], pushText: () => [], end: () => [] });
    return { factory: passThrough, label: 'transport only (parser not landed yet)' };
  }
}

async function main(): Promise<void> {
  const ids = completionIds(20_000);
  // SGLang's default repeats every id so far in each event (quadratic on the wire): a shorter completion.
  const shortIds = completionIds(2_000);
  const { factory, label } = availableParser();
  const paths = { '/completion': llamacppStream(ids), '/v1/completions': vllmStream(ids), '/v1/chat/completions': chatStream(ids), '/v1/responses': responsesStream(ids), '/generate': sglangStream(ids, false) };
  const main = await serve(paths);
  const cumulative = await serve({ '/generate': sglangStream(shortIds, true) });
  const prompt = encodeWithMarkup('<|start|>user<|message|>weather?<|end|><|start|>assistant');
  try {
    console.log(`\n## ${label}: ${ids.length} streamed tokens per run (SGLang cumulative: ${shortIds.length}), ${REPS} interleaved runs, medians; server in its own process`);
    console.log('overhead = (client − no-op consumer) / tokens, in the client process’s CPU time (and wall time)');
    const cases: { name: string; url: string; path: string; kind: ServerKind; endpoint: EndpointChoice; tokens: number }[] = [
      { name: 'llama.cpp /completion (ids)', url: main.url, path: '/completion', kind: 'llamacpp', endpoint: 'raw', tokens: ids.length },
      { name: 'vLLM /v1/completions (ids)', url: main.url, path: '/v1/completions', kind: 'vllm', endpoint: 'raw', tokens: ids.length },
      { name: 'SGLang /generate (incremental output_ids)', url: main.url, path: '/generate', kind: 'sglang', endpoint: 'raw', tokens: ids.length },
      { name: 'SGLang /generate (cumulative output_ids, the default)', url: cumulative.url, path: '/generate', kind: 'sglang', endpoint: 'raw', tokens: shortIds.length },
      { name: 'llama.cpp /v1/chat/completions', url: main.url, path: '/v1/chat/completions', kind: 'llamacpp', endpoint: 'chat', tokens: ids.length },
      { name: 'vLLM /v1/responses (openai SDK stream)', url: main.url, path: '/v1/responses', kind: 'vllm', endpoint: 'responses', tokens: ids.length },
    ];
    for (const mode of ['paced', 'burst'] as const) {
      console.log(`\n### ${mode === 'paced' ? 'paced: one event per write, as a server streams' : 'burst: the whole stream in one write (events pile up)'}`);
      for (const c of cases) {
        const url = c.url;
        const target = `${url}${c.path}`;
        const viaClient = (): Promise<void> => throughClient(url, mode, c.kind, c.endpoint, factory, prompt);
        await noOpConsumer(target, mode);
        await viaClient(); // warm-up: JIT, tokenizer tables, sockets
        const base: Sample[] = [];
        const full: Sample[] = [];
        for (let r = 0; r < REPS; r++) {
          base.push(await measure(() => noOpConsumer(target, mode)));
          full.push(await measure(viaClient));
        }
        const cpu = (median(full.map((s) => s.cpuMs)) - median(base.map((s) => s.cpuMs))) * 1000 / c.tokens;
        const wall = (median(full.map((s) => s.wallMs)) - median(base.map((s) => s.wallMs))) * 1000 / c.tokens;
        const ratio = median(full.map((s) => s.cpuMs)) / median(base.map((s) => s.cpuMs));
        console.log(
          `${c.name}: no-op ${median(base.map((s) => s.cpuMs)).toFixed(1)} ms CPU, client ${median(full.map((s) => s.cpuMs)).toFixed(1)} ms CPU → ${cpu.toFixed(2)} µs/token CPU (ratio ${ratio.toFixed(2)}), ${wall.toFixed(2)} µs/token wall — target < 10 µs/token: ${cpu < 10 ? 'meets target' : 'MISSES target'}`,
        );
      }
    }
  } finally {
    main.stop();
    cumulative.stop();
  }
}

void main();
