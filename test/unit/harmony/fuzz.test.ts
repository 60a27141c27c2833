// The parser fuzzed with a fixed seed (test/fuzz/harness.ts has the invariants): random
// token streams, mutated real completions, and every real completion cut at every position.
// `npm run fuzz` runs the same over a million streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStream, corpusIds, describeFailure, mutatedStream, randomStream, seeded } from '../../fuzz/harness';

function run(streams: Iterable<number[]>, random: () => number): number {
  let count = 0;
  for (const ids of streams) {
    try {
      checkStream(ids, random);
    } catch (error) {
      throw new Error(describeFailure(ids, error));
    }
    count++;
  }
  return count;
}

function* generate(make: (random: () => number) => number[], random: () => number, count: number): Iterable<number[]> {
  for (let i = 0; i < count; i++) yield make(random);
}

test('every real completion, cut at every position: no exception, nothing lost', () => {
  const random = seeded(1);
  const corpus = corpusIds();
  const cuts = corpus.flatMap((ids) => Array.from({ length: ids.length + 1 }, (_, at) => ids.slice(0, at)));
  assert.ok(corpus.length >= 10, `${corpus.length} real completions`);
  assert.equal(run(cuts, random), corpus.reduce((sum, ids) => sum + ids.length + 1, 0));
});

test('3,000 mutated completions (markers deleted, doubled, swapped, inserted; cuts; splices)', () => {
  const random = seeded(20261122);
  assert.equal(run(generate(mutatedStream, random, 3000), random), 3000);
});

test('2,000 random token streams (ordinary, structural, half-character and invalid ids)', () => {
  const random = seeded(42);
  assert.equal(run(generate(randomStream, random, 2000), random), 2000);
});
