// `/v1/responses` (vLLM, Ollama, LM Studio and hosted gpt-oss): the chat request as Responses input
// items, with the earlier turns' reasoning sent back as reasoning items while a tool loop runs and
// dropped after a final answer (the renderer's own rule, harmony/turns.ts), so the chain of
// thought survives tool calls as Harmony intends. The stream is read by the openai SDK
// (`responses.create` with `stream: true`) over our own exchange (retries, watchdog, redirect policy,
// frame bound, classified errors), and its events are reduced to ChatChunks for the chat repair.
import type * as OpenAIClient from 'openai/client';
import { APIConnectionError, APIError, APIUserAbortError } from 'openai/core/error';
import type { ResponseCreateParamsStreaming } from 'openai/resources/responses/responses';
import { finishedTurnItems, isObject } from '../../harmony/index';
import { ServerError, cancelledError, protocolError, streamErrorFromPayload } from '../errors';
import { reasoningOf, textOf, toolCallsOf, turnRole } from './history';
import { wireText } from './markup';
import { openExchange, type Exchange, type HttpContext } from '../http/http';
import { samplingFields } from './sampling';
import { eventStreamBody } from '../http/sse';
import type { ChatChunk, ChatCompletionsRequest, ChunkSource, CompletionRequest, ServerKind } from '../types';

export const RESPONSES_PATH = '/v1/responses';

type Json = unknown;
type Item = Record<string, Json>;

/** A reasoning item as each server reads it back: Ollama from `encrypted_content` (its own output's shape), the others from `content`. */
function reasoningItem(kind: ServerKind, id: string, text: string): Item {
  if (kind === 'ollama') return { type: 'reasoning', id, summary: [{ type: 'summary_text', text }], encrypted_content: text };
  return { type: 'reasoning', id, summary: [], content: [{ type: 'reasoning_text', text }] };
}

/**
 * The chat messages as Responses input items, system and developer text as `instructions`.
 * Reasoning of a user turn that reached a final answer is left out (the renderer's rule).
 */
export function responsesInput(kind: ServerKind, messages: readonly Json[]): { input: Item[]; instructions: string } {
  const instructions: string[] = [];
  const input: Item[] = [];
  const callIds = new Set<string>();
  const finished = finishedTurnItems(messages, turnRole);
  let calls = 0;
  messages.forEach((m, index) => {
    if (!isObject(m)) return;
    switch (m.role) {
      case 'system':
      case 'developer': {
        const text = textOf(m.content);
        if (text !== '') instructions.push(text);
        break;
      }
      case 'user':
        input.push({ type: 'message', role: 'user', content: textOf(m.content) });
        break;
      case 'assistant': {
        const reasoning = reasoningOf(m);
        const content = textOf(m.content);
        if (reasoning !== '' && !finished.has(index)) input.push(reasoningItem(kind, `rs_${input.length}`, reasoning));
        if (content !== '') input.push({ type: 'message', role: 'assistant', content });
        for (const call of toolCallsOf(m)) {
          const callId = call.id ?? `call_${++calls}`;
          callIds.add(callId);
          input.push({ type: 'function_call', call_id: callId, name: call.name, arguments: call.arguments });
        }
        break;
      }
      case 'tool': {
        const id = typeof m.tool_call_id === 'string' ? m.tool_call_id : undefined;
        const output = textOf(m.content);
        if (id !== undefined && callIds.has(id)) input.push({ type: 'function_call_output', call_id: id, output });
        else {
          // No call it answers (servers look the call up by id): a user message keeps the information.
          const name = typeof m.name === 'string' && m.name !== '' ? ` ${m.name}` : '';
          input.push({ type: 'message', role: 'user', content: `Result of tool call${name}:\n${output}` });
        }
        break;
      }
    }
  });
  return { input, instructions: instructions.join('\n\n') };
}

/** Chat-completions tools → Responses function tools (flat, and not strict: agent tools' schemas rarely meet strict mode's rules). */
function responsesTools(tools: Json): Item[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool): Item[] => {
    if (!isObject(tool) || !isObject(tool.function) || typeof tool.function.name !== 'string') return [];
    const fn = tool.function;
    return [
      {
        type: 'function',
        name: fn.name,
        ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
        parameters: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
        strict: false,
      },
    ];
  });
}

