// Every failure of a server request becomes one ServerError, classified here and
// nowhere else: where it happens (a status, a socket error, an error event in the
// stream), with a message that names the server and what to check. The adapter maps
// `kind` to its own error types; the CLI prints `message`.
import { redactSecrets } from './http/redact';

export type ServerErrorKind =
  /** Nothing listens at the URL (connection refused, host unreachable, TLS failure). */
  | 'unreachable'
  /** The host name does not resolve. */
  | 'dns'
  /** 401/403: missing or rejected API key. */
  | 'auth'
  /** 404: the endpoint or the model does not exist there. */
  | 'notFound'
  /** 429 after the bounded retries, or a wait longer than we are willing to sleep. */
  | 'rateLimited'
  /** 400/413/422: the server refused this request (context too long, bad field). */
  | 'badRequest'
  /** 5xx. */
  | 'server'
  /** An error event inside a stream that had started (llama.cpp sends one when its own parser fails). */
  | 'streamError'
  /** The connection closed before the completion finished. */
  | 'cut'
  /** No bytes for longer than the idle timeout. */
  | 'stalled'
  /** The request ran past its overall deadline (the option, off by default). */
  | 'deadline'
  /** The server redirected to another host or port; not followed, so the key stays with the configured server. */
  | 'redirect'
  /** The caller aborted. */
  | 'cancelled'
  /** The server answered something that is not the wire format we asked for. */
  | 'protocol';

export interface ServerErrorDetails {
  readonly kind: ServerErrorKind;
  /** The server's base URL, without credentials. */
  readonly url: string;
  /** Method and path, e.g. `POST /v1/completions`. */
  readonly endpoint?: string;
  readonly status?: number;
  /** Seconds the server asked us to wait (429/503). */
  readonly retryAfterSeconds?: number;
  /** The server's own words, shortened and with the key removed. */
  readonly serverMessage?: string;
  readonly cause?: unknown;
}

export class ServerError extends Error {
  readonly kind: ServerErrorKind;
  readonly url: string;
  readonly endpoint: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly serverMessage: string | undefined;

  constructor(details: ServerErrorDetails, message: string) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ServerError';
    this.kind = details.kind;
    this.url = details.url;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.serverMessage = details.serverMessage;
  }
}

/** Does a 404's body name a model? Then the server is there and the model is not (else the endpoint is missing). */
function namesModel(body: string | undefined): boolean {
  return /model/i.test(body ?? '');
}

/** A 404 whose body names a model: pick another model, not another endpoint or server kind. */
export function isModelMissing(error: unknown): error is ServerError {
  return error instanceof ServerError && error.kind === 'notFound' && namesModel(error.serverMessage);
}

/** A 404 for the endpoint itself (the body names no model): another route or kind may have it. */
export function isEndpointMissing(error: unknown): error is ServerError {
  return error instanceof ServerError && error.kind === 'notFound' && !namesModel(error.serverMessage);
}

/** What the classifiers need to know about the request that failed. */
export interface ErrorContext {
  /** Base URL as shown to the user (no credentials). */
  readonly url: string;
  readonly endpoint: string;
  /** The key, only so that it can be cut out of anything the server echoes back. */
  readonly secret?: string | undefined;
  /** Other values to cut out the same way (header values from secret storage). */
  readonly secrets?: readonly string[] | undefined;
  /** A hint for 404s: which kind this transport assumed, and what else to try. */
  readonly assumedKind?: string;
  /** The proxy the request went through (no credentials); undefined: direct. */
  readonly proxy?: string | undefined;
}

const EXCERPT_CHARS = 300;

/** URL without user:password@, query or trailing slash, for messages and logs. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString().replace(/\/+$/, '');
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

function excerpt(text: string, ctx: ErrorContext): string {
  const flat = redactSecrets(text, [ctx.secret, ...(ctx.secrets ?? [])]).replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
}

/** The human part of an error body in any of the shapes our servers use. */
export function messageFromBody(body: string): string {
  try {
    const json: unknown = JSON.parse(body);
    if (json !== null && typeof json === 'object') {
      const record = json as Record<string, unknown>;
      const error = record.error;
      if (typeof error === 'string') return error; // Ollama native
      if (error !== null && typeof error === 'object') {
        const nested = (error as Record<string, unknown>).message; // OpenAI, llama.cpp, Ollama /v1
        if (typeof nested === 'string') return nested;
      }
      if (typeof record.message === 'string') return record.message; // vLLM (top-level ErrorResponse)
      if (typeof record.detail === 'string') return record.detail; // FastAPI validation
      if (Array.isArray(record.detail)) return JSON.stringify(record.detail);
    }
  } catch {
    // Not JSON: a proxy's HTML page or plain text; the text itself is the message.
  }
  return body;
}

