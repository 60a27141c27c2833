// The transports' plain data: configuration, requests, the chunks each wire format
// is reduced to, and the events `complete` yields.
import type { ParserEvent } from '../harmony/parserTypes';
import type { ReasoningEffort } from '../harmony/types';
import { HOSTED_KINDS, type HostedKind } from './routes/providers';
import type { Network } from './http/network';

/** Self-hosted servers, a generic OpenAI-compatible endpoint (`openai`), and the hosted providers of providers.ts. */
export type ServerKind = 'vllm' | 'sglang' | 'llamacpp' | 'ollama' | 'lmstudio' | 'openai' | HostedKind;
export const SERVER_KINDS: readonly ServerKind[] = ['vllm', 'sglang', 'llamacpp', 'ollama', 'lmstudio', 'openai', ...HOSTED_KINDS];

/**
 * Raw completion (our renderer decides every token), the server's Responses API (`/v1/responses`,
 * reasoning items sent back through a tool loop) or its chat endpoint.
 */
export type EndpointChoice = 'raw' | 'responses' | 'chat';
export const ENDPOINT_CHOICES: readonly EndpointChoice[] = ['raw', 'responses', 'chat'];

/** Where log lines go; the adapter plugs its output channel in, the CLI stderr. Never given a key. */
export interface ServerLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: ServerLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface ServerConfig {
  /** Base URL, e.g. `http://127.0.0.1:8080`; a trailing `/v1` is accepted. */
  readonly url: string;
  /** Sent only as `Authorization: Bearer …`. */
  readonly apiKey?: string | undefined;
  /** Default `auto`: detected from what the URL answers. */
  readonly kind?: ServerKind | 'auto' | undefined;
  /** Default `auto`: raw where the server has a token-exact endpoint, else responses where it answers, else chat. */
  readonly endpoint?: EndpointChoice | 'auto' | undefined;
  /** Default: the first model the server lists. */
  readonly model?: string | undefined;
  /** Longest silence (no bytes) before a request is stopped, also while waiting for headers. Default 120 s. */
  readonly idleTimeoutMs?: number | undefined;
  /**
   * Longest a request may take in all, from sending to the end of the stream, however busy the
   * server is (the idle timeout measures silence, so a server dripping a byte or a ping never
   * trips it). Default: none.
   */
  readonly deadlineMs?: number | undefined;
  /** Retries for 429 and 503 before giving up. Default 2. */
  readonly maxRetries?: number | undefined;
  /** Longest `retry-after` we honour by waiting; a longer one fails at once with the server's figure. Default 30 s. */
  readonly maxRetryWaitMs?: number | undefined;
  /**
   * Sent with every request, after ours (gateways: LiteLLM, Cloudflare Access, reverse proxies).
   * Content-Type, Accept and the like are ours: callers validate names (settings.ts does).
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Values never to print, besides the key: header values taken from secret storage. */
  readonly secrets?: readonly string[] | undefined;
  /** Merged into every completion body (the user's `gptOss.extraBody`). */
  readonly extraBody?: Readonly<Record<string, unknown>> | undefined;
  readonly logger?: ServerLogger | undefined;
  /** Injected for tests and for hosts with their own fetch. Default: the network's, else globalThis.fetch. */
  readonly fetch?: typeof fetch | undefined;
  /** Proxy and certificates (createNetwork); undefined: globalThis.fetch as the host set it up. */
  readonly network?: Network | undefined;
  /** Injected for tests, so that retry waits are recorded instead of slept. */
  readonly sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
}

/** A rendered Harmony prompt, ending with `<|start|>assistant`. */
export interface HarmonyPrompt {
  readonly ids: readonly number[];
  /** `promptText(ids)` (markup in message text broken); computed when absent. Sent to servers that only take text. */
  readonly text?: string | undefined;
}

/** The OpenAI chat-completions request shape (messages, tools, …), as the renderer consumes it. */
export type ChatCompletionsRequest = Readonly<Record<string, unknown>>;

export interface CompletionRequest {
  /** Raw path: the prompt. Rendered from `chat` when absent. */
  readonly prompt?: HarmonyPrompt | undefined;
  /** Chat and responses paths: the request to forward (after repair). Also the source of `prompt` when that is absent. */
  readonly chat?: ChatCompletionsRequest | undefined;
  readonly maxTokens?: number | undefined;
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly topK?: number | undefined;
  readonly minP?: number | undefined;
  /** Chat and responses paths: sent in the field the server reads. The raw path has it in the rendered system message. */
  readonly reasoningEffort?: ReasoningEffort | undefined;
  /** Per request, over the configured one. */
  readonly extraBody?: Readonly<Record<string, unknown>> | undefined;
  /** Overrides the configured endpoint choice for this request. */
  readonly endpoint?: EndpointChoice | undefined;
}

