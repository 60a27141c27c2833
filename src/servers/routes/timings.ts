// What a server says it spent before generating, in milliseconds, as fields to spread into a
// usage chunk: only the figures it gave (llama.cpp reports milliseconds, Ollama nanoseconds).
import type { ServerTimings } from '../types';

export function serverTimings(prompt: unknown, load: unknown, msPerUnit: number): ServerTimings {
  const ms = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value * msPerUnit : undefined);
  const promptMs = ms(prompt);
  const loadMs = ms(load);
  return { ...(promptMs === undefined ? {} : { promptMs }), ...(loadMs === undefined ? {} : { loadMs }) };
}

/** Ollama's durations are nanoseconds. */
export const OLLAMA_MS_PER_UNIT = 1e-6;
