// VS Code's http.* settings (and the extension host's environment) → the transport's network
// options. Plain functions of `unknown`, without vscode.
//
// What applies without us: VS Code patches the extension host's global fetch (http.proxySupport
// "override" by default, http.fetchAdditionalSupport): the proxy it resolves (http.proxy, the
// environment, the system's proxy or PAC) and the system's certificates, but not
// http.proxyStrictSSL. So when the user names a proxy (http.proxy, HTTPS_PROXY/HTTP_PROXY) or
// turns certificate checks off, our own undici dispatcher carries exactly that; otherwise the
// host's fetch stays in charge, with whatever the system provides.
import { networkFromEnv, splitNoProxy, type NetworkOptions } from '../../servers';

type Env = Readonly<Record<string, string | undefined>>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The explicit network for our requests, or undefined to leave them to the host's fetch.
 * `http(key)` reads `http.<key>`.
 */
export function networkOptionsFromSettings(http: (key: string) => unknown, env: Env): NetworkOptions | undefined {
  const strictSSL = http('proxyStrictSSL') !== false;
  const off = http('proxySupport') === 'off';
  const configured = text(http('proxy'));
  const fromEnv = networkFromEnv(env);
  const listed = http('noProxy');
  const noProxy = [...(Array.isArray(listed) ? listed.filter((h): h is string => typeof h === 'string') : []), ...splitNoProxy(env.no_proxy ?? env.NO_PROXY)];
  const proxies = off ? {} : configured !== undefined ? { httpProxy: configured, httpsProxy: configured } : fromEnv === undefined ? {} : { httpProxy: fromEnv.httpProxy, httpsProxy: fromEnv.httpsProxy };
  const hasProxy = proxies.httpProxy !== undefined || proxies.httpsProxy !== undefined;
  if (!hasProxy && strictSSL) return undefined;
  const authorization = text(http('proxyAuthorization'));
  return {
    ...proxies,
    ...(hasProxy && noProxy.length > 0 ? { noProxy } : {}),
    ...(hasProxy && authorization !== undefined ? { proxyAuthorization: authorization } : {}),
    ...(strictSSL ? {} : { strictSSL: false }),
  };
}
