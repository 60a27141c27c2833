// A STAND-IN for Ollama (not Ollama): a loopback server that answers /api/version, /api/tags,
// /api/show, /api/ps, a raw /api/generate and /api/chat the way Ollama's documentation and its
// runner source describe, and truncates a prompt exactly as Ollama's runner does when the request's
// context is too small: with `num_ctx` missing it uses the server default, keeps the first
// num_keep (4) tokens and the last num_ctx − 4, and only says so in its log:
//   level=WARN source=runner.go msg="truncating input prompt" limit=… prompt=… keep=4 new=…
// (ollama/ollama runner/llamarunner/runner.go NewSequence). What the "model" received is kept,
// so a test can see whether the system message survived. Like Ollama it reuses the previous
// prompt's common prefix (when num_ctx did not change) and counts only the evaluated tokens.
// /api/chat renders the native messages to Harmony with our renderer (Ollama renders gpt-oss's
// Harmony prompt from them itself) and answers with `message.thinking`, `message.content` and
// whole `message.tool_calls`, as https://docs.ollama.com/api/chat describes. /v1/responses replays the
// stream built from Ollama's Responses converter (fixtures/servers/ollama-responses-toolcall.sse).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { renderChatRequest } from '../../src/harmony/chatRequest';
import { encodeWithMarkup } from '../../src/harmony/tokenizer';
import { loopback, type Recorded } from '../unit/servers/loopback';

const FIXTURES = join(__dirname, '../fixtures/servers');
const NUM_KEEP = 4;

export interface OllamaStandInOptions {
  /** The context a request gets without `options.num_ctx` (OLLAMA_CONTEXT_LENGTH). Default 4096. */
  readonly defaultNumCtx?: number;
  readonly model?: string;
  /** The model's maximum, as `/api/show` reports it. Default: the docs-built fixture's 131072. */
  readonly maxContext?: number;
  /** `parameters` in `/api/show` (e.g. `num_ctx 32768`). Default: the fixture's. */
  readonly parameters?: string;
  /** What the model answers (Harmony with literal markup, without the stop token, as raw mode streams it). */
  readonly answer?: string;
  readonly version?: string;
  /** What /api/chat answers. Default: a line of thinking and a short answer. */
  readonly chatReply?: { readonly thinking?: string; readonly content?: string; readonly toolCalls?: readonly { readonly name: string; readonly arguments: Record<string, unknown> }[] };
}

export interface OllamaStandIn {
  readonly url: string;
  readonly requests: Recorded[];
  /** Per /api/generate or /api/chat: the token ids the model was given after any truncation. */
  readonly received: number[][];
  /** Per /api/generate or /api/chat: the num_ctx it ran with. */
  readonly numCtx: number[];
  /** The server's log lines (the truncation warning among them). */
  readonly log: string[];
  close(): Promise<void>;
}

function showFixture(options: OllamaStandInOptions): Record<string, unknown> {
  const show = JSON.parse(readFileSync(join(FIXTURES, 'ollama-show-gpt-oss.json'), 'utf8')) as Record<string, unknown>;
  const info = { ...(show.model_info as Record<string, unknown>) };
  if (options.maxContext !== undefined) info['gptoss.context_length'] = options.maxContext;
  return { ...show, model_info: info, ...(options.parameters === undefined ? {} : { parameters: options.parameters }) };
}

