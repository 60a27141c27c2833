// Fuzz of the transports' line readers: the framing in front of the libraries (framing.ts) and
// the SSE reader behind it (sse.ts: the SDK's decoder, our JSON). Random frames (some with
// invalid UTF-8, some past the size bound), random separators, split at random byte offsets.
// Invariants, with expectations built from the input, not from the code under test:
// - nothing thrown but the size-bound error, and that only when a frame is past the bound;
// - nothing lost: the bytes out are the bytes in (SSE), every non-blank NDJSON line comes out
//   whole, in order; SSE payloads equal the JSON of each event's data, decoded as TextDecoder does;
// - pieces end where frames end (the readers after us never see half a frame but the last).
import assert from 'node:assert/strict';
import { SSE_FRAMING, framed, ndjsonFraming, type Framing } from '../../src/servers/http/framing';
import type { Exchange } from '../../src/servers/http/http';
import { sseJson } from '../../src/servers/http/sse';
import { silentLogger } from '../../src/servers/types';

type Random = () => number;
const int = (random: Random, n: number): number => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;

const utf8 = new TextEncoder();
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** A small bound, so that frames past it are cheap to make. */
export const FUZZ_MAX_FRAME_BYTES = 2048;

class TooLong extends Error {}

/** Random text: ASCII, markup, multi-byte characters, sometimes a lone invalid byte run. */
function randomBytes(random: Random, maxLength: number): Uint8Array {
  const pieces = ['a', 'Z', ' ', '{', '"', ':', '<|channel|>', 'é', '€', '😀', '\\', 'data', '\u2028'];
  let text = '';
  const length = int(random, maxLength);
  while (text.length < length) text += pick(random, pieces);
  const bytes = utf8.encode(text);
  if (random() < 0.15) {
    // Invalid UTF-8: a stray continuation byte, a truncated lead byte, or 0xff.
    const bad = pick(random, [[0x80], [0xe2, 0x82], [0xff], [0xc3]]);
    const at = int(random, bytes.length + 1);
    return Uint8Array.from([...bytes.subarray(0, at), ...bad, ...bytes.subarray(at)]);
  }
  return bytes;
}

/** `bytes` cut at random offsets (sometimes one byte at a time, sometimes whole). */
function randomSplit(random: Random, bytes: Uint8Array): Uint8Array[] {
  const style = int(random, 4);
  if (style === 0) return [bytes];
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = style === 1 ? 1 : 1 + int(random, style === 2 ? 8 : 700);
    pieces.push(bytes.slice(at, at + size));
    at += size;
  }
  return pieces;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function streamOf(pieces: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < pieces.length) controller.enqueue(pieces[i++]!);
      else controller.close();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ pieces: Uint8Array[]; error?: unknown }> {
  const pieces: Uint8Array[] = [];
  try {
    for await (const piece of stream as unknown as AsyncIterable<Uint8Array>) pieces.push(piece);
    return { pieces };
  } catch (error) {
    return { pieces, error };
  }
}

const tooLong = (): Error => new TooLong('frame past the bound');

interface Case {
  readonly frames: Uint8Array[];
  readonly input: Uint8Array;
  readonly longest: number;
}

/** SSE events of random `data:` lines (some JSON, some not, some huge), random blank-line separators. */
function sseCase(random: Random): Case {
  const frames: Uint8Array[] = [];
  const count = 1 + int(random, 12);
  for (let i = 0; i < count; i++) {
    const lines = 1 + int(random, 3);
    const eol = pick(random, ['\n', '\r', '\r\n']);
    const body: Uint8Array[] = [];
    for (let j = 0; j < lines; j++) body.push(utf8.encode(pick(random, ['data: ', ': ', 'event: x\ndata: '])), randomBytes(random, random() < 0.05 ? 4000 : 60), utf8.encode(eol));
    body.push(utf8.encode(eol));
    frames.push(concat(body));
  }
  const input = concat(frames);
  return { frames, input, longest: Math.max(...frames.map((f) => f.length)) };
}

/** NDJSON: JSON lines with random text, blank lines, a few lines that are not JSON, some huge. */
function ndjsonCase(random: Random): Case & { lines: string[] } {
  const frames: Uint8Array[] = [];
  const lines: string[] = [];
  const count = 1 + int(random, 12);
  for (let i = 0; i < count; i++) {
    const kind = random();
    const line = kind < 0.1 ? '' : kind < 0.15 ? 'not json {' : JSON.stringify({ response: lenient.decode(randomBytes(random, random() < 0.05 ? 4000 : 60)), i });
    const end = i === count - 1 && random() < 0.5 ? '' : pick(random, ['\n', '\r\n']);
    frames.push(utf8.encode(line + end));
    lines.push(line + end);
  }
  return { frames, input: concat(frames), longest: Math.max(...frames.map((f) => f.length)), lines };
}

