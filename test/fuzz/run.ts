// `npm run fuzz [-- --streams N --seed S --workers W --readers N]`: the parser fuzz of
// test/unit/harmony/fuzz.test.ts at scale (default a million streams), split over worker
// processes by seed, then the transports' line readers (test/fuzz/lineReaders.ts, N rounds of
// three streams). Prints the figures; exits 1 with the first failing stream.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { checkStream, corpusIds, describeFailure, mutatedStream, randomStream, seeded } from './harness';
import { FUZZ_MAX_FRAME_BYTES, fuzzLineReaders } from './lineReaders';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '20261122' },
    workers: { type: 'string', default: String(Math.max(1, availableParallelism())) },
    worker: { type: 'string' },
    readers: { type: 'string', default: '2000' },
  },
});

interface Figures {
  streams: number;
  mutated: number;
  random: number;
  cuts: number;
  tokens: number;
  failure?: string;
}

/** One worker's share: every third stream random, the rest mutated completions. */
function work(count: number, seed: number, withCuts: boolean): Figures {
  const random = seeded(seed);
  const figures: Figures = { streams: 0, mutated: 0, random: 0, cuts: 0, tokens: 0 };
  const check = (ids: number[], kind: 'mutated' | 'random' | 'cuts'): boolean => {
    try {
      checkStream(ids, random);
    } catch (error) {
      figures.failure = describeFailure(ids, error);
      return false;
    }
    figures.streams++;
    figures[kind]++;
    figures.tokens += ids.length;
    return true;
  };
  if (withCuts) {
    for (const ids of corpusIds()) for (let at = 0; at <= ids.length; at++) if (!check(ids.slice(0, at), 'cuts')) return figures;
  }
  while (figures.streams < count) {
    const kind = figures.streams % 3 === 0 ? 'random' : 'mutated';
    if (!check(kind === 'random' ? randomStream(random) : mutatedStream(random), kind)) return figures;
  }
  return figures;
}

function runWorker(index: number, count: number, seed: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--worker', String(index), '--streams', String(count), '--seed', String(seed)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as Figures);
      } catch {
        reject(new Error(`worker ${index} gave no figures: ${out.slice(0, 500)}`));
      }
    });
  });
}

async function main(): Promise<number> {
  const total = Number(values.streams);
  const seed = Number(values.seed);
  if (values.worker !== undefined) {
    process.stdout.write(JSON.stringify(work(total, seed, values.worker === '0')));
    return 0;
  }
  const workers = Math.max(1, Number(values.workers));
  const started = process.hrtime.bigint();
  const shares = Array.from({ length: workers }, (_, i) => Math.floor(total / workers) + (i < total % workers ? 1 : 0));
  const results = await Promise.all(shares.map((share, i) => runWorker(i, share, seed + i)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sum = (key: 'streams' | 'mutated' | 'random' | 'cuts' | 'tokens'): number => results.reduce((n, r) => n + r[key], 0);
  console.log(
    `harmony parser fuzz: ${sum('streams').toLocaleString('en')} streams (${sum('mutated').toLocaleString('en')} mutated completions, ` +
      `${sum('random').toLocaleString('en')} random, ${sum('cuts').toLocaleString('en')} cuts), ${sum('tokens').toLocaleString('en')} tokens, ` +
      `each also as text in random chunks; seed ${seed}, ${workers} workers, ${seconds.toFixed(1)} s`,
  );
  const failures = results.flatMap((r) => (r.failure ? [r.failure] : []));
  if (failures.length > 0) console.log(`FAILED:\n${failures.join('\n\n')}`);
  else console.log('0 exceptions, 0 invariant violations (no character lost, spans exact, text reads like ids)');
  const readers = await fuzzReaders(Number(values.readers), seed);
  return failures.length > 0 ? 1 : readers;
}

async function fuzzReaders(rounds: number, seed: number): Promise<number> {
  const started = process.hrtime.bigint();
  try {
    const { streams } = await fuzzLineReaders(rounds, seeded(seed));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `line readers fuzz: ${streams.toLocaleString('en')} streams (SSE and NDJSON framing, SSE reader; random splits, frames past a ${FUZZ_MAX_FRAME_BYTES}-byte bound, invalid UTF-8); seed ${seed}, ${seconds.toFixed(1)} s`,
    );
    console.log('0 exceptions but the bound, 0 invariant violations (bytes out = bytes in, whole frames, payloads as the input spells them)');
    return 0;
  } catch (error) {
    console.log(`FAILED (line readers, seed ${seed}):\n${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