export type FinishReason = 'stop' | 'length' | 'toolCalls' | 'other';

/** Time the server says it spent on a request before generating, where it says so. */
export interface ServerTimings {
  /** Evaluating the prompt: llama.cpp `timings.prompt_ms`, Ollama `prompt_eval_duration`. */
  readonly promptMs?: number | undefined;
  /** Loading the model first: Ollama `load_duration`. */
  readonly loadMs?: number | undefined;
}

/** Token counts (and, where the server says, its prompt time), as a server reports them at the end of a stream. */
export interface UsageChunk extends ServerTimings {
  readonly type: 'usage';
  readonly promptTokens?: number | undefined;
  readonly completionTokens?: number | undefined;
  /** Prompt tokens the server took from its prefix cache (llama.cpp `timings.cache_n`, vLLM, SGLang and Responses `cached_tokens`). */
  readonly cachedPromptTokens?: number | undefined;
}

/** What one streamed piece of a raw completion carries, whatever the wire format. */
export type RawChunk =
  /** The model's exact tokens (vLLM `token_ids`, SGLang `output_ids`, llama.cpp `tokens`). */
  | { readonly type: 'ids'; readonly ids: readonly number[] }
  /** Text only (Ollama, LM Studio, llama.cpp /v1/completions); markup appears as literal `<|…|>`. */
  | { readonly type: 'text'; readonly text: string }
  | UsageChunk
  /** The server's end marker: without it, a closed stream is a cut connection. */
  | { readonly type: 'finish'; readonly reason: FinishReason; readonly raw?: string | undefined; readonly stopToken?: number | undefined };

/** One streamed piece of a chat completion (or a Responses stream), with each server's field names already unified. */
export type ChatChunk =
  | { readonly type: 'reasoning'; readonly text: string }
  | { readonly type: 'content'; readonly text: string }
  /** Incremental (vLLM, llama.cpp) or whole (Ollama) tool call; later pieces carry only `arguments`. */
  | {
      readonly type: 'toolCall';
      readonly index: number;
      readonly id?: string | undefined;
      readonly name?: string | undefined;
      readonly arguments?: string | undefined;
    }
  /** The server says the call at `index` is whole (Responses `function_call_arguments.done`): its message ends now. */
  | { readonly type: 'toolCallDone'; readonly index: number }
  | UsageChunk
  | { readonly type: 'finish'; readonly reason: FinishReason; readonly raw?: string | undefined };

/**
 * A decoded stream (SSE or NDJSON items) and how each item maps to chunks. Kept as two
 * parts so that the mapping runs inside the consumer's loop, not as one more async layer.
 */
export interface ChunkSource<C> {
  readonly items: AsyncIterable<unknown>;
  readonly map: (item: unknown) => readonly C[];
  /** What iterating `items` threw, classified (a ServerError passes through). */
  readonly failure: (error: unknown) => unknown;
  /** Called when `items` ended without an error; throws if the end was an abort. */
  readonly ended: () => void;
  /** Releases the connection, however the consumer stopped (end, error, break). */
  readonly close?: () => void;
}

/** What `complete` yields: parser events (also for the chat path), usage, and one `done`. */
export type StreamEvent =
  | ParserEvent
  | UsageChunk
  | {
      readonly type: 'done';
      readonly finishReason: FinishReason;
      readonly endpoint: EndpointChoice;
      /**
       * Raw path: the completion as the model wrote it, to reuse its exact tokens next turn
       * (`ids` where the server returned them, else re-tokenise `text`, which has literal markup).
       */
      readonly completion?: { readonly ids?: readonly number[] | undefined; readonly text: string } | undefined;
    };

export interface ModelInfo {
  readonly id: string;
  /** Tokens, as the server reports it (vLLM max_model_len, llama.cpp n_ctx, Ollama num_ctx or the model's own). */
  readonly contextLength?: number | undefined;
  /** Where the figure came from, for logs and the model picker's detail line. */
  readonly contextSource?: string | undefined;
}
