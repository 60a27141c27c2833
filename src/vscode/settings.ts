// The gptOss.* settings as typed values. Settings are user input: each value is checked, and
// an invalid one is reported (what was found, what is allowed) and replaced by its default,
// so a typo never reaches a request. Plain functions of `unknown`, without vscode.
import { REASONING_EFFORTS, isObject, type ReasoningEffort } from '../harmony';
import { SERVER_KINDS, type EndpointChoice, type ServerKind } from '../servers';

export type EndpointPreference = EndpointChoice | 'auto';
export const ENDPOINT_PREFERENCES: readonly EndpointPreference[] = ['auto', 'raw', 'chat'];

/** From most to least verbose: a level shows itself and everything after it. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'off'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type ServerKindSetting = ServerKind | 'auto';
const SERVER_KIND_SETTINGS: readonly ServerKindSetting[] = ['auto', ...SERVER_KINDS];

/** A server the user configured: in the Language Models editor, or in `gptOss.servers`. */
export interface ServerSettings {
  readonly url: string;
  readonly kind: ServerKindSetting;
  readonly name?: string;
  readonly models?: readonly string[];
  readonly apiKey?: string;
}

export interface Settings {
  readonly reasoningEffort: ReasoningEffort;
  readonly requestTimeoutSeconds: number;
  /** Longest a whole request may take, however busy the server is; 0: no deadline. */
  readonly requestDeadlineSeconds: number;
  readonly endpoint: EndpointPreference;
  readonly extraBody: Readonly<Record<string, unknown>>;
  readonly maxOutputTokens: number;
  readonly logLevel: LogLevel;
  readonly servers: readonly ServerSettings[];
  /** Exchanges kept for "Open Last Request as Transcript". */
  readonly requestLogSize: number;
  /** A folder each exchange is also saved to as a .harmony transcript; empty: none. */
  readonly requestLogFolder: string;
}

/** The defaults package.json declares (a unit test holds the two together). */
export const DEFAULT_SETTINGS: Settings = {
  reasoningEffort: 'medium',
  requestTimeoutSeconds: 120,
  requestDeadlineSeconds: 0,
  endpoint: 'auto',
  extraBody: {},
  maxOutputTokens: 8192,
  logLevel: 'info',
  servers: [],
  requestLogSize: 20,
  requestLogFolder: '',
};

/** Called with one sentence per invalid value. */
export type Warn = (message: string) => void;

function shown(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T, warn: Warn): T {
  const found = allowed.find((option) => option === value);
  if (found !== undefined || value === undefined) return found ?? fallback;
  warn(`${name}: ${shown(value)} is not one of ${allowed.join(', ')}; using "${fallback}".`);
  return fallback;
}

function numberAtLeast(name: string, value: unknown, minimum: number, fallback: number, warn: Warn): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= minimum) return value;
  warn(`${name}: ${shown(value)} is not a number of at least ${minimum}; using ${fallback}.`);
  return fallback;
}

function text(name: string, value: unknown, fallback: string, warn: Warn): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string') return value.trim();
  warn(`${name}: ${shown(value)} is not a string; using ${shown(fallback)}.`);
  return fallback;
}

function plainObject(name: string, value: unknown, warn: Warn): Readonly<Record<string, unknown>> {
  if (value === undefined) return {};
  if (isObject(value)) return value;
  warn(`${name}: ${shown(value)} is not an object of request fields; using {}.`);
  return {};
}

/**
 * A server entry from `gptOss.servers` or from the Language Models editor; undefined (with a
 * warning) when it has no URL. A bad kind falls back to auto, a bad field is left out.
 */
export function asServer(entry: unknown, name: string, warn: Warn): ServerSettings | undefined {
  if (!isObject(entry) || typeof entry.url !== 'string' || entry.url.trim() === '') {
    warn(`${name}: ${shown(entry)} has no "url"; this server is left out.`);
    return undefined;
  }
  const kind = oneOf(`${name}.kind`, entry.kind, SERVER_KIND_SETTINGS, 'auto', warn);
  const models = entry.models === undefined ? undefined : modelList(`${name}.models`, entry.models, warn);
  if (entry.name !== undefined && typeof entry.name !== 'string') warn(`${name}.name: ${shown(entry.name)} is not a string; left out.`);
  return {
    url: entry.url.trim().replace(/\/+$/, ''),
    kind,
    ...(typeof entry.name === 'string' && entry.name !== '' ? { name: entry.name } : {}),
    ...(models && models.length > 0 ? { models } : {}),
    ...(typeof entry.apiKey === 'string' && entry.apiKey !== '' ? { apiKey: entry.apiKey } : {}),
  };
}

function modelList(name: string, value: unknown, warn: Warn): string[] | undefined {
  if (Array.isArray(value) && value.every((m) => typeof m === 'string')) return value;
  warn(`${name}: ${shown(value)} is not a list of model ids; every gpt-oss model of the server is offered.`);
  return undefined;
}

function serverList(value: unknown, warn: Warn): ServerSettings[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    warn(`gptOss.servers: ${shown(value)} is not a list of servers; using [].`);
    return [];
  }
  return value.flatMap((entry, i) => asServer(entry, `gptOss.servers[${i}]`, warn) ?? []);
}

/** `read(key)` is the value of `gptOss.<key>` (undefined: the default); each invalid value is warned about once per call. */
export function validateSettings(read: (key: keyof Settings) => unknown, warn: Warn): Settings {
  const d = DEFAULT_SETTINGS;
  return {
    reasoningEffort: oneOf('gptOss.reasoningEffort', read('reasoningEffort'), REASONING_EFFORTS, d.reasoningEffort, warn),
    requestTimeoutSeconds: numberAtLeast('gptOss.requestTimeoutSeconds', read('requestTimeoutSeconds'), 1, d.requestTimeoutSeconds, warn),
    requestDeadlineSeconds: numberAtLeast('gptOss.requestDeadlineSeconds', read('requestDeadlineSeconds'), 0, d.requestDeadlineSeconds, warn),
    endpoint: oneOf('gptOss.endpoint', read('endpoint'), ENDPOINT_PREFERENCES, d.endpoint, warn),
    extraBody: plainObject('gptOss.extraBody', read('extraBody'), warn),
    maxOutputTokens: Math.floor(numberAtLeast('gptOss.maxOutputTokens', read('maxOutputTokens'), 16, d.maxOutputTokens, warn)),
    logLevel: oneOf('gptOss.logLevel', read('logLevel'), LOG_LEVELS, d.logLevel, warn),
    servers: serverList(read('servers'), warn),
    requestLogSize: Math.floor(numberAtLeast('gptOss.requestLogSize', read('requestLogSize'), 0, d.requestLogSize, warn)),
    requestLogFolder: text('gptOss.requestLogFolder', read('requestLogFolder'), d.requestLogFolder, warn),
  };
}

/**
 * Settings are read at every request and log line: each invalid value is warned about when it
 * first appears, not again while it stays (it is again once fixed and broken anew).
 */
export function createSettingsReader(read: (key: keyof Settings) => unknown, warn: Warn): () => Settings {
  let warned = new Set<string>();
  return () => {
    const current = new Set<string>();
    const settings = validateSettings(read, (message) => current.add(message));
    for (const message of current) if (!warned.has(message)) warn(message);
    warned = current;
    return settings;
  };
}
