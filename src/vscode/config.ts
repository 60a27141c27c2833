// Typed reading of the gptOss.* settings.
import * as vscode from 'vscode';
import type { ReasoningEffort } from '../harmony';
import { SERVER_KINDS, type ServerKind } from '../servers';

export type EndpointPreference = 'auto' | 'raw' | 'chat';
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** A server the user configured: in the Language Models editor, or in `gptOss.servers`. */
export interface ServerSettings {
  readonly url: string;
  readonly kind: ServerKind | 'auto';
  readonly name?: string;
  readonly models?: readonly string[];
  readonly apiKey?: string;
}

export interface Settings {
  readonly reasoningEffort: ReasoningEffort;
  readonly requestTimeoutSeconds: number;
  readonly endpoint: EndpointPreference;
  readonly extraBody: Readonly<Record<string, unknown>>;
  readonly maxOutputTokens: number;
  readonly logLevel: LogLevel;
  readonly servers: readonly ServerSettings[];
}

function asServers(value: unknown): ServerSettings[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const server = asServer(entry);
    return server ? [server] : [];
  });
}

/** A server entry from settings or from the provider configuration; undefined when it has no URL. */
export function asServer(entry: unknown): ServerSettings | undefined {
  if (entry === null || typeof entry !== 'object') return undefined;
  const e = entry as Record<string, unknown>;
  if (typeof e.url !== 'string' || e.url.trim() === '') return undefined;
  return {
    url: e.url.trim().replace(/\/+$/, ''),
    kind: SERVER_KINDS.find((kind) => kind === e.kind) ?? 'auto',
    ...(typeof e.name === 'string' && e.name !== '' ? { name: e.name } : {}),
    ...(Array.isArray(e.models) && e.models.length > 0 ? { models: e.models.filter((m): m is string => typeof m === 'string') } : {}),
    ...(typeof e.apiKey === 'string' && e.apiKey !== '' ? { apiKey: e.apiKey } : {}),
  };
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('gptOss');
  const effort = c.get<string>('reasoningEffort', 'medium');
  return {
    reasoningEffort: effort === 'low' || effort === 'high' ? effort : 'medium',
    requestTimeoutSeconds: Math.max(1, c.get<number>('requestTimeoutSeconds', 120)),
    endpoint: c.get<EndpointPreference>('endpoint', 'auto'),
    extraBody: c.get<Record<string, unknown>>('extraBody', {}) ?? {},
    maxOutputTokens: Math.max(16, c.get<number>('maxOutputTokens', 8192)),
    logLevel: c.get<LogLevel>('logLevel', 'info'),
    servers: asServers(c.get('servers', [])),
  };
}
