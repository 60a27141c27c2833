// One HTTP exchange with a server: the key as a header, the caller's abort linked to
// the socket, an idle watchdog that counts every byte (SSE pings included), bounded
// retries for 429/503 that honour retry-after, and every failure classified once.
import {
  ServerError,
  cancelledError,
  connectionError,
  cutError,
  deadlineError,
  displayUrl,
  redirectError,
  httpError,
  stalledError,
  type ErrorContext,
  type StreamProgress,
} from '../errors';
import { redactingLogger } from './redact';
import { withScheme } from './urls';
import { silentLogger, type ServerLogger, type ServerConfig } from '../types';

export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_RETRY_WAIT_MS = 30_000;
const ERROR_BODY_MAX_CHARS = 64 * 1024;
/** Same-origin redirects followed before giving up (another origin is never followed). */
const MAX_REDIRECTS = 5;

/** Everything a request needs from the configuration, resolved once per client. */
export interface HttpContext {
  /** Base URL without a trailing `/v1` or slash. */
  readonly root: string;
  /** `root` without credentials, for messages and logs. */
  readonly display: string;
  readonly apiKey: string | undefined;
  /** The user's headers for this server, sent after ours. */
  readonly headers: Readonly<Record<string, string>>;
  /** Header values from secret storage: redacted like the key. */
  readonly secrets: readonly string[];
  readonly fetch: typeof fetch;
  /** The proxy requests to `root` go through (no credentials), for messages; undefined: direct. */
  readonly proxy: string | undefined;
  readonly logger: ServerLogger;
  readonly idleTimeoutMs: number;
  /** Longest a request may take from its first attempt to the end of its body; undefined: no limit. */
  readonly deadlineMs: number | undefined;
  readonly maxRetries: number;
  readonly maxRetryWaitMs: number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Base URL of a server from what the user typed: `http://h:8000/v1/` → `http://h:8000`. */
export function serverRoot(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  return withScheme(trimmed, 'http').replace(/\/v1$/, '');
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function httpContext(config: ServerConfig): HttpContext {
  const root = serverRoot(config.url);
  const fetchFn = config.fetch ?? config.network?.fetch ?? globalThis.fetch;
  return {
    root,
    display: displayUrl(root),
    apiKey: config.apiKey === '' ? undefined : config.apiKey,
    headers: config.headers ?? {},
    secrets: config.secrets ?? [],
    fetch: fetchFn,
    proxy: config.network?.proxyFor(root),
    // Nothing we log should contain the key, but a server may echo it.
    logger: redactingLogger(config.logger ?? silentLogger, () => [config.apiKey, ...(config.secrets ?? [])]),
    idleTimeoutMs: config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    deadlineMs: config.deadlineMs,
    maxRetries: config.maxRetries ?? DEFAULT_MAX_RETRIES,
    maxRetryWaitMs: config.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS,
    sleep: config.sleep ?? abortableSleep,
  };
}

export interface RequestSpec {
  readonly method: 'GET' | 'POST';
  /** Path under the root, e.g. `/v1/completions`. */
  readonly path: string;
  /** An object (sent as JSON) or an already serialised JSON string. */
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
  /** A second signal to honour (the ollama client's own controller). */
  readonly innerSignal?: AbortSignal | null | undefined;
  /** Names the kind this request assumes, for the 404 hint. */
  readonly assumedKind?: string | undefined;
  /** Overrides the configured retries (probes do not retry). */
  readonly maxRetries?: number | undefined;
  /** Overrides the idle timeout (probes give up sooner). */
  readonly idleTimeoutMs?: number | undefined;
}

/** A response whose body is being read under our watchdog and abort plumbing. */
export interface Exchange {
  readonly response: Response;
  /** Aborting it closes the socket; stream readers are handed it. */
  readonly controller: AbortController;
  readonly ctx: ErrorContext;
  readonly progress: { chunks: number };
  /** If the body stopped because we aborted it (caller, watchdog), the error that says why. */
  abortError(): ServerError | undefined;
  /** Any failure while reading the body, classified: our abort reason, else a cut connection. */
  failure(error: unknown): ServerError;
  /** Stops the watchdog and, unless the body was read to the end, closes the connection. */
  close(): void;
}

type AbortWhy = 'cancelled' | 'stalled' | 'deadline';

function retryAfterMs(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

async function readCapped(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.length > ERROR_BODY_MAX_CHARS ? text.slice(0, ERROR_BODY_MAX_CHARS) : text;
  } catch {
    return '';
  }
}

/**
 * Sends one request and returns once the status is known and 2xx; a non-2xx status,
 * a connection failure, a stall or an abort throws a ServerError. 429 and 503 are
 * retried (bounded) before that.
 */
export async function openExchange(http: HttpContext, spec: RequestSpec): Promise<Exchange> {
  const ctx: ErrorContext = {
    url: http.display,
    endpoint: `${spec.method} ${spec.path}`,
    secret: http.apiKey,
    ...(http.secrets.length > 0 ? { secrets: http.secrets } : {}),
    ...(spec.assumedKind === undefined ? {} : { assumedKind: spec.assumedKind }),
    ...(http.proxy === undefined ? {} : { proxy: http.proxy }),
  };
  const maxRetries = spec.maxRetries ?? http.maxRetries;
  const deadlineAt = http.deadlineMs === undefined ? undefined : performance.now() + http.deadlineMs;
  let url = `${http.root}${spec.path}`;
  let redirects = 0;
  const body = spec.body === undefined ? undefined : typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
  const headers: Record<string, string> = { accept: 'application/json, text/event-stream, application/x-ndjson' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (http.apiKey) headers.authorization = `Bearer ${http.apiKey}`;
  // The user's own, after ours: a gateway may want its own Authorization scheme.
  for (const [name, value] of Object.entries(http.headers)) headers[name.toLowerCase()] = value;

  for (let attempt = 0; ; attempt++) {
    if (spec.signal?.aborted || spec.innerSignal?.aborted) throw cancelledError(ctx);
    const exchange = start(http, spec, ctx, deadlineAt);
    http.logger.debug(`[http] ${ctx.endpoint} ${http.display}${http.proxy === undefined ? '' : ` via ${http.proxy}`}${attempt > 0 ? ` (retry ${attempt})` : ''}${body === undefined ? '' : `, ${body.length} bytes`}`);
    let response: Response;
    try {
      // Redirects are ours to judge: fetch would follow one to any host (and a proxy may keep the key).
      response = await http.fetch(url, { method: spec.method, headers, body: body ?? null, signal: exchange.controller.signal, redirect: 'manual' });
    } catch (error) {
      const why = exchange.abortError();
      exchange.close();
      throw why ?? connectionError(ctx, error);
    }
    if (response.ok) {
      http.logger.debug(`[http] ${ctx.endpoint} → ${response.status}`);
      return exchange.attach(response);
    }
    const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
    if (location !== null) {
      exchange.close();
      const target = new URL(location, url);
      if (target.origin !== new URL(url).origin) throw redirectError(ctx, response.status, displayUrl(target.origin));
      if (++redirects > MAX_REDIRECTS) throw redirectError(ctx, response.status, displayUrl(target.href));
      http.logger.debug(`[http] ${ctx.endpoint} → ${response.status}, following to ${target.pathname} on the same server`);
      url = target.href;
      attempt--; // a redirect is no retry
      continue;
    }
    const text = await readCapped(response);
    const why = exchange.abortError();
    exchange.close();
    if (why) throw why;
    const waitMs = retryAfterMs(response.headers);
    const retryable = response.status === 429 || response.status === 503;
    const error = httpError(ctx, response.status, text, waitMs === undefined ? undefined : waitMs / 1000);
    if (!retryable || attempt >= maxRetries) {
      http.logger.debug(`[http] ${ctx.endpoint} → ${response.status}`);
      throw error;
    }
    const delay = waitMs ?? 1000 * 2 ** attempt;
    if (delay > http.maxRetryWaitMs) {
      http.logger.info(`[http] ${ctx.endpoint} → ${response.status}; the server asks to wait ${delay / 1000} s, longer than ${http.maxRetryWaitMs / 1000} s`);
      throw error;
    }
    http.logger.info(`[http] ${ctx.endpoint} → ${response.status}; retrying in ${(delay / 1000).toFixed(1)} s (${attempt + 1}/${maxRetries})`);
    const sleeper = new AbortController();
    const stop = (): void => sleeper.abort();
    spec.signal?.addEventListener('abort', stop, { once: true });
    try {
      await http.sleep(delay, sleeper.signal);
    } catch {
      throw cancelledError(ctx);
    } finally {
      spec.signal?.removeEventListener('abort', stop);
    }
  }
}

interface PendingExchange {
  readonly controller: AbortController;
  abortError(): ServerError | undefined;
  close(): void;
  attach(response: Response): Exchange;
}

function start(http: HttpContext, spec: RequestSpec, ctx: ErrorContext, deadlineAt: number | undefined): PendingExchange {
  const controller = new AbortController();
  const idleMs = spec.idleTimeoutMs ?? http.idleTimeoutMs;
  const progress = { chunks: 0 };
  let why: AbortWhy | undefined;
  let lastActivity = performance.now();
  let finished = false;

  const abort = (reason: AbortWhy): void => {
    if (why !== undefined || finished) return;
    why = reason;
    controller.abort();
  };
  const onCallerAbort = (): void => abort('cancelled');
  spec.signal?.addEventListener('abort', onCallerAbort, { once: true });
  spec.innerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  // Re-armed lazily: touching the clock per chunk is cheaper than resetting a timer.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (ms: number): void => {
    timer = setTimeout(() => {
      const idle = performance.now() - lastActivity;
      if (idle >= idleMs) abort('stalled');
      else arm(idleMs - idle);
    }, ms);
    timer.unref?.();
  };
  arm(idleMs);
  // Silence is the idle timer's; the deadline counts from the first attempt whatever streams.
  let deadline: ReturnType<typeof setTimeout> | undefined;
  if (deadlineAt !== undefined) {
    deadline = setTimeout(() => abort('deadline'), Math.max(0, deadlineAt - performance.now()));
    deadline.unref?.();
  }
  const stopTimers = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    if (deadline !== undefined) clearTimeout(deadline);
    timer = undefined;
    deadline = undefined;
  };

  const close = (): void => {
    stopTimers();
    spec.signal?.removeEventListener('abort', onCallerAbort);
    spec.innerSignal?.removeEventListener('abort', onCallerAbort);
    if (!finished) {
      finished = true;
      controller.abort();
    }
  };
  const abortError = (): ServerError | undefined => {
    if (why === 'cancelled') return cancelledError(ctx);
    if (why === 'stalled') return stalledError(ctx, progress, idleMs);
    if (why === 'deadline') return deadlineError(ctx, progress, http.deadlineMs ?? 0);
    return undefined;
  };

  return {
    controller,
    abortError,
    close,
    attach(response: Response): Exchange {
      lastActivity = performance.now();
      const touch = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          lastActivity = performance.now();
          out.enqueue(chunk);
        },
        flush() {
          // The body was read to its end: closing later must not count as an abort.
          finished = true;
          stopTimers();
        },
      });
      const watched = response.body === null ? null : response.body.pipeThrough(touch);
      const wrapped = new Response(watched, { status: response.status, statusText: response.statusText, headers: response.headers });
      return {
        response: wrapped,
        controller,
        ctx,
        progress,
        abortError,
        close,
        failure(error: unknown): ServerError {
          if (error instanceof ServerError) return error;
          return abortError() ?? cutError(ctx, progress, error);
        },
      };
    },
  };
}

