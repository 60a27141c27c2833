// Plain data for a Harmony conversation, after openai/harmony's chat.rs.

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export const ROLES: readonly Role[] = ['system', 'developer', 'user', 'assistant', 'tool'];

export type ReasoningEffort = 'low' | 'medium' | 'high';

export const REASONING_EFFORTS: readonly ReasoningEffort[] = ['low', 'medium', 'high'];

/** The efforts for a message: `low, medium or high`, or with `quoted`, `"low", "medium" or "high"`. */
export function reasoningEffortChoices(quoted = false): string {
  const words = REASONING_EFFORTS.map((e) => (quoted ? JSON.stringify(e) : e));
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** A JSON Schema as it arrives from a tool definition; only what the TypeScript rendering reads is typed. */
export type JsonSchema = { readonly [key: string]: unknown };

export interface Author {
  readonly role: Role;
  /** For role `tool`, the tool that speaks (`functions.get_weather`); otherwise an optional `:name`. */
  readonly name?: string;
}

export interface ToolDescription {
  readonly name: string;
  readonly description: string;
  /** Absent: the function takes no arguments (`() => any`). */
  readonly parameters?: JsonSchema;
}

export interface ToolNamespace {
  readonly name: string;
  readonly description?: string;
  readonly tools: readonly ToolDescription[];
}

export interface ChannelConfig {
  readonly validChannels: readonly string[];
  readonly channelRequired: boolean;
}

export interface SystemContent {
  readonly modelIdentity?: string;
  readonly reasoningEffort?: ReasoningEffort;
  /** Builtin tool namespaces (browser, python). Rendered in name order, as harmony's BTreeMap does. */
  readonly tools?: readonly ToolNamespace[];
  readonly conversationStartDate?: string;
  readonly knowledgeCutoff?: string;
  readonly channelConfig?: ChannelConfig;
}

export interface DeveloperContent {
  readonly instructions?: string;
  /** Function tool namespaces, usually one named `functions`. */
  readonly tools?: readonly ToolNamespace[];
}

export type Content =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'system'; readonly system: SystemContent }
  | { readonly type: 'developer'; readonly developer: DeveloperContent };

export interface Message {
  readonly author: Author;
  readonly recipient?: string;
  readonly channel?: string;
  /** `<|constrain|>json` renders the constrain token; anything else (`json`, `code`) is plain text. */
  readonly contentType?: string;
  readonly content: readonly Content[];
  /**
   * The exact tokens this message had when the model produced it (from `<|start|>` to its
   * stop token). When present they are sent instead of a fresh rendering, so that a
   * server's prefix cache still matches what it generated.
   */
  readonly tokens?: readonly number[];
}

export const DEFAULT_MODEL_IDENTITY = 'You are ChatGPT, a large language model trained by OpenAI.';
export const DEFAULT_KNOWLEDGE_CUTOFF = '2024-06';
export const DEFAULT_CHANNELS: ChannelConfig = { validChannels: ['analysis', 'commentary', 'final'], channelRequired: true };

/** harmony's `SystemContent::new()`: identity, cutoff 2024-06, medium effort, the three channels, no date. */
export function defaultSystemContent(overrides: Partial<SystemContent> = {}): SystemContent {
  return {
    modelIdentity: DEFAULT_MODEL_IDENTITY,
    reasoningEffort: 'medium',
    knowledgeCutoff: DEFAULT_KNOWLEDGE_CUTOFF,
    channelConfig: DEFAULT_CHANNELS,
    ...overrides,
  };
}

export function text(value: string): Content {
  return { type: 'text', text: value };
}

/** A message with text content; `fields` adds channel, recipient, content type or an author name. */
export function message(
  role: Role,
  content: string | readonly Content[],
  fields: { name?: string; channel?: string; recipient?: string; contentType?: string } = {},
): Message {
  const { name, ...rest } = fields;
  return {
    author: name === undefined ? { role } : { role, name },
    content: typeof content === 'string' ? [text(content)] : content,
    ...rest,
  };
}

export function systemMessage(system: SystemContent): Message {
  return { author: { role: 'system' }, content: [{ type: 'system', system }] };
}

export function developerMessage(developer: DeveloperContent): Message {
  return { author: { role: 'developer' }, content: [{ type: 'developer', developer }] };
}

/** A tool's answer, as harmony documents it: `functions.x to=assistant<|channel|>commentary`. */
export function toolResultMessage(toolName: string, output: string | readonly Content[]): Message {
  return message('tool', output, { name: toolName, recipient: 'assistant', channel: 'commentary' });
}
