// A fixed-seed slice of `npm run fuzz`'s line-reader part (test/fuzz/lineReaders.ts): random
// frames, giant ones past the bound, invalid UTF-8, random splits; nothing lost, nothing thrown.
import { test } from 'node:test';
import { seeded } from '../../fuzz/harness';
import { fuzzLineReaders } from '../../fuzz/lineReaders';

test('line readers, 100 random streams of each kind (seed 20261203): nothing lost, nothing thrown but the bound', async () => {
  await fuzzLineReaders(100, seeded(20261203));
});
