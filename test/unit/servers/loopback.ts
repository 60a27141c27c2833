// A loopback HTTP server for transport tests: 127.0.0.1, port 0, records every request
// (method, path, headers, body) and answers with a handler; replays byte streams in
// chosen pieces. Every socket is destroyed on close, so nothing outlives a test.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LLAMACPP_CAPTURES } from '../../support/fixtures';

export const CAPTURES = LLAMACPP_CAPTURES;
export const FIXTURES = join(__dirname, '../../fixtures/servers');

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Handler = (request: Recorded, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface Loopback {
  readonly url: string;
  readonly requests: Recorded[];
  /** Resolves when the client's socket of the n-th request (0-based) closes. */
  closed(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function loopback(handler: Handler): Promise<Loopback> {
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  const closedWaiters = new Map<number, Promise<void>>();
  const server = createServer((req, res) => {
    const index = requests.length;
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    closedWaiters.set(index, closed);
    const record: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: '' };
    requests.push(record);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      (record as { body: string }).body = Buffer.concat(chunks).toString('utf8');
      Promise.resolve(handler(record, res, req)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(599);
        res.end(String(error));
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    closed: (n) => closedWaiters.get(n) ?? Promise.reject(new Error(`no request ${n}`)),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Lets the previous write leave as its own segment before the next one (loopback, no Nagle). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Writes `bytes` split at `cuts` (byte offsets), each piece flushed before the next. */
export async function writePieces(res: ServerResponse, bytes: Uint8Array, cuts: readonly number[]): Promise<void> {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut <= from || cut > bytes.length) continue;
    await new Promise<void>((resolve, reject) => res.write(bytes.subarray(from, cut), (e) => (e ? reject(e) : resolve())));
    await tick();
    from = cut;
  }
}

export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' } as const;
export const NDJSON_HEADERS = { 'content-type': 'application/x-ndjson' } as const;

export function capture(name: string): Buffer {
  return readFileSync(join(CAPTURES, name));
}

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** Byte offsets that cut where decoders break: inside `data:`, inside `<|markers|>`, inside multi-byte characters, between the two newlines. */
export function awkwardCuts(bytes: Uint8Array): number[] {
  const cuts = new Set<number>();
  const text = Buffer.from(bytes).toString('latin1'); // one char per byte, so indices are byte offsets
  for (const pattern of [/data: /g, /event: /g, /<\|/g, /\|>/g, /\n\n/g, /"(content|text|reasoning_content|reasoning|response|tokens|arguments|delta)"/g]) {
    for (const m of text.matchAll(pattern)) cuts.add((m.index ?? 0) + 1 + ((m.index ?? 0) % 3));
  }
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0xc0) cuts.add(i + 1); // right after the lead byte of a multi-byte character
    if (b >= 0xe0) cuts.add(i + 2);
  }
  return [...cuts].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
}

/** Every `step` bytes. */
export function everyCuts(bytes: Uint8Array, step: number): number[] {
  const cuts: number[] = [];
  for (let i = step; i < bytes.length; i += step) cuts.push(i);
  return cuts;
}

export const SPLITS: Record<string, (bytes: Uint8Array) => number[]> = {
  whole: () => [],
  awkward: awkwardCuts,
  'every 7 bytes': (b) => everyCuts(b, 7),
  'every byte': (b) => everyCuts(b, 1),
};

/** A handler that replays `bytes` with `cuts` for the request whose path starts with `path`, 404 otherwise. */
export function replayAt(path: string, bytes: Uint8Array, cuts: readonly number[], headers: Record<string, string> = SSE_HEADERS): Handler {
  return async (request, res) => {
    if (!request.path.startsWith(path)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 404, message: 'File Not Found', type: 'not_found_error' } }));
      return;
    }
    res.writeHead(200, headers);
    await writePieces(res, bytes, cuts);
    res.end();
  };
}