/** A GET whose failure is an answer, not an error: for detection and optional metadata. */
export async function probe(http: HttpContext, path: string, signal?: AbortSignal): Promise<{ status: number; json?: unknown; text?: string }> {
  try {
    const exchange = await openExchange(http, { method: 'GET', path, signal, maxRetries: 0, idleTimeoutMs: Math.min(http.idleTimeoutMs, 10_000) });
    try {
      const text = await exchange.response.text();
      try {
        return { status: exchange.response.status, json: JSON.parse(text) as unknown, text };
      } catch {
        return { status: exchange.response.status, text };
      }
    } catch (error) {
      throw exchange.failure(error);
    } finally {
      exchange.close();
    }
  } catch (error) {
    if (error instanceof ServerError && error.status !== undefined && error.kind !== 'auth') return { status: error.status };
    throw error;
  }
}

/** GET that must succeed, parsed as JSON. */
export async function getJson(http: HttpContext, path: string, signal?: AbortSignal): Promise<unknown> {
  const exchange = await openExchange(http, { method: 'GET', path, signal });
  try {
    const text = await exchange.response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ServerError(
        { kind: 'protocol', url: exchange.ctx.url, endpoint: exchange.ctx.endpoint },
        `${exchange.ctx.endpoint} at ${exchange.ctx.url} did not answer JSON. Check that the URL and the server kind are right.`,
      );
    }
  } catch (error) {
    throw exchange.failure(error);
  } finally {
    exchange.close();
  }
}

export type { StreamProgress };