function json(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

/** Ollama's runner: a prompt longer than num_ctx keeps its first num_keep tokens and its last num_ctx − num_keep. */
function truncate(ids: number[], numCtx: number, log: string[]): number[] {
  if (ids.length <= numCtx) return ids;
  const discard = ids.length - numCtx;
  const kept = [...ids.slice(0, NUM_KEEP), ...ids.slice(NUM_KEEP + discard)];
  log.push(`level=WARN source=runner.go msg="truncating input prompt" limit=${numCtx} prompt=${ids.length} keep=${NUM_KEEP} new=${kept.length}`);
  return kept;
}

/** /api/chat's native messages back in the chat-completions shape our renderer reads. */
function chatFromNative(body: Record<string, unknown>): Record<string, unknown> {
  const messages = (Array.isArray(body.messages) ? body.messages : []).map((raw: unknown) => {
    const m = raw as { role: string; content?: string; thinking?: string; tool_name?: string; tool_calls?: { function: { name: string; arguments: unknown } }[] };
    if (m.role === 'tool') return { role: 'tool', name: m.tool_name, content: m.content ?? '' };
    if (m.role !== 'assistant') return { role: m.role, content: m.content ?? '' };
    const calls = (m.tool_calls ?? []).map((c, i) => ({ id: `call_${i}`, type: 'function', function: { name: c.function.name, arguments: JSON.stringify(c.function.arguments) } }));
    return { role: 'assistant', content: m.content ?? '', ...(m.thinking ? { thinking: m.thinking } : {}), ...(calls.length > 0 ? { tool_calls: calls } : {}) };
  });
  return { messages, ...(Array.isArray(body.tools) ? { tools: body.tools } : {}), ...(typeof body.think === 'string' ? { reasoning_effort: body.think } : {}) };
}

export async function startOllamaStandIn(options: OllamaStandInOptions = {}): Promise<OllamaStandIn> {
  const model = options.model ?? 'gpt-oss:20b';
  const defaultNumCtx = options.defaultNumCtx ?? 4096;
  const answer = options.answer ?? '<|channel|>final<|message|>All of it arrived.';
  const received: number[][] = [];
  const numCtx: number[] = [];
  const log: string[] = [];
  let loaded: number | undefined;
  /** Runs a prompt: truncated to the context, the loaded sequence's common prefix reused; returns the tokens evaluated. */
  const run = (prompt: number[], body: Record<string, unknown>): number => {
    const ctx = (body.options as { num_ctx?: number } | undefined)?.num_ctx ?? defaultNumCtx;
    loaded = ctx;
    const ids = truncate(prompt, ctx, log);
    const previous = received.at(-1) ?? [];
    let common = 0;
    while (common < previous.length && common < ids.length - 1 && previous[common] === ids[common]) common++;
    const reused = numCtx.at(-1) === ctx ? common : 0;
    received.push(ids);
    numCtx.push(ctx);
    return ids.length - reused;
  };
  const server = await loopback((request, res) => {
    const body = request.body === '' ? {} : (JSON.parse(request.body) as Record<string, unknown>);
    switch (request.path) {
      case '/api/version':
        return json(res, { version: options.version ?? '0.12.6' });
      case '/api/tags':
        return json(res, { models: [{ name: model, model, details: { family: 'gptoss', parameter_size: '20.9B', quantization_level: 'MXFP4' } }] });
      case '/api/show':
        return json(res, showFixture(options));
      case '/api/ps':
        return json(res, { models: loaded === undefined ? [] : [{ name: model, model, context_length: loaded }] });
      case '/api/generate': {
        // Raw mode: Ollama tokenises the text with special-token parsing.
        const evaluated = run(encodeWithMarkup(String(body.prompt ?? '')), body);
        const completion = encodeWithMarkup(answer);
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        const at = new Date(0).toISOString();
        res.write(`${JSON.stringify({ model, created_at: at, response: answer, done: false })}\n`);
        res.end(`${JSON.stringify({ model, created_at: at, response: '', done: true, done_reason: 'stop', prompt_eval_count: evaluated, eval_count: completion.length + 1 })}\n`);
        return;
      }
      case '/api/chat': {
        const chat = chatFromNative(body);
        const evaluated = run([...renderChatRequest(chat).ids], body);
        const reply = options.chatReply ?? { thinking: 'The user wants a short answer.', content: 'All of it arrived.' };
        const at = new Date(0).toISOString();
        const line = (message: Record<string, unknown>, more: Record<string, unknown> = {}): string => `${JSON.stringify({ model, created_at: at, message: { role: 'assistant', content: '', ...message }, done: false, ...more })}\n`;
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        if (reply.thinking) res.write(line({ thinking: reply.thinking }));
        if (reply.content) res.write(line({ content: reply.content }));
        if (reply.toolCalls?.length) res.write(line({ tool_calls: reply.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } })) }));
        const generated = encodeWithMarkup(`${reply.thinking ?? ''}${reply.content ?? ''}${JSON.stringify(reply.toolCalls ?? [])}`).length;
        res.end(line({}, { done: true, done_reason: 'stop', prompt_eval_count: evaluated, eval_count: generated }));
        return;
      }
      case '/v1/responses':
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(readFileSync(join(FIXTURES, 'ollama-responses-toolcall.sse')));
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found');
    }
  });
  return { url: server.url, requests: server.requests, received, numCtx, log, close: () => server.close() };
}