function toolChoice(choice: Json): Json {
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') return { type: 'function', name: choice.function.name };
  return choice;
}

/** The Responses request for a chat request: input items, tools, `reasoning.effort`, the output budget. Not stored on the server: every request carries its history. */
export function responsesBody(kind: ServerKind, model: string | undefined, chat: ChatCompletionsRequest, request: CompletionRequest, extraBody: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { input, instructions } = wireText(kind, responsesInput(kind, Array.isArray(chat.messages) ? chat.messages : []));
  const tools = wireText(kind, responsesTools(chat.tools));
  const effort = request.reasoningEffort ?? (typeof chat.reasoning_effort === 'string' ? chat.reasoning_effort : undefined);
  const body: Record<string, unknown> = {
    ...(model === undefined ? {} : { model }),
    input,
    ...(instructions === '' ? {} : { instructions }),
    ...(tools.length === 0 ? {} : { tools, ...(chat.tool_choice === undefined ? {} : { tool_choice: toolChoice(chat.tool_choice) }) }),
    ...(effort === undefined ? {} : { reasoning: { effort } }),
    ...samplingFields(request, 'responses'),
    store: false,
    stream: true,
  };
  return { ...body, ...extraBody, input: body.input, stream: true };
}

// ── the stream ──────────────────────────────────────────────────────────────────────────

interface ItemState {
  type: string;
  /** Deltas arrived for it: its `done` events repeat them and add nothing. */
  streamed: boolean;
  /** Reasoning: which stream carried it (a server may send both the text and a summary of it). */
  via?: 'text' | 'summary';
  summaryIndex?: number;
}

function texts(parts: Json, type: string): string {
  if (!Array.isArray(parts)) return '';
  return parts.map((p) => (isObject(p) && (p.type === undefined || p.type === type) && typeof p.text === 'string' ? p.text : '')).join('');
}

function count(value: Json): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function usageOf(response: Json): ChatChunk[] {
  const usage = isObject(response) && isObject(response.usage) ? response.usage : undefined;
  if (usage === undefined) return [];
  const cached = isObject(usage.input_tokens_details) ? count(usage.input_tokens_details.cached_tokens) : undefined;
  return [{ type: 'usage', promptTokens: count(usage.input_tokens), completionTokens: count(usage.output_tokens), ...(cached === undefined ? {} : { cachedPromptTokens: cached }) }];
}

/**
 * A mapper of Responses stream events to ChatChunks, one per stream (it keeps which item each
 * event belongs to). `fault` turns an error the stream reports into the error to throw.
 */
