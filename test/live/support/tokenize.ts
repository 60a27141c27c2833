// The real llama-server's own tokenisation of a text (POST /tokenize).
import assert from 'node:assert/strict';
import type { LlamaServer } from '../../llama/server';

/** With `parseSpecial` (default) special token literals in the text become their ids, as Ollama and LM Studio read a text prompt. */
export async function serverTokenize(server: LlamaServer, content: string, parseSpecial = true): Promise<number[]> {
  const response = await fetch(`${server.url}/tokenize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content, parse_special: parseSpecial }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { tokens: number[] }).tokens;
}
