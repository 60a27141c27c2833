// The gptOss.* settings as typed values. Settings are user input: each value is checked, and
// an invalid one is reported (what was found, what is allowed) and replaced by its default,
// so a typo never reaches a request. Plain functions of `unknown`, without vscode.
import { REASONING_EFFORTS, isObject, type ReasoningEffort } from '../../harmony';
import { ENDPOINT_CHOICES, SERVER_KINDS, type EndpointChoice, type ServerKind } from '../../servers';

export type EndpointPreference = EndpointChoice | 'auto';
export const ENDPOINT_PREFERENCES: readonly EndpointPreference[] = ['auto', ...ENDPOINT_CHOICES];

/** From most to least verbose: a level shows itself and everything after it. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'off'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type ServerKindSetting = ServerKind | 'auto';
const SERVER_KIND_SETTINGS: readonly ServerKindSetting[] = ['auto', ...SERVER_KINDS];

/** Sampling the user set for a server or a model, in the transport's names (`top_p` → topP). */
export interface SamplingSettings {
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly minP?: number;
  /** Most tokens per response for this model, over gptOss.maxOutputTokens. */
  readonly maxTokens?: number;
}

/** What gpt-oss is meant to run with (OpenAI's model card): sent unless a server or model sets otherwise. */
export const DEFAULT_SAMPLING: SamplingSettings = { temperature: 1, topP: 1 };

/** A server the user configured: in the Language Models editor, or in `gptOss.servers`. */
export interface ServerSettings {
  readonly url: string;
  readonly kind: ServerKindSetting;
  readonly name?: string;
  readonly models?: readonly string[];
  readonly apiKey?: string;
  /** Sent with every request; a value may hold `${secret}`, filled from secret storage (credentials.ts). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Header values taken from secret storage, once filled in: never printed. */
  readonly secrets?: readonly string[];
  /** For every model of this server. */
  readonly sampling?: SamplingSettings;
  /** Per model id, over the server's. */
  readonly modelSampling?: Readonly<Record<string, SamplingSettings>>;
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

/** The user's names of the sampling fields, their range, and the transport's names. */
const SAMPLING_FIELDS = [
  { key: 'temperature', field: 'temperature', min: 0, max: 2, integer: false, allowed: 'a number from 0 to 2' },
  { key: 'top_p', field: 'topP', min: 0, max: 1, integer: false, allowed: 'a number from 0 to 1' },
  { key: 'top_k', field: 'topK', min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, allowed: 'a whole number of at least 0 (0: off)' },
  { key: 'min_p', field: 'minP', min: 0, max: 1, integer: false, allowed: 'a number from 0 to 1' },
  { key: 'maxTokens', field: 'maxTokens', min: 16, max: Number.MAX_SAFE_INTEGER, integer: true, allowed: 'a whole number of at least 16' },
] as const;

/** The sampling fields of a server or model entry; a bad value is left out with a warning. */
function samplingOf(name: string, entry: Readonly<Record<string, unknown>>, warn: Warn): SamplingSettings | undefined {
  const out: Record<string, number> = {};
  for (const { key, field, min, max, integer, allowed } of SAMPLING_FIELDS) {
    const value = entry[key];
    if (value === undefined) continue;
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value))) out[field] = value;
    else warn(`${name}.${key}: ${shown(value)} is not ${allowed}; left out.`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the transport sets itself (or the HTTP layer does); a user value would break the request. */
const OUR_HEADERS = new Set(['content-type', 'content-length', 'accept', 'host', 'connection', 'transfer-encoding']);

function headerMap(name: string, value: unknown, warn: Warn): Record<string, string> | undefined {
  if (!isObject(value)) {
    warn(`${name}: ${shown(value)} is not an object of header names and values; no headers are sent.`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [header, text] of Object.entries(value)) {
    // The value is not shown: it may be a secret typed in by mistake.
    if (!HEADER_NAME.test(header)) warn(`${name}: ${JSON.stringify(header)} is not a header name; left out.`);
    else if (OUR_HEADERS.has(header.toLowerCase())) warn(`${name}: ${header} is set by the extension itself; left out.`);
    else if (typeof text !== 'string' || /[\r\n\0]/.test(text)) warn(`${name} (${header}): not a one-line string; left out.`);
    else out[header] = text;
  }
  return Object.keys(out).length > 0 ? out : undefined;
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
  const headers = entry.headers === undefined ? undefined : headerMap(`${name}.headers`, entry.headers, warn);
  const sampling = samplingOf(name, entry, warn);
  return {
    url: entry.url.trim().replace(/\/+$/, ''),
    kind,
    ...(typeof entry.name === 'string' && entry.name !== '' ? { name: entry.name } : {}),
    ...(models && models.ids.length > 0 ? { models: models.ids } : {}),
    ...(typeof entry.apiKey === 'string' && entry.apiKey !== '' ? { apiKey: entry.apiKey } : {}),
    ...(headers ? { headers } : {}),
    ...(sampling ? { sampling } : {}),
    ...(models && Object.keys(models.sampling).length > 0 ? { modelSampling: models.sampling } : {}),
  };
}

/** Model ids, each a string or `{ "id": …, "temperature": …, … }` with its own sampling. */
function modelList(name: string, value: unknown, warn: Warn): { ids: string[]; sampling: Record<string, SamplingSettings> } | undefined {
  if (!Array.isArray(value)) {
    warn(`${name}: ${shown(value)} is not a list of model ids; every gpt-oss model of the server is offered.`);
    return undefined;
  }
  const ids: string[] = [];
  const sampling: Record<string, SamplingSettings> = {};
  value.forEach((entry: unknown, i) => {
    if (typeof entry === 'string') ids.push(entry);
    else if (isObject(entry) && typeof entry.id === 'string' && entry.id !== '') {
      ids.push(entry.id);
      const own = samplingOf(`${name}[${i}]`, entry, warn);
      if (own) sampling[entry.id] = own;
    } else warn(`${name}[${i}]: ${shown(entry)} is neither a model id nor an object with an "id"; left out.`);
  });
  return { ids, sampling };
}

/** What a model of this server runs with: the gpt-oss defaults, then the server's, then the model's own. */
export function samplingFor(server: ServerSettings, modelId: string): SamplingSettings {
  return { ...DEFAULT_SAMPLING, ...server.sampling, ...server.modelSampling?.[modelId] };
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
