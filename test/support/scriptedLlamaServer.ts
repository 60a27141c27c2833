// A stand-in for llama-server in tests that need a model to say chosen things: it speaks
// llama.cpp's wire format (/props, /v1/models, /health, /completion streaming one token id
// per SSE event) and answers each /completion with the next scripted Harmony completion.
// It records every prompt it receives, so tests can check them token for token.
// Real llama-server tests live in test/live; this is for what a random model cannot do.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode, encodeWithMarkup } from '../../src/harmony/tokenizer';
import { ASSISTANT_STOP_TOKENS } from '../../src/harmony/tokens';

export interface ScriptedReply {
  /** The completion as Harmony text after `<|start|>assistant`, ending with `<|call|>` or `<|return|>`. */
  readonly harmony: string;
  /** Cut the connection after this many tokens (a server dying mid-stream). */
  readonly cutAfter?: number;
  /** Delay between tokens, so a test can cancel mid-stream. */
  readonly tokenDelayMs?: number;
  /** Answer with this HTTP error instead of a stream (`harmony` is then unused). */
  readonly httpError?: { readonly status: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> };
}

export interface RecordedRequest {
  readonly body: Record<string, unknown>;
  readonly prompt: number[];
  readonly headers: IncomingMessage['headers'];
}

export interface ScriptedLlamaServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Completions still to be served, in order. */
  readonly script: ScriptedReply[];
  /** Used when the script is empty (utility requests): a short final answer. */
  fallback: ScriptedReply;
  /**
   * Chooses the reply from the request itself, before the script is consulted (undefined: the
   * script, then the fallback). For callers whose requests arrive in no fixed order, e.g. agent
   * mode, whose utility requests interleave with the tool loop.
   */
  respond: ((request: RecordedRequest) => ScriptedReply | undefined) | undefined;
  /** Connections that were closed by the client before the reply ended. */
  readonly aborted: number[];
  close(): Promise<void>;
}

export const MODEL_ID = 'gpt-oss-20b-scripted';

function json(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `port` 0: one the OS picks; a chosen one lets a test start a server where one was expected to be down. */
export async function startScriptedLlamaServer(contextLength = 32768, port = 0): Promise<ScriptedLlamaServer> {
  const requests: RecordedRequest[] = [];
  const script: ScriptedReply[] = [];
  const aborted: number[] = [];
  /**
   * What each of llama-server's slots holds after a request (its prompt and the tokens it
   * generated); a request goes to the slot whose tokens share the longest prefix with its prompt,
   * else the least recently used one, as llama-server (4 slots by default) picks them.
   */
  const slots: { tokens: readonly number[]; used: number }[] = Array.from({ length: 4 }, () => ({ tokens: [], used: 0 }));
  const state = {
    fallback: { harmony: '<|channel|>final<|message|>Done.<|return|>' } as ScriptedReply,
    respond: undefined as ScriptedLlamaServer['respond'],
  };

  async function completion(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const prompt = Array.isArray(body.prompt) ? (body.prompt as number[]) : encodeWithMarkup(String(body.prompt ?? ''));
    const recorded: RecordedRequest = { body, prompt, headers: req.headers };
    requests.push(recorded);
    const index = requests.length - 1;
    const reply = state.respond?.(recorded) ?? script.shift() ?? state.fallback;
    if (reply.httpError) {
      res.writeHead(reply.httpError.status, { 'content-type': 'application/json', ...reply.httpError.headers });
      res.end(JSON.stringify(reply.httpError.body));
      return;
    }
    const ids = encodeWithMarkup(reply.harmony);
    // llama.cpp ends generation at an end-of-generation token and does not stream it.
    const streamed = ASSISTANT_STOP_TOKENS.includes(ids[ids.length - 1]!) ? ids.slice(0, -1) : ids;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let closed = false;
    res.on('close', () => {
      if (!res.writableEnded) {
        closed = true;
        aborted.push(index);
      }
    });
    for (let i = 0; i < streamed.length; i++) {
      if (closed) return;
      if (reply.cutAfter !== undefined && i === reply.cutAfter) {
        // Let what was written reach the client, then die without the final event.
        await sleep(100);
        res.socket?.destroy();
        return;
      }
      const id = streamed[i]!;
      await new Promise<void>((resolve) => res.write(`data: ${JSON.stringify({ index: 0, content: decode([id]), tokens: [id], stop: false, id_slot: 0 })}\n\n`, () => resolve()));
      if (reply.tokenDelayMs) await sleep(reply.tokenDelayMs);
    }
    const stopType = streamed.length < ids.length ? 'eos' : 'limit';
    // Prefix-cache reuse as llama.cpp reports it (timings.cache_n): the prompt's common prefix with
    // the slot, less the last token when all of it matched (it is evaluated again to sample from).
    const shared = (tokens: readonly number[]): number => {
      let n = 0;
      while (n < prompt.length && n < tokens.length && prompt[n] === tokens[n]) n++;
      return n;
    };
    const slot = slots.reduce((best, s) => (shared(s.tokens) > shared(best.tokens) || (shared(s.tokens) === shared(best.tokens) && s.used < best.used) ? s : best));
    const common = shared(slot.tokens);
    const cacheN = common === prompt.length ? Math.max(0, common - 1) : common;
    slot.tokens = [...prompt, ...streamed];
    slot.used = index + 1;
    const timings = { cache_n: cacheN, prompt_n: prompt.length - cacheN, predicted_n: streamed.length };
    res.end(
      `data: ${JSON.stringify({ index: 0, content: '', tokens: [], stop: true, stop_type: stopType, tokens_evaluated: prompt.length, tokens_predicted: streamed.length, model: MODEL_ID, timings })}\n\n`,
    );
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') return json(res, { status: 'ok' });
    if (req.method === 'GET' && path === '/props') {
      return json(res, { default_generation_settings: { n_ctx: contextLength }, total_slots: 1, model_path: `/models/${MODEL_ID}.gguf` });
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return json(res, { object: 'list', data: [{ id: MODEL_ID, object: 'model', owned_by: 'llamacpp', meta: { n_ctx_train: 131072 } }] });
    }
    if (req.method === 'POST' && path === '/completion') {
      completion(req, res).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 404, message: 'File Not Found', type: 'not_found_error' } }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    requests,
    script,
    aborted,
    get fallback() {
      return state.fallback;
    },
    set fallback(reply: ScriptedReply) {
      state.fallback = reply;
    },
    get respond() {
      return state.respond;
    },
    set respond(choose: ScriptedLlamaServer['respond']) {
      state.respond = choose;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