function statusText(status: number): string {
  const names: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    408: 'Request Timeout',
    413: 'Payload Too Large',
    422: 'Unprocessable Entity',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return names[status] ?? 'HTTP error';
}

/** A non-2xx response (read before streaming starts). */
export function httpError(ctx: ErrorContext, status: number, body: string, retryAfterSeconds?: number): ServerError {
  const said = excerpt(messageFromBody(body), ctx);
  const base = { url: ctx.url, endpoint: ctx.endpoint, status, ...(said ? { serverMessage: said } : {}) };
  const quote = said ? `: "${said}"` : '';
  const head = `${ctx.endpoint} at ${ctx.url} answered ${status} ${statusText(status)}${quote}`;
  if (status === 401 || status === 403) {
    return new ServerError(
      { ...base, kind: 'auth' },
      `${head}. The server refused the API key: ${ctx.secret ? 'check that the key set for this server is correct and still valid' : 'it requires one, so set an API key for this server'}.`,
    );
  }
  if (status === 404) {
    const hint = namesModel(said)
      ? 'The model is not available there: pick one the server lists (or load/pull it first).'
      : `The server has no such endpoint${ctx.assumedKind ? `, so it is probably not ${ctx.assumedKind}` : ''}: set the server kind to "auto" (or the right one), and check that the URL is the server's base address, without a path such as /v1/chat.`;
    return new ServerError({ ...base, kind: 'notFound' }, `${head}. ${hint}`);
  }
  if (status === 429) {
    const wait = retryAfterSeconds === undefined ? '' : ` (it asks to wait ${formatSeconds(retryAfterSeconds)})`;
    return new ServerError(
      { ...base, kind: 'rateLimited', ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) },
      `${head}${wait}. The server is rate-limiting requests; wait a little and try again, or raise the limit on the server.`,
    );
  }
  if (status >= 500) {
    const loading = status === 503 && /load/i.test(said);
    const hint = loading ? 'The server is still loading the model; try again when it is ready.' : "Check the server's log for the cause.";
    return new ServerError(
      { ...base, kind: 'server', ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) },
      `${head}. ${hint}`,
    );
  }
  const contextHint = /context|too long|exceed|n_ctx|maximum/i.test(said) ? ' The prompt is probably longer than the context the server was started with.' : '';
  return new ServerError({ ...base, kind: 'badRequest' }, `${head}. The server refused the request.${contextHint}`);
}

export function formatSeconds(seconds: number): string {
  return seconds < 10 ? `${Number(seconds.toFixed(1))} s` : `${Math.round(seconds)} s`;
}

interface SystemErrorLike {
  code?: unknown;
  errno?: unknown;
  hostname?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** The system error code under fetch's `TypeError('fetch failed')` (possibly an AggregateError). */
function systemCode(error: unknown): { code?: string; hostname?: string; message?: string } {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const e = current as SystemErrorLike;
    if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code) && !e.code.startsWith('ABORT')) {
      return { code: e.code, ...(typeof e.hostname === 'string' ? { hostname: e.hostname } : {}), ...(typeof e.message === 'string' ? { message: e.message } : {}) };
    }
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      current = e.errors[0];
      continue;
    }
    current = e.cause;
  }
  const message = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return { message };
}

/** What a certificate error code says about the certificate, in words. */
const CERTIFICATE_PROBLEMS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'is signed by a self-signed CA this machine does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'is signed by a CA this machine does not trust',
  UNABLE_TO_GET_ISSUER_CERT: 'is signed by a CA this machine does not trust',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'is signed by a CA this machine does not trust',
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'is for another host name',
};

const TRUST_HINT =
  'If you trust it, trust its CA: start VS Code (or harmony) with NODE_EXTRA_CA_CERTS=/path/to/ca.pem; in VS Code, http.proxyStrictSSL set to false skips the check (the connection is then not authenticated).';

/** undici's words when a proxy answers the CONNECT or a forwarded request with a refusal. */
function proxyRefusal(message: string | undefined): number | undefined {
  const tunnel = /Proxy response \((\d{3})\)/.exec(message ?? '');
  if (tunnel) return Number(tunnel[1]);
  return /Proxy Authentication Required/i.test(message ?? '') ? 407 : undefined;
}

