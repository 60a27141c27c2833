// Hosted gpt-oss providers on chat completions, one row each: the delta field their stream
// carries reasoning in, the assistant-message field that takes earlier reasoning back (so the
// chain of thought stays through a tool loop, as Harmony intends), where reasoning effort goes,
// and the host of their base URL (for detection without probing). Each row cites the
// provider's own documentation; where it documents nothing, the row says so and sends nothing.

import { withScheme } from '../http/urls';

export type HostedKind = 'openrouter' | 'groq' | 'cerebras' | 'together' | 'fireworks';
export const HOSTED_KINDS: readonly HostedKind[] = ['openrouter', 'groq', 'cerebras', 'together', 'fireworks'];

/** How an assistant message carries earlier reasoning back: a string field, or OpenRouter's array of detail objects. */
export type ReasoningSendBack = 'reasoning' | 'reasoning_content' | 'reasoning_details';

export interface HostedProvider {
  readonly name: string;
  /** The base URL users configure. */
  readonly baseUrl: string;
  /** Matches the host of that URL (and only the provider's own). */
  readonly host: RegExp | undefined;
  /** Delta fields the stream carries reasoning in, as documented. */
  readonly streams: readonly string[];
  /** Assistant-message field for earlier reasoning; undefined: none documented (nothing is sent). */
  readonly sendBack: ReasoningSendBack | undefined;
  /** The request fields that set the reasoning effort. */
  readonly effort: (effort: string) => Record<string, unknown>;
  readonly docs: readonly string[];
  /** Where the documentation leaves something open, what we do and why. */
  readonly note?: string;
}

const topLevelEffort = (effort: string): Record<string, unknown> => ({ reasoning_effort: effort });

export const HOSTED_PROVIDERS: Readonly<Record<HostedKind, HostedProvider>> = {
  openrouter: {
    name: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    host: /^openrouter\.ai$/,
    // `delta.reasoning` text, and the same text as `reasoning_details` items.
    streams: ['reasoning', 'reasoning_details'],
    // "Preserving reasoning blocks": pass `reasoning_details` back unmodified on the assistant message.
    sendBack: 'reasoning_details',
    effort: (effort) => ({ reasoning: { effort } }),
    docs: ['https://openrouter.ai/docs/use-cases/reasoning-tokens'],
  },
  groq: {
    name: 'Groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    host: /^api\.groq\.com$/,
    // gpt-oss: reasoning in `message.reasoning` / `delta.reasoning` (include_reasoning defaults to true).
    streams: ['reasoning'],
    sendBack: 'reasoning',
    effort: topLevelEffort,
    docs: ['https://console.groq.com/docs/reasoning'],
    note:
      "Groq's reasoning guide says nothing about sending reasoning back. Its API rejects unknown assistant fields with a 400 (e.g. reasoning_content), but takes `reasoning` for reasoning models: it refuses it only for models without reasoning (vercel/ai#8057, the AI SDK's Groq provider sends it for gpt-oss). Should it refuse it after all, the client resends without it (client.ts openChat).",
  },
  cerebras: {
    name: 'Cerebras',
    baseUrl: 'https://api.cerebras.ai/v1',
    host: /^api\.cerebras\.ai$/,
    streams: ['reasoning'],
    sendBack: undefined,
    effort: topLevelEffort,
    docs: ['https://inference-docs.cerebras.ai/capabilities/reasoning', 'https://inference-docs.cerebras.ai/api-reference/chat-completions'],
    note:
      "Cerebras documents no reasoning field on assistant messages (it rejects reasoning_content with a 400); its guide says to put earlier reasoning into the assistant's `content`, where gpt-oss would read it as its answer, not its analysis. So nothing is sent back.",
  },
  together: {
    name: 'Together AI',
    baseUrl: 'https://api.together.xyz/v1',
    host: /^api\.together\.(xyz|ai)$/,
    streams: ['reasoning'],
    sendBack: undefined,
    effort: topLevelEffort,
    docs: ['https://docs.together.ai/docs/gpt-oss'],
    note: 'Together documents the streamed `reasoning` field and reasoning_effort, nothing about sending reasoning back; nothing is sent.',
  },
  fireworks: {
    name: 'Fireworks AI',
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    host: /^api\.fireworks\.ai$/,
    streams: ['reasoning_content'],
    // "Interleaved thinking": include reasoning_content of earlier assistant turns in later requests.
    sendBack: 'reasoning_content',
    effort: topLevelEffort,
    docs: ['https://docs.fireworks.ai/guides/reasoning'],
  },
};

/** Any other OpenAI-compatible endpoint (Azure- or Bedrock-style gateways, proxies): the common fields, nothing sent back. */
export const GENERIC_GATEWAY: HostedProvider = {
  name: 'an OpenAI-compatible gateway',
  baseUrl: '',
  host: undefined,
  streams: ['reasoning', 'reasoning_content'],
  sendBack: undefined,
  effort: topLevelEffort,
  docs: [],
  note: 'No documentation to follow: reasoning is read from either common field, none is sent back (a strict gateway would refuse an unknown field).',
};

export function isHostedKind(kind: string): kind is HostedKind {
  return (HOSTED_KINDS as readonly string[]).includes(kind);
}

/** The hosted provider whose base URL this is, from its host alone (no request). */
export function hostedKindOfUrl(url: string): HostedKind | undefined {
  let host: string;
  try {
    host = new URL(withScheme(url.trim(), 'https')).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  return HOSTED_KINDS.find((kind) => HOSTED_PROVIDERS[kind].host?.test(host) === true);
}
