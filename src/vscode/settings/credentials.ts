// A server's credentials from VS Code's secret storage: its API key, and the values of the
// headers the user wrote as `${secret}` (gateways: "X-Api-Key": "${secret}"). Both are stored
// by "Harmony: Set API Key for a Server"; every value read is added to what the log redacts.
import * as vscode from 'vscode';
import { displayUrl } from '../../servers';
import type { ServerSettings } from './settings';

/** In a header value: replaced by that header's secret from secret storage. */
export const SECRET_PLACEHOLDER = '${secret}';

function root(url: string): string {
  return url.replace(/\/+$/, '');
}

export function apiKeySecretName(url: string): string {
  return `gptOss.apiKey:${root(url)}`;
}

export function headerSecretName(url: string, header: string): string {
  return `gptOss.header:${root(url)}:${header.toLowerCase()}`;
}

/** The headers of a server whose value takes a secret. */
export function secretHeaders(server: ServerSettings): string[] {
  return Object.entries(server.headers ?? {}).flatMap(([name, value]) => (value.includes(SECRET_PLACEHOLDER) ? [name] : []));
}

export class Credentials {
  private readonly warnedMissing = new Set<string>();

  /** `known` collects every secret read, for the log's redaction. */
  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly known: Set<string>,
    private readonly warn: (message: string) => void,
  ) {}

  private async read(name: string): Promise<string | undefined> {
    const value = await this.storage.get(name);
    if (value) this.known.add(value);
    return value || undefined;
  }

  apiKeyFor(url: string): Promise<string | undefined> {
    return this.read(apiKeySecretName(url));
  }

  /**
   * The server with its key (the Language Models editor's, else secret storage's) and its
   * `${secret}` headers filled in; a header whose secret is not stored is left out, said once in the log.
   */
  async resolve(server: ServerSettings): Promise<ServerSettings> {
    const apiKey = server.apiKey ?? (await this.apiKeyFor(server.url));
    if (server.apiKey) this.known.add(server.apiKey);
    const headers: Record<string, string> = {};
    const secrets: string[] = [];
    for (const [name, value] of Object.entries(server.headers ?? {})) {
      if (!value.includes(SECRET_PLACEHOLDER)) {
        headers[name] = value;
        continue;
      }
      const secret = await this.read(headerSecretName(server.url, name));
      if (secret === undefined) {
        const key = `${server.url}\u0000${name.toLowerCase()}`;
        // The name in parentheses: redaction cuts the word after an `X-Api-Key`-like label (redact.ts).
        if (!this.warnedMissing.has(key)) this.warn(`a header (${name}) of ${displayUrl(server.url)} takes its value from secret storage, but none is stored: run Harmony: Set API Key for a Server. It is not sent.`);
        this.warnedMissing.add(key);
        continue;
      }
      this.warnedMissing.delete(`${server.url}\u0000${name.toLowerCase()}`);
      headers[name] = value.split(SECRET_PLACEHOLDER).join(secret);
      secrets.push(secret);
    }
    return {
      ...server,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(server.headers ? { headers } : {}),
      ...(secrets.length > 0 ? { secrets } : {}),
    };
  }

  /** Stores (or, for '', deletes) the key, or a header's secret when `header` is given. */
  async store(url: string, header: string | undefined, value: string): Promise<void> {
    const name = header === undefined ? apiKeySecretName(url) : headerSecretName(url, header);
    if (value === '') await this.storage.delete(name);
    else await this.storage.store(name, value);
  }
}

/** "Harmony: Set API Key for a Server": which server, then (if it has `${secret}` headers) which secret, then the value. */
export async function setSecretCommand(servers: readonly ServerSettings[], credentials: Credentials): Promise<void> {
  const server =
    servers.length === 1
      ? servers[0]
      : (await vscode.window.showQuickPick(servers.map((s) => ({ label: s.url, description: s.name, server: s })), { placeHolder: 'Which server is the key for?' }))?.server;
  if (!server) {
    if (servers.length === 0) void vscode.window.showInformationMessage('Add a server to the gptOss.servers setting first (or in the Language Models editor).');
    return;
  }
  const headers = secretHeaders(server);
  const header =
    headers.length === 0
      ? undefined
      : await vscode.window.showQuickPick(
          [{ label: 'API key', description: 'sent as Authorization: Bearer', header: undefined }, ...headers.map((h) => ({ label: h, description: `header value for ${SECRET_PLACEHOLDER}`, header: h }))],
          { placeHolder: `Which secret of ${server.url}?` },
        );
  if (headers.length > 0 && header === undefined) return;
  const target = header?.header;
  const value = await vscode.window.showInputBox({
    prompt: target === undefined ? `API key for ${server.url} (stored in secret storage)` : `Value of ${SECRET_PLACEHOLDER} in header ${target} for ${server.url} (stored in secret storage)`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  await credentials.store(server.url, target, value);
}
