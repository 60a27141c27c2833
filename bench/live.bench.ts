// Against the real llama-server (test/llama, `npm run setup`): the client-side time per streamed
// token of our transport + Harmony parser, next to the server's own time per generated token from
// the `timings` field of the same run's final event. Medians over interleaved repetitions.
//
// client   = CPU time of this process per token while `complete()` streams the completion
//            (fetch, SSE decoding, the llama.cpp reader, the feed, the parser);
// no-op    = the same request read by plain fetch that discards the bytes (HTTP alone);
// server   = timings.predicted_per_token_ms (llama.cpp's generation time per token).
// The server is another process on the same 2 cores, so CPU time, not wall time, is the client's cost.
//
// Run: node --import tsx bench/live.bench.ts   (or: node bench/run.mjs live)
import { renderChatRequest } from '../src/harmony/chatRequest';
import { complete } from '../src/servers/client';
import { llamacppCompletionBody } from '../src/servers/routes/llamacpp';
import type { CompletionRequest, ServerConfig, StreamEvent } from '../src/servers/types';
import { scriptCompletion } from '../test/llama/script';
import { missingPrerequisite, startLlamaServer, type LlamaServer } from '../test/llama/server';
import { median } from './stats';

const WEATHER_CHAT = {
  messages: [{ role: 'user', content: "What's the weather in Tokyo?" }],
  tools: [{ type: 'function', function: { name: 'get_weather', description: 'Get the current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
};

interface Timings {
  predicted_n: number;
  predicted_ms: number;
  predicted_per_token_ms: number;
}

interface Sample {
  cpuMs: number;
  wallMs: number;
  tokens: number;
  timings: Timings;
}

/**
 * fetch whose response body keeps a reference to its last few chunks, so that the final event's
 * `timings` can be read after the run. Both the client and the no-op consumer go through it.
 */
function tappedFetch(): { fetch: typeof fetch; timings: () => Timings } {
  let tail: Uint8Array[] = [];
  const tapped: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (!response.body) return response;
    tail = [];
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          tail.push(chunk);
          if (tail.length > 4) tail.shift();
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  const timings = (): Timings => {
    const text = Buffer.concat(tail).toString('utf8');
    const final = text.split('\n').filter((line) => line.startsWith('data: ') && line.includes('"timings"')).at(-1);
    if (!final) throw new Error('no final event with timings in the stream');
    return (JSON.parse(final.slice(6)) as { timings: Timings }).timings;
  };
  return { fetch: tapped, timings };
}

async function measure(run: () => Promise<number>, timings: () => Timings): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const tokens = await run();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: Number(process.hrtime.bigint() - start) / 1e6, tokens, timings: timings() };
}

interface Case {
  name: string;
  request: CompletionRequest;
  reps: number;
}

async function throughClient(server: LlamaServer, request: CompletionRequest, tap: ReturnType<typeof tappedFetch>): Promise<number> {
  const config: ServerConfig = { url: server.url, kind: 'llamacpp', endpoint: 'raw', fetch: tap.fetch };
  let tokens = 0;
  for await (const event of complete(config, request) as AsyncIterable<StreamEvent>) {
    if (event.type === 'usage') tokens = event.completionTokens ?? 0;
  }
  return tokens;
}

async function noOpConsumer(server: LlamaServer, request: CompletionRequest, tap: ReturnType<typeof tappedFetch>): Promise<number> {
  // The body the transport sends (llamacpp.ts), with the same extra fields.
  const body = { ...llamacppCompletionBody(request.prompt?.ids ?? [], request), ...request.extraBody };
  const response = await tap.fetch(`${server.url}/completion`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  for await (const chunk of response.body!) void chunk;
  return tap.timings().predicted_n;
}

function us(ms: number): string {
  return `${(ms * 1000).toFixed(1)} µs`;
}

async function main(): Promise<void> {
  const missing = missingPrerequisite();
  if (missing) {
    console.error(`live bench: ${missing}`);
    process.exitCode = 1;
    return;
  }
  const prompt = renderChatRequest(WEATHER_CHAT, { date: '2026-11-22' }).ids;
  const sentence = 'The user wants the weather in Tokyo, so I will call get_weather with the city and then summarise it. ';
  const harmony = scriptCompletion(
    `<|channel|>analysis<|message|>${sentence.repeat(10)}<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Tokyo"}<|call|>`,
  );
  const cases: Case[] = [
    {
      name: 'random tokens, no grammar (the server at full speed), 512 tokens',
      request: { prompt: { ids: prompt }, maxTokens: 512, temperature: 1, extraBody: { ignore_eos: true, seed: 1 } },
      reps: 9,
    },
    {
      name: `grammar-scripted Harmony analysis → tool call, ${harmony.ids.length} tokens (grammar slows the server)`,
      request: { prompt: { ids: prompt }, maxTokens: harmony.ids.length + 8, temperature: 1, extraBody: { grammar: harmony.grammar, logit_bias: harmony.logitBias, seed: 1 } },
      reps: 5,
    },
  ];

  const server = await startLlamaServer({ alias: 'tiny-gpt-oss' });
  try {
    console.log(`\n## live llama-server (${server.model.split('/').at(-1)}), medians of interleaved runs; client and no-op in this process's CPU time`);
    for (const c of cases) {
      const tap = tappedFetch();
      // Warm-up: JIT, tokenizer tables, the server's prompt cache.
      await throughClient(server, c.request, tap);
      await noOpConsumer(server, c.request, tap);
      const client: Sample[] = [];
      const base: Sample[] = [];
      for (let r = 0; r < c.reps; r++) {
        client.push(await measure(() => throughClient(server, c.request, tap), tap.timings));
        base.push(await measure(() => noOpConsumer(server, c.request, tap), tap.timings));
      }
      for (const s of [...client, ...base]) {
        if (s.tokens !== s.timings.predicted_n) throw new Error(`token counts disagree: ${s.tokens} streamed, ${s.timings.predicted_n} in timings`);
      }
      const perToken = (samples: Sample[], f: (s: Sample) => number) => median(samples.map((s) => f(s) / s.tokens));
      const clientCpu = perToken(client, (s) => s.cpuMs);
      const baseCpu = perToken(base, (s) => s.cpuMs);
      const serverClientRuns = median(client.map((s) => s.timings.predicted_per_token_ms));
      const serverBaseRuns = median(base.map((s) => s.timings.predicted_per_token_ms));
      const wall = perToken(client, (s) => s.wallMs);
      console.log(`\n### ${c.name} (${c.reps} runs each)`);
      console.log(`server (timings.predicted_per_token_ms, client runs): ${us(serverClientRuns)}/token   (no-op runs: ${us(serverBaseRuns)}/token)`);
      console.log(`client (transport + parser + HTTP), CPU: ${us(clientCpu)}/token   wall ${us(wall)}/token`);
      console.log(`no-op consumer (HTTP alone), CPU: ${us(baseCpu)}/token`);
      console.log(`transport + parser alone: ${us(clientCpu - baseCpu)}/token`);
      console.log(`ratio client CPU / server per token: ${(clientCpu / serverClientRuns).toFixed(3)}   (transport + parser alone: ${((clientCpu - baseCpu) / serverClientRuns).toFixed(3)})`);
    }
  } finally {
    await server.stop();
  }
}

void main();
