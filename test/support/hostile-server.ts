// A hostile or broken server, ours, for tests: listens on 127.0.0.1 only, plays one mode per
// server, and every mode is bounded (at most `maxBytes` written and `maxMs` spent per request,
// and the server closes itself after `lifetimeMs` even if a test forgets it). It records, per
// request, the headers it got and how many bytes it had written when the client hung up, so
// a test can check that the client stopped early (bounded memory) and never sent the key on.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

export type HostileMode =
  /** SSE: one reasoning event, then a data line that never ends (bytes until the client hangs up). */
  | 'sse-endless-line'
  /** SSE: one reasoning event, one honest content event of `lineBytes` (below any bound), then the finish. */
  | 'sse-long-line'
  /** SSE: one reasoning event, then a comment ping every 20 ms, never finishing. */
  | 'sse-drip'
  /** NDJSON (Ollama /api/generate): one object, then a line that never ends. */
  | 'ndjson-endless-line'
  /** NDJSON: one object, then a line that is not JSON, echoing the Authorization header, padded to `lineBytes`. */
  | 'ndjson-garbage-echo'
  /** 200 with an HTML page (a proxy's login portal). */
  | 'html-200'
  /** 200 with a whole JSON answer, as a server that ignores `stream` sends. */
  | 'json-200'
  /** 200 event stream, content-encoding gzip, whose bytes stop being gzip after a good start. */
  | 'broken-gzip'
  /** 302 to the same path on another port of this machine (a second listener that records what reaches it). */
  | 'redirect-other-port'
  /** 500 whose JSON error echoes the Authorization header. */
  | 'echo-key-500';

export interface HostileOptions {
  /** Most bytes one response writes (default 64 MiB). */
  readonly maxBytes?: number;
  /** Longest one response runs (default 15 s). */
  readonly maxMs?: number;
  /** The server closes itself after this long (default 60 s). */
  readonly lifetimeMs?: number;
  /** Size of the long line of `sse-long-line` and `ndjson-garbage-echo` (default 4 MiB). */
  readonly lineBytes?: number;
}

export interface HostileRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  /** Bytes of body written when the response ended or the client hung up. */
  bytesWritten: number;
  /** Resolves when the response is over (ended by the mode, or the client hung up). */
  readonly over: Promise<void>;
  /** True if the client hung up (or a write failed) before the mode was done. */
  clientHungUp: boolean;
}

export interface HostileServer {
  readonly url: string;
  /** Requests to the paths the mode serves (others get a 404 and are not recorded). */
  readonly requests: HostileRequest[];
  /** `redirect-other-port`: what reached the other port (it must be nothing). */
  readonly redirectTargetRequests: HostileRequest[];
  close(): Promise<void>;
}

/** The text the first event of every streaming mode carries: what the client must keep. */
export const PARTIAL_REASONING = 'Thinking about it.';

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
const NDJSON_HEADERS = { 'content-type': 'application/x-ndjson' };
const MiB = 1024 * 1024;