/** One random SSE stream through `framed`: bytes out = bytes in, pieces end at frame ends, or the bound's error. */
async function checkFramedSse(random: Random): Promise<void> {
  const { frames, input, longest } = sseCase(random);
  const { pieces, error } = await readAll(framed(streamOf(randomSplit(random, input)), SSE_FRAMING, tooLong, FUZZ_MAX_FRAME_BYTES));
  const out = concat(pieces);
  if (longest > FUZZ_MAX_FRAME_BYTES) {
    assert.ok(error instanceof TooLong, `expected the bound's error, got ${String(error)}`);
    // What came out before the error is whole frames from the start of the input.
    assert.deepEqual(out, input.subarray(0, out.length));
  } else {
    assert.equal(error, undefined);
    assert.deepEqual(out, input);
  }
  // Every piece ends where a frame ends.
  const ends = new Set<number>();
  frames.reduce((at, f) => (ends.add(at + f.length), at + f.length), 0);
  let at = 0;
  for (const piece of pieces) {
    at += piece.length;
    assert.ok(ends.has(at), `a piece ends inside a frame at byte ${at}`);
  }
}

/** One random NDJSON stream: every non-blank line, in order, or the error for the first bad/huge line. */
async function checkFramedNdjson(random: Random): Promise<void> {
  const { input, lines } = ndjsonCase(random);
  class NotJson extends Error {}
  const framing: Framing = ndjsonFraming(() => new NotJson('not json'));
  const { pieces, error } = await readAll(framed(streamOf(randomSplit(random, input)), framing, tooLong, FUZZ_MAX_FRAME_BYTES));
  const delivered = lenient.decode(concat(pieces));
  const firstBad = lines.findIndex((l) => utf8.encode(l).length > FUZZ_MAX_FRAME_BYTES || (l.trim() !== '' && !isJson(l)));
  const good = (firstBad < 0 ? lines : lines.slice(0, firstBad)).filter((l) => l.trim() !== '');
  if (firstBad < 0) assert.equal(error, undefined);
  else assert.ok(error instanceof NotJson || error instanceof TooLong, `expected the line's error, got ${String(error)}`);
  // Whole lines only, the good ones before any bad one, nothing dropped but blank lines.
  if (firstBad < 0) assert.equal(delivered, good.join(''));
  else assert.equal(delivered, good.join('').slice(0, delivered.length));
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The payload each event carries, read from the input as the SSE format defines it (a test-side oracle). */
function expectedPayloads(input: Uint8Array): { payloads: unknown[]; notJson: boolean } {
  const text = lenient.decode(input);
  const payloads: unknown[] = [];
  for (const event of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    const data = event
      .split(/\r\n|\n|\r/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''));
    if (data.length === 0) continue;
    const joined = data.join('\n');
    if (joined.startsWith('[DONE]')) break;
    try {
      payloads.push(JSON.parse(joined));
    } catch {
      return { payloads, notJson: true };
    }
  }
  return { payloads, notJson: false };
}

/** A fake exchange over `pieces`: what sseJson needs of one (no network). */
function exchangeOver(pieces: readonly Uint8Array[]): Exchange {
  const controller = new AbortController();
  const ctx = { url: 'http://fuzz', endpoint: 'POST /v1/completions' };
  return {
    response: new Response(streamOf(pieces), { headers: { 'content-type': 'text/event-stream' } }),
    controller,
    ctx,
    progress: { chunks: 0 },
    abortError: () => undefined,
    failure: (error) => error as never,
    close: () => controller.abort(),
  };
}

/** Random JSON events through sseJson: the payloads in order, or a protocol error at the first that is not JSON. */
async function checkSseReader(random: Random): Promise<void> {
  const events: Uint8Array[] = [];
  const count = 1 + int(random, 10);
  for (let i = 0; i < count; i++) {
    const text = lenient.decode(randomBytes(random, 80));
    const payload = utf8.encode(random() < 0.05 ? `{"broken": ${text}` : JSON.stringify({ choices: [{ text }], i }));
    // Sometimes invalid UTF-8 inside the string: it must come out as U+FFFD, not fail or vanish.
    const at = payload.indexOf(0x22, 14) + 1; // just inside the text's opening quote
    const withBad = random() < 0.15 && at > 0 ? concat([payload.subarray(0, at), Uint8Array.from(pick(random, [[0x80], [0xff], [0xe2, 0x82]])), payload.subarray(at)]) : payload;
    events.push(concat([utf8.encode(pick(random, ['data: ', 'data:'])), withBad, utf8.encode(pick(random, ['\n\n', '\r\n\r\n', '\r\r']))]));
  }
  if (random() < 0.3) events.push(utf8.encode(': ping\n\n'));
  const input = concat(events);
  const expected = expectedPayloads(input);
  const got: unknown[] = [];
  let error: unknown;
  try {
    for await (const item of sseJson(exchangeOver(randomSplit(random, input)), silentLogger)) got.push(item);
  } catch (e) {
    error = e;
  }
  assert.deepEqual(got, expected.payloads);
  if (expected.notJson) assert.match(String((error as Error)?.message), /not JSON/);
  else assert.equal(error, undefined);
}

export interface ReaderFigures {
  streams: number;
}

/** `count` random streams of each kind; throws (with the seed's stream) at the first violation. */
export async function fuzzLineReaders(count: number, random: Random): Promise<ReaderFigures> {
  const figures: ReaderFigures = { streams: 0 };
  for (let i = 0; i < count; i++) {
    await checkFramedSse(random);
    await checkFramedNdjson(random);
    await checkSseReader(random);
    figures.streams += 3;
  }
  return figures;
}
