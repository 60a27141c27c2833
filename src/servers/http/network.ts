// How requests reach a server: directly or through an HTTP(S) proxy, and which certificates
// are trusted. undici does the work (its fetch, Agent and ProxyAgent); this file only turns
// the user's settings into one dispatcher. Every request of the transport takes this fetch,
// the ollama client's too (it is handed ours). The CLI builds it from HTTPS_PROXY/NO_PROXY,
// the extension from VS Code's http.* settings.
import type * as Undici from 'undici';
import { displayUrl } from '../errors';
import { withScheme } from './urls';

let undiciModule: typeof Undici | undefined;
/** Loading undici takes a few hundred ms (measured: 340–470 ms on this machine); only a configured network pays it. */
function undici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (undiciModule ??= require('undici') as typeof Undici);
}

export interface NetworkOptions {
  /** Proxy for http:// servers (HTTP_PROXY; VS Code's http.proxy). */
  readonly httpProxy?: string | undefined;
  /** Proxy for https:// servers (HTTPS_PROXY, else the http one; VS Code's http.proxy). */
  readonly httpsProxy?: string | undefined;
  /** Hosts reached directly (NO_PROXY, http.noProxy): `host`, `.domain` or `*.domain`, `host:port`, `*`. */
  readonly noProxy?: readonly string[] | undefined;
  /** Sent to the proxy as Proxy-Authorization (VS Code's http.proxyAuthorization). Never logged. */
  readonly proxyAuthorization?: string | undefined;
  /** false: any certificate is accepted, the server's and the proxy's (http.proxyStrictSSL off). Default true. */
  readonly strictSSL?: boolean | undefined;
  /** Trusted CAs in place of Node's list; undefined: Node's own (which includes NODE_EXTRA_CA_CERTS). */
  readonly ca?: readonly string[] | undefined;
}

/** A built network: its fetch, and what it does with a URL (for messages and the log). */
export interface Network {
  readonly fetch: typeof fetch;
  /** The proxy a request to `url` goes through (without credentials), or undefined when it goes directly. */
  proxyFor(url: string): string | undefined;
  /** One line for the log, without credentials. */
  readonly description: string;
  close(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The first set variable, lower case before upper case (as curl and undici read them). */
function envValue(env: Env, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function splitNoProxy(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
}

/** HTTP_PROXY, HTTPS_PROXY and NO_PROXY; undefined when none is set (then nothing differs from plain fetch). */
export function networkFromEnv(env: Env): NetworkOptions | undefined {
  const httpProxy = envValue(env, 'http_proxy');
  const httpsProxy = envValue(env, 'https_proxy') ?? httpProxy;
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  return { httpProxy, httpsProxy, noProxy: splitNoProxy(envValue(env, 'no_proxy')) };
}

interface NoProxyEntry {
  readonly host: string;
  readonly port: number | undefined;
  /** `.example.com` / `*.example.com`: subdomains only; a bare name matches itself and its subdomains. */
  readonly suffixOnly: boolean;
}

function parseNoProxy(entries: readonly string[]): NoProxyEntry[] | 'all' {
  const parsed: NoProxyEntry[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === '*') return 'all';
    if (entry === '') continue;
    // [v6]:port, host:port, a bare IPv6 address, or a host.
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const hostPort = /^([^:]+):(\d+)$/.exec(entry);
    const host = bracketed ? bracketed[1]! : hostPort ? hostPort[1]! : entry;
    const port = bracketed?.[2] ?? hostPort?.[2];
    const suffixOnly = host.startsWith('.') || host.startsWith('*.');
    parsed.push({ host: host.replace(/^\*?\./, ''), port: port === undefined ? undefined : Number(port), suffixOnly });
  }
  return parsed;
}

function bypasses(url: URL, noProxy: NoProxyEntry[] | 'all'): boolean {
  if (noProxy === 'all') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return noProxy.some((entry) => {
    if (entry.port !== undefined && entry.port !== port) return false;
    if (host.endsWith(`.${entry.host}`)) return true;
    return !entry.suffixOnly && host === entry.host;
  });
}

function proxyOf(url: URL, options: NetworkOptions, noProxy: NoProxyEntry[] | 'all'): string | undefined {
  const proxy = url.protocol === 'https:' ? (options.httpsProxy ?? options.httpProxy) : options.httpProxy;
  if (proxy === undefined || proxy === '' || bypasses(url, noProxy)) return undefined;
  return proxy;
}

/** A proxy URL as typed (`proxy:3128` too) → absolute, with its scheme. */
function proxyUrl(proxy: string): string {
  return withScheme(proxy, 'http');
}

function describe(options: NetworkOptions): string {
  const proxies = [...new Set([options.httpProxy, options.httpsProxy].filter((p): p is string => p !== undefined && p !== ''))].map((p) => displayUrl(proxyUrl(p)));
  const parts = [
    proxies.length === 0 ? 'no proxy' : `proxy ${proxies.join(', ')}`,
    ...(proxies.length > 0 && (options.noProxy?.length ?? 0) > 0 ? [`not for ${options.noProxy!.join(', ')}`] : []),
    ...(options.proxyAuthorization ? ['with proxy authorization'] : []),
    options.strictSSL === false ? 'certificates NOT checked' : options.ca ? `${options.ca.length} trusted CA certificates` : "Node's trusted CA certificates",
  ];
  return parts.join('; ');
}

/**
 * A fetch that goes through the proxy the options name (plain HTTP requests to http://
 * servers, a CONNECT tunnel to https:// ones, as curl does), directly for NO_PROXY hosts,
 * and checks certificates against the options' CAs. One connection pool per proxy.
 */
export function createNetwork(options: NetworkOptions): Network {
  const noProxy = parseNoProxy(options.noProxy ?? []);
  const tls = {
    ...(options.strictSSL === false ? { rejectUnauthorized: false } : {}),
    ...(options.ca === undefined ? {} : { ca: [...options.ca] }),
  };
  const { Agent, ProxyAgent, fetch: undiciFetch } = undici();
  const direct = new Agent({ connect: tls });
  const proxied = new Map<string, Undici.ProxyAgent>();
  const dispatcherFor = (proxy: string | undefined): Undici.Dispatcher => {
    if (proxy === undefined) return direct;
    let agent = proxied.get(proxy);
    if (agent === undefined) {
      agent = new ProxyAgent({
        uri: proxyUrl(proxy),
        // Forward http:// requests as they are: proxies commonly allow CONNECT only to port 443.
        proxyTunnel: false,
        requestTls: tls,
        proxyTls: tls,
        ...(options.proxyAuthorization ? { token: options.proxyAuthorization } : {}),
      });
      proxied.set(proxy, agent);
    }
    return agent;
  };
  const proxyFor = (url: string): string | undefined => {
    const proxy = proxyOf(new URL(url), options, noProxy);
    return proxy === undefined ? undefined : displayUrl(proxyUrl(proxy));
  };
  const networkFetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const dispatcher = dispatcherFor(proxyOf(url, options, noProxy));
    // undici's own fetch with its own dispatcher: VS Code patches the global fetch, not this one.
    return undiciFetch(url, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
  }) as typeof fetch;
  return {
    fetch: networkFetch,
    proxyFor,
    description: describe(options),
    close: async () => {
      await Promise.all([direct.close(), ...[...proxied.values()].map((agent) => agent.close())]);
    },
  };
}
