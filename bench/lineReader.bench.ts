// One long SSE event (a server that streams a whole answer in one line) read in 16 KiB pieces,
// as a socket delivers it: the openai SDK's decoder alone (the baseline: it copies and rescans its
// pending buffer on every read, quadratic in the line) against our framing in front of it
// (src/servers/http/framing.ts: whole events only, linear). Same run, same bytes; medians of 3.
import { performance } from 'node:perf_hooks';
import { _iterSSEMessages } from 'openai/core/streaming';
import { SSE_FRAMING, framed } from '../src/servers/http/framing';
import { median, ms } from './stats';

const PIECE = 16 * 1024;

function pieces(mib: number): Uint8Array[] {
  const event = Buffer.from(`data: ${JSON.stringify({ choices: [{ delta: { content: 'y'.repeat(mib * 2 ** 20) } }] })}\n\n`);
  const out: Uint8Array[] = [];
  for (let at = 0; at < event.length; at += PIECE) out.push(event.subarray(at, at + PIECE));
  return out;
}

function body(parts: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({ pull: (c) => (i < parts.length ? c.enqueue(parts[i++]!) : c.close()) });
}

async function read(stream: ReadableStream<Uint8Array>): Promise<number> {
  const started = performance.now();
  let events = 0;
  for await (const event of _iterSSEMessages(new Response(stream), new AbortController())) if (event.data.length > 0) events++;
  if (events !== 1) throw new Error(`expected one event, read ${events}`);
  return performance.now() - started;
}

const tooLong = (): Error => new Error('past the bound');

async function main(): Promise<void> {
  console.log('one SSE event of N MiB in 16 KiB reads: SDK decoder alone vs our framing + SDK decoder (median of 3)');
  for (const mib of [0.5, 1, 2, 4]) {
    const parts = pieces(mib);
    const sdk: number[] = [];
    const ours: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      sdk.push(await read(body(parts)));
      ours.push(await read(framed(body(parts), SSE_FRAMING, tooLong)));
    }
    console.log(`${String(mib).padStart(4)} MiB: SDK alone ${ms(median(sdk)).padStart(10)}   framed ${ms(median(ours)).padStart(10)}   (${(median(sdk) / median(ours)).toFixed(0)}× faster)`);
  }
}

void main();