/** fetch rejected before any response: the server (or the proxy on the way) is not there. */
export function connectionError(ctx: ErrorContext, error: unknown): ServerError {
  const { code, hostname, message } = systemCode(error);
  const base = { url: ctx.url, endpoint: ctx.endpoint, cause: error };
  const refusal = ctx.proxy === undefined ? undefined : proxyRefusal(message ?? (error instanceof Error ? error.message : undefined));
  if (ctx.proxy !== undefined && refusal !== undefined) {
    const why =
      refusal === 407
        ? 'asks for credentials (407): put them in the proxy URL (http://user:password@host:port) or, in VS Code, in http.proxyAuthorization'
        : `answered ${refusal} instead of connecting to the server`;
    return new ServerError(
      { ...base, kind: refusal === 407 ? 'auth' : 'unreachable', status: refusal },
      `Cannot reach ${ctx.url} through the proxy ${ctx.proxy}: the proxy ${why}. If the server is on your network, list its host in NO_PROXY (VS Code: http.noProxy).`,
    );
  }
  // With a proxy, the only socket we open is to the proxy: its failures are the proxy's.
  if (ctx.proxy !== undefined && code !== undefined && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET)$/.test(code)) {
    return new ServerError(
      { ...base, kind: 'unreachable' },
      `Cannot reach the proxy ${ctx.proxy} on the way to ${ctx.url} (${code}). Check the proxy setting (HTTPS_PROXY/HTTP_PROXY; VS Code: http.proxy), or list the server's host in NO_PROXY (VS Code: http.noProxy) to connect directly.`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME') {
    const host = hostname ?? safeHost(ctx.url);
    return new ServerError(
      { ...base, kind: 'dns' },
      `Cannot reach ${ctx.url}: the host name "${host}" does not resolve (${code}). Check the host name in the server URL, and your network or VPN.`,
    );
  }
  if (code === 'ECONNREFUSED') {
    return new ServerError(
      { ...base, kind: 'unreachable' },
      `Cannot connect to ${ctx.url}: connection refused. Is the server running and listening on that address and port? Start it (llama-server, vllm serve, ollama serve, LM Studio's server) or fix the URL.`,
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') {
    return new ServerError(
      { ...base, kind: 'cut' },
      `The connection to ${ctx.url} closed before any answer (${ctx.endpoint}). The server may have crashed, or a proxy or firewall closed the connection: check the server's log.`,
    );
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return new ServerError(
      { ...base, kind: 'stalled' },
      `${ctx.url} did not answer in time (${code}, ${ctx.endpoint}). Check that the server is up and reachable from this machine; a model that takes long to load may need a longer request timeout.`,
    );
  }
  const problem = code === undefined ? undefined : CERTIFICATE_PROBLEMS[code];
  if (problem !== undefined) {
    const whose = ctx.proxy !== undefined && code !== 'ERR_TLS_CERT_ALTNAME_INVALID' ? `the certificate of ${ctx.url} (or of the proxy ${ctx.proxy})` : `the TLS certificate of ${ctx.url}`;
    return new ServerError({ ...base, kind: 'unreachable' }, `Cannot connect to ${ctx.url}: ${whose} ${problem} (${code}). ${TRUST_HINT}`);
  }
  if (code !== undefined && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    return new ServerError(
      { ...base, kind: 'unreachable' },
      `Cannot connect to ${ctx.url}: TLS certificate problem (${code}). Use the right scheme (http:// or https://), or a certificate this machine trusts.`,
    );
  }
  const what = code ?? excerpt(message ?? 'unknown network error', ctx);
  return new ServerError(
    { ...base, kind: 'unreachable' },
    `Cannot connect to ${ctx.url}${ctx.proxy === undefined ? '' : ` through the proxy ${ctx.proxy}`} (${what}). Check that the server is running, that the URL is right, and that no firewall or proxy is in the way.`,
  );
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/** How far the stream got, for messages about failures in the middle of it. */
export interface StreamProgress {
  readonly chunks: number;
}

function soFar(progress: StreamProgress): string {
  return progress.chunks === 0 ? 'before sending anything' : `after ${progress.chunks} chunk${progress.chunks === 1 ? '' : 's'}`;
}

/** The body broke off: a reset socket, or a clean close before the end marker; undici's own body timeout is a stall. */
export function cutError(ctx: ErrorContext, progress: StreamProgress, cause?: unknown): ServerError {
  const system = cause === undefined ? {} : systemCode(cause);
  if (system.code?.startsWith('Z_')) {
    return new ServerError(
      { kind: 'protocol', url: ctx.url, endpoint: ctx.endpoint, cause },
      `${ctx.endpoint} at ${ctx.url} sent a compressed body (content-encoding) that does not decompress ${soFar(progress)}: ${system.code}${system.message ? ` (${excerpt(system.message, ctx)})` : ''}. A proxy in between may be re-compressing the stream, or the server is broken: check both.`,
    );
  }
  if (cause !== undefined && systemCode(cause).code === 'UND_ERR_BODY_TIMEOUT') {
    return new ServerError(
      { kind: 'stalled', url: ctx.url, endpoint: ctx.endpoint, cause },
      `${ctx.url} sent nothing for longer than the HTTP client's own body timeout ${soFar(progress)} (${ctx.endpoint}); check the server.`,
    );
  }
  return new ServerError(
    { kind: 'cut', url: ctx.url, endpoint: ctx.endpoint, ...(cause === undefined ? {} : { cause }) },
    `The connection to ${ctx.url} closed ${soFar(progress)} before the completion finished (${ctx.endpoint}). The server may have crashed or restarted, or a proxy closed the connection: check the server's log.`,
  );
}

export function stalledError(ctx: ErrorContext, progress: StreamProgress, idleMs: number): ServerError {
  return new ServerError(
    { kind: 'stalled', url: ctx.url, endpoint: ctx.endpoint },
    `${ctx.url} sent nothing for ${formatSeconds(idleMs / 1000)} ${soFar(progress)}, so the request was stopped (${ctx.endpoint}). If the model needs longer to start (loading, a long prompt), raise the request timeout; otherwise check the server.`,
  );
}

export function deadlineError(ctx: ErrorContext, progress: StreamProgress, deadlineMs: number): ServerError {
  return new ServerError(
    { kind: 'deadline', url: ctx.url, endpoint: ctx.endpoint },
    `${ctx.url} did not finish within the ${formatSeconds(deadlineMs / 1000)} deadline ${soFar(progress)}, so the request was stopped (${ctx.endpoint}). The server may be dripping data without finishing; raise the deadline if the answer is just long.`,
  );
}

/** A 3xx to another host or port (or scheme): not followed, so the key is never sent there. */
export function redirectError(ctx: ErrorContext, status: number, target: string): ServerError {
  return new ServerError(
    { kind: 'redirect', url: ctx.url, endpoint: ctx.endpoint, status },
    `${ctx.endpoint} at ${ctx.url} answered ${status}, redirecting to ${target}, another host or port. It is not followed, so the API key is not sent there: set the server URL to the address the server really answers on.`,
  );
}

/** A frame (SSE event, NDJSON line) past the bound: a server that never ends a line. */
export function frameTooLongError(ctx: ErrorContext, progress: StreamProgress, maxBytes: number, frame: string): ServerError {
  return new ServerError(
    { kind: 'protocol', url: ctx.url, endpoint: ctx.endpoint },
    `${ctx.endpoint} at ${ctx.url} sent an ${frame} longer than ${maxBytes / (1024 * 1024)} MiB (the most we accept) ${soFar(progress)}, so the request was stopped. Check that the URL and the server kind are right, and any proxy in between.`,
  );
}

/** A 2xx whose content type is not the stream we asked for (an HTML login page, a JSON answer without streaming). */
export function contentTypeError(ctx: ErrorContext, contentType: string, expected: string): ServerError {
  const html = /html/i.test(contentType);
  const hint = html
    ? 'That is a web page, probably from a proxy, a login portal or another web server at this address: check the URL.'
    : 'Check that the URL and the server kind are right.';
  return new ServerError(
    { kind: 'protocol', url: ctx.url, endpoint: ctx.endpoint },
    `${ctx.endpoint} at ${ctx.url} answered with content type "${excerpt(contentType, ctx)}", not ${expected}. ${hint}`,
  );
}

export function cancelledError(ctx: ErrorContext): ServerError {
  return new ServerError({ kind: 'cancelled', url: ctx.url, endpoint: ctx.endpoint }, `The request to ${ctx.url} was cancelled.`);
}

export function protocolError(ctx: ErrorContext, detail: string, cause?: unknown): ServerError {
  return new ServerError(
    { kind: 'protocol', url: ctx.url, endpoint: ctx.endpoint, ...(cause === undefined ? {} : { cause }) },
    `${ctx.endpoint} at ${ctx.url} sent something that is not the expected stream: ${excerpt(detail, ctx)}. Check that the URL and the server kind are right.`,
  );
}

/** An error object inside the stream (`data: {"error":{…}}`, or an NDJSON `{"error": "…"}` line). */
export function streamErrorFromPayload(ctx: ErrorContext, progress: StreamProgress, payload: unknown): ServerError {
  const record = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
  const text = typeof payload === 'string' ? payload : typeof record.message === 'string' ? record.message : JSON.stringify(payload);
  const code = typeof record.code === 'number' ? record.code : undefined;
  const said = excerpt(text, ctx);
  const ownParser = /peg|expected .*format|parse|harmony/i.test(said);
  const hint = ownParser
    ? "The server's own gpt-oss output parser rejected what the model wrote; the raw completion endpoint (endpoint: raw) parses Harmony in the extension instead."
    : "Check the server's log.";
  return new ServerError(
    { kind: 'streamError', url: ctx.url, endpoint: ctx.endpoint, serverMessage: said, ...(code === undefined ? {} : { status: code }) },
    `${ctx.url} reported an error ${soFar(progress)} (${ctx.endpoint}${code === undefined ? '' : `, code ${code}`}): "${said}". ${hint}`,
  );
}
