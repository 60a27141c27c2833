// openai/harmony's golden files, read as harmony's own tests read them.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HARMONY_FIXTURES } from './fixtures';

export const TEST_DATA = join(HARMONY_FIXTURES, 'test-data');
export const TOKEN_IDS = join(HARMONY_FIXTURES, 'token-ids');

/** The golden text with CRLF folded and trailing whitespace trimmed (harmony's loader convention). */
export function goldenText(name: string): string {
  return readFileSync(join(TEST_DATA, `${name}.txt`), 'utf8').replace(/\r\n/g, '\n').trimEnd();
}

/** The token ids of a text golden, from test/fixtures/harmony/token-ids. */
export function goldenIds(name: string): number[] {
  const file = JSON.parse(readFileSync(join(TOKEN_IDS, `${name}.tokens.json`), 'utf8')) as { tokens: number[] };
  return file.tokens;
}

/** Names of the text goldens that have token ids. */
export function textGoldenNames(): string[] {
  return readdirSync(TOKEN_IDS)
    .filter((f) => f.endsWith('.tokens.json'))
    .map((f) => f.replace(/\.tokens\.json$/, ''))
    .sort();
}

/** A token-id golden (whitespace-separated ids). */
export function goldenIdList(name: string): number[] {
  return readFileSync(join(TEST_DATA, `${name}.txt`), 'utf8').trim().split(/\s+/).map(Number);
}