const firstSseEvent = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { reasoning_content: PARTIAL_REASONING } }] })}\n\n`;
const firstNdjsonLine = `${JSON.stringify({ model: 'm', response: `<|channel|>analysis<|message|>${PARTIAL_REASONING}`, done: false })}\n`;

interface Writer {
  /** Writes unless a bound is reached or the client is gone; false then. */
  write(bytes: string | Uint8Array): Promise<boolean>;
  readonly live: () => boolean;
}

function writer(res: ServerResponse, record: HostileRequest, maxBytes: number, endAt: number): Writer {
  const gone = (): boolean => {
    if (res.destroyed) record.clientHungUp = true;
    return record.clientHungUp;
  };
  const live = (): boolean => !gone() && !res.writableEnded && record.bytesWritten < maxBytes && Date.now() < endAt;
  return {
    live,
    write: (bytes) =>
      new Promise((resolve) => {
        if (!live()) return resolve(false);
        const length = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
        res.write(bytes, (error) => {
          if (error) record.clientHungUp = true;
          else record.bytesWritten += length;
          resolve(live());
        });
      }),
  };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function endlessLine(w: Writer, head: string, prefix: string): Promise<void> {
  if (!(await w.write(head)) || !(await w.write(prefix))) return;
  const block = Buffer.alloc(64 * 1024, 'x');
  while (await w.write(block));
}

function paddedTo(text: string, bytes: number): string {
  return text + 'x'.repeat(Math.max(0, bytes - text.length));
}

async function play(mode: HostileMode, req: IncomingMessage, res: ServerResponse, w: Writer, options: Required<HostileOptions>, otherPort: number): Promise<void> {
  const lineBytes = options.lineBytes;
  switch (mode) {
    case 'sse-endless-line':
      res.writeHead(200, SSE_HEADERS);
      return endlessLine(w, firstSseEvent, 'data: {"choices":[{"index":0,"delta":{"content":"');
    case 'sse-long-line': {
      res.writeHead(200, SSE_HEADERS);
      const content = 'y'.repeat(lineBytes);
      const events = [
        firstSseEvent,
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`,
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
        'data: [DONE]\n\n',
      ];
      // In 16 KiB writes, as a real socket delivers a long line: many reads for one line.
      const bytes = Buffer.from(events.join(''));
      for (let at = 0; at < bytes.length; at += 16 * 1024) if (!(await w.write(bytes.subarray(at, at + 16 * 1024)))) return;
      return;
    }
    case 'sse-drip':
      res.writeHead(200, SSE_HEADERS);
      if (!(await w.write(firstSseEvent))) return;
      while (await w.write(': ping\n\n')) await pause(20);
      return;
    case 'ndjson-endless-line':
      res.writeHead(200, NDJSON_HEADERS);
      return endlessLine(w, firstNdjsonLine, '{"model":"m","response":"');
    case 'ndjson-garbage-echo':
      res.writeHead(200, NDJSON_HEADERS);
      if (!(await w.write(firstNdjsonLine))) return;
      await w.write(`${paddedTo(`invalid: you sent Authorization: ${req.headers.authorization ?? '(none)'} `, lineBytes)}\n`);
      await w.write(`${JSON.stringify({ model: 'm', response: '', done: true, done_reason: 'stop' })}\n`);
      return;
    case 'html-200':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      await w.write('<!doctype html><html><body><form action="/login">Sign in to continue</form></body></html>');
      return;
    case 'json-200':
      res.writeHead(200, { 'content-type': 'application/json' });
      await w.write(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }] }));
      return;
    case 'broken-gzip': {
      res.writeHead(200, { ...SSE_HEADERS, 'content-encoding': 'gzip' });
      // A real gzip header and the start of its data, then bytes that are no deflate data.
      const good = gzipSync(Buffer.from(firstSseEvent.repeat(64)));
      await w.write(good.subarray(0, 30));
      await w.write(Buffer.from('garbage-not-gzip-at-all'));
      return;
    }
    case 'redirect-other-port':
      res.writeHead(302, { location: `http://127.0.0.1:${otherPort}${req.url ?? '/'}` });
      return;
    case 'echo-key-500':
      res.writeHead(500, { 'content-type': 'application/json' });
      await w.write(JSON.stringify({ error: { message: `upstream refused Authorization: ${req.headers.authorization ?? '(none)'}`, type: 'server_error' } }));
      return;
  }
}

/** The paths a mode serves: Ollama's generate for the NDJSON modes, the chat endpoint for the rest. */
function serves(mode: HostileMode, path: string): boolean {
  return mode.startsWith('ndjson') ? path.startsWith('/api/generate') : path.startsWith('/v1/chat/completions');
}

function recorder(req: IncomingMessage, res: ServerResponse): HostileRequest {
  const record: HostileRequest = {
    method: req.method ?? '',
    path: req.url ?? '',
    headers: req.headers,
    bytesWritten: 0,
    clientHungUp: false,
    over: new Promise<void>((resolve) => res.on('close', () => resolve())),
  };
  res.on('close', () => {
    if (!res.writableFinished) record.clientHungUp = true;
  });
  return record;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
    return closing;
  };
  return { port: (server.address() as AddressInfo).port, close };
}

export async function startHostileServer(mode: HostileMode, options: HostileOptions = {}): Promise<HostileServer> {
  const settings: Required<HostileOptions> = { maxBytes: 64 * MiB, maxMs: 15_000, lifetimeMs: 60_000, lineBytes: 4 * MiB, ...options };
  const requests: HostileRequest[] = [];
  const redirectTargetRequests: HostileRequest[] = [];
  const other = await listen((req, res) => {
    redirectTargetRequests.push(recorder(req, res));
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not here"}');
  });
  const main = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      if (!serves(mode, path)) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 404, message: 'File Not Found', type: 'not_found_error' } }));
        return;
      }
      const record = recorder(req, res);
      requests.push(record);
      const w = writer(res, record, settings.maxBytes, Date.now() + settings.maxMs);
      play(mode, req, res, w, settings, other.port)
        .catch(() => undefined)
        .finally(() => {
          if (!res.destroyed) res.end();
        });
    });
  });
  const close = async (): Promise<void> => {
    clearTimeout(lifetime);
    await Promise.all([main.close(), other.close()]);
  };
  const lifetime = setTimeout(() => void close(), settings.lifetimeMs);
  lifetime.unref();
  return { url: `http://127.0.0.1:${main.port}`, requests, redirectTargetRequests, close };
}