export function responsesEvents(fault: (payload: Json) => Error): (event: unknown) => ChatChunk[] {
  const items = new Map<number, ItemState>();
  const state = (index: number, type: string): ItemState => {
    let s = items.get(index);
    if (s === undefined) {
      s = { type, streamed: false };
      items.set(index, s);
    }
    return s;
  };
  return (raw) => {
    if (!isObject(raw)) return [];
    const index = count(raw.output_index) ?? 0;
    const delta = typeof raw.delta === 'string' ? raw.delta : '';
    switch (raw.type) {
      case 'response.output_item.added': {
        const item = isObject(raw.item) ? raw.item : {};
        const s = state(index, String(item.type));
        if (item.type !== 'function_call') return [];
        const args = typeof item.arguments === 'string' && item.arguments !== '' ? item.arguments : undefined;
        if (args !== undefined) s.streamed = true;
        return [{ type: 'toolCall', index, ...(typeof item.call_id === 'string' ? { id: item.call_id } : {}), ...(typeof item.name === 'string' ? { name: item.name } : {}), ...(args === undefined ? {} : { arguments: args }) }];
      }
      case 'response.reasoning_text.delta':
      case 'response.reasoning_summary_text.delta': {
        const s = state(index, 'reasoning');
        const via = raw.type === 'response.reasoning_text.delta' ? 'text' : 'summary';
        s.via ??= via;
        if (s.via !== via || delta === '') return [];
        // Summary parts are paragraphs of their own.
        const part = count(raw.summary_index);
        const gap = via === 'summary' && s.summaryIndex !== undefined && part !== undefined && part !== s.summaryIndex ? '\n\n' : '';
        if (part !== undefined) s.summaryIndex = part;
        s.streamed = true;
        return [{ type: 'reasoning', text: gap + delta }];
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        if (delta === '') return [];
        state(index, 'message').streamed = true;
        return [{ type: 'content', text: delta }];
      case 'response.function_call_arguments.delta':
        if (delta === '') return [];
        state(index, 'function_call').streamed = true;
        return [{ type: 'toolCall', index, arguments: delta }];
      case 'response.function_call_arguments.done': {
        const s = state(index, 'function_call');
        const whole: ChatChunk[] = !s.streamed && typeof raw.arguments === 'string' && raw.arguments !== '' ? [{ type: 'toolCall', index, arguments: raw.arguments }] : [];
        s.streamed = true;
        return [...whole, { type: 'toolCallDone', index }];
      }
      case 'response.output_item.done':
        return itemDone(index, isObject(raw.item) ? raw.item : {}, items.get(index));
      case 'response.completed':
        return [...usageOf(raw.response), { type: 'finish', reason: 'stop', raw: 'completed' }];
      case 'response.incomplete': {
        const response = isObject(raw.response) ? raw.response : {};
        const reason = isObject(response.incomplete_details) ? response.incomplete_details.reason : undefined;
        // Out of output budget is a finish like any server's `length`; anything else stopped the answer.
        if (reason === 'max_output_tokens') return [...usageOf(response), { type: 'finish', reason: 'length', raw: 'incomplete: max_output_tokens' }];
        throw fault({ message: `the response ended incomplete (${typeof reason === 'string' ? reason : 'no reason given'})` });
      }
      case 'response.failed': {
        const response = isObject(raw.response) ? raw.response : {};
        throw fault(isObject(response.error) ? withCode(response.error) : { message: 'the response failed (no error given)' });
      }
      case 'error':
        throw fault(withCode(raw));
      default:
        return [];
    }
  };
}

/** Whatever an item's `done` adds that no delta streamed: a whole reasoning, answer or call. */
function itemDone(index: number, item: Item, seen: ItemState | undefined): ChatChunk[] {
  if (seen?.streamed === true && item.type !== 'function_call') return [];
  switch (item.type) {
    case 'reasoning': {
      const text = texts(item.content, 'reasoning_text') || texts(item.summary, 'summary_text');
      return text === '' ? [] : [{ type: 'reasoning', text }];
    }
    case 'message': {
      const text = texts(item.content, 'output_text') || texts(item.content, 'refusal');
      return text === '' ? [] : [{ type: 'content', text }];
    }
    case 'function_call': {
      const args = typeof item.arguments === 'string' && item.arguments !== '' && seen?.streamed !== true ? item.arguments : undefined;
      const opened = seen !== undefined;
      const head = opened ? {} : { ...(typeof item.call_id === 'string' ? { id: item.call_id } : {}), ...(typeof item.name === 'string' ? { name: item.name } : {}) };
      const piece: ChatChunk[] = !opened || args !== undefined ? [{ type: 'toolCall', index, ...head, ...(args === undefined ? {} : { arguments: args }) }] : [];
      return [...piece, { type: 'toolCallDone', index }];
    }
    default:
      return [];
  }
}

/** An error object of the Responses stream (`code` is a string there) as the payload our classifier reads. */
function withCode(error: Item): Item {
  const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
  return { message: typeof error.code === 'string' && error.code !== '' ? `${error.code}: ${message}` : message };
}

/** The SDK's own log lines (a malformed event, for one) go to our log at debug level, redacted. */
function sdkLogger(http: HttpContext): NonNullable<OpenAIClient.ClientOptions['logger']> {
  const line = (message: string, ...rest: unknown[]): void => http.logger.debug(`[responses] ${[message, ...rest.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)))].join(' ').slice(0, 500)}`);
  return { error: line, warn: line, info: line, debug: line };
}

let clientModule: typeof OpenAIClient | undefined;
/** The SDK's client (every resource of the API) takes about 0.3 s to load: only the first Responses request pays it. */
function openaiClient(): typeof OpenAIClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (clientModule ??= require('openai/client') as typeof OpenAIClient);
}

