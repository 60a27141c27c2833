// What the usage status-bar item says about the last exchange: tokens/s, the prompt against the
// model's context (fill), and how much of the prompt the server took from its prefix cache.
// Plain data in, strings out (no vscode), so the figures are unit-tested.
import type { LoggedExchange } from '../../servers';

export interface UsageText {
  /** The status-bar line (codicons allowed). */
  readonly text: string;
  /** One fact per line, for the tooltip. */
  readonly details: readonly string[];
}

function compact(tokens: number): string {
  return tokens.toLocaleString('en-US');
}

function percent(part: number, whole: number): number {
  return Math.round((100 * part) / whole);
}

export function usageText(entry: LoggedExchange): UsageText {
  const prompt = entry.usage?.promptTokens ?? entry.promptIds.length;
  const cached = entry.usage?.cachedPromptTokens;
  const speed = entry.timings.tokensPerSecond;
  const context = entry.contextLength;
  const parts = [
    speed === undefined ? undefined : `${speed.toFixed(1)} tok/s`,
    context === undefined ? `${compact(prompt)} prompt` : `${compact(prompt)}/${compact(context)} (${percent(prompt, context)}%)`,
    cached === undefined || prompt === 0 ? undefined : `cache ${percent(cached, prompt)}%`,
  ].filter((p): p is string => p !== undefined);
  const details = [
    `${entry.model} at ${entry.server}${entry.endpoint ? ` (${entry.endpoint} endpoint)` : ''}`,
    speed === undefined ? 'tokens/s: not reported (no completion count from the server)' : `${speed.toFixed(1)} tokens/s after the first token${entry.timings.firstTokenMs === undefined ? '' : ` (first token after ${Math.round(entry.timings.firstTokenMs)} ms)`}`,
    context === undefined ? `prompt: ${prompt} tokens` : `prompt: ${prompt} of ${context} tokens of context (${percent(prompt, context)}% full)`,
    cached === undefined ? 'prefix cache: not reported by this server' : `prefix cache: ${cached} of ${prompt} prompt tokens reused (${prompt === 0 ? 0 : percent(cached, prompt)}%)`,
    ...(entry.usage?.completionTokens === undefined ? [] : [`completion: ${entry.usage.completionTokens} tokens, stop: ${entry.finishReason ?? '?'}`]),
    ...(entry.error ? [`error: ${entry.error}`] : []),
  ];
  const icon = entry.error ? '$(warning)' : '$(pulse)';
  return { text: `${icon} ${parts.join(' · ')}`, details };
}