/** The longest timer Node accepts: the SDK's own timeout never fires; our idle timeout and deadline rule. */
const NO_SDK_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * POSTs the Responses request through the SDK and returns its events as a ChunkSource once the
 * server has answered 2xx. The SDK never sees the key (our exchange sends it) nor retries.
 */
export async function openResponses(
  http: HttpContext,
  body: Record<string, unknown>,
  signal: AbortSignal | undefined,
  assumedKind: string,
): Promise<{ source: ChunkSource<ChatChunk>; exchange: Exchange }> {
  let exchange: Exchange | undefined;
  // What our exchange threw, classified: the SDK wraps it (as a timeout when its text says "timed out").
  let refused: unknown;
  const client = new (openaiClient().OpenAI)({
    // Never sent: the fetch below builds its own headers from the configured key.
    apiKey: 'unused',
    baseURL: `${http.root}/v1`,
    maxRetries: 0,
    timeout: NO_SDK_TIMEOUT_MS,
    logger: sdkLogger(http),
    logLevel: 'error',
    fetch: async (url, init) => {
      const path = String(url).startsWith(http.root) ? String(url).slice(http.root.length) : RESPONSES_PATH;
      // Not the SDK's signal: it aborts as it throws (a bad event), which must not read as a cancel.
      // The caller's signal and our close() end the exchange.
      const opened = await openExchange(http, { method: 'POST', path, body: init?.body, signal, assumedKind }).catch((error: unknown) => {
        refused = error;
        throw error;
      });
      exchange = opened;
      try {
        return new Response(eventStreamBody(opened), { status: opened.response.status, headers: opened.response.headers });
      } catch (error) {
        opened.close();
        throw error;
      }
    },
  });
  let stream: AsyncIterable<unknown>;
  try {
    stream = await client.responses.create(body as unknown as ResponseCreateParamsStreaming);
  } catch (error) {
    exchange?.close();
    throw refused instanceof ServerError ? refused : unwrap(error, http, signal);
  }
  const current = exchange;
  if (current === undefined) throw new Error('unreachable: the SDK answered without fetching');
  const map = responsesEvents((payload) => streamErrorFromPayload(current.ctx, current.progress, payload));
  return {
    exchange: current,
    source: {
      items: stream,
      map: (item) => {
        current.progress.chunks++;
        return map(item);
      },
      failure: (error) => {
        if (error instanceof ServerError) return error;
        const aborted = current.abortError();
        if (aborted) return aborted;
        const cause = error instanceof APIConnectionError && error.cause instanceof ServerError ? error.cause : undefined;
        if (cause) return cause;
        if (error instanceof SyntaxError) return protocolError(current.ctx, `a data line that is not JSON (${error.message})`, error);
        // The SDK throws an event's `{"error": …}` payload as an APIError.
        if (error instanceof APIError && error.status === undefined && !(error instanceof APIConnectionError)) {
          return streamErrorFromPayload(current.ctx, current.progress, isObject(error.error) ? withCode(error.error as Item) : { message: error.message });
        }
        return current.failure(error);
      },
      ended: () => {
        // The SDK ends quietly when the body is aborted (our watchdog, the caller): say why.
        const aborted = current.abortError();
        if (aborted) throw aborted;
      },
      close: () => current.close(),
    },
  };
}

/** What `create` threw, as the ServerError our exchange classified (the SDK wraps it). */
function unwrap(error: unknown, http: HttpContext, signal: AbortSignal | undefined): unknown {
  if (error instanceof ServerError) return error;
  if (error instanceof APIConnectionError && error.cause instanceof ServerError) return error.cause;
  if (error instanceof APIUserAbortError || signal?.aborted) return cancelledError({ url: http.display, endpoint: `POST ${RESPONSES_PATH}` });
  return error;
}
