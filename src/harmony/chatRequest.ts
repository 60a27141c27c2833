// An OpenAI chat-completions request (the shape vLLM, llama.cpp, Ollama and LM Studio
// accept: messages, tools, reasoning_effort) → a Harmony conversation, as the format guide
// (https://cookbook.openai.com/articles/openai-harmony) and harmony's src/encoding.rs lay it out.
// Input is untrusted JSON: every field is checked and a bad one is named in the error.
import { HarmonyInputError } from './errors';
import { functionNames, modelFunctionName, type FunctionNames } from './functionNames';
import { isObject, nestsDeeperThan } from './json';
import { renderForCompletion, type AnalysisPolicy, type RenderOptions } from './render';
import { MAX_SCHEMA_DEPTH, type SchemaStyle } from './schemaToTs';
import { JSON_CALL_CONTENT_TYPE, MESSAGE_STOP_TOKENS, Special, VOCAB_SIZE } from './tokens';
import {
  REASONING_EFFORTS,
  reasoningEffortChoices,
  defaultSystemContent,
  developerMessage,
  message,
  systemMessage,
  text,
  toolResultMessage,
  type Content,
  type JsonSchema,
  type Message,
  type ReasoningEffort,
  type ToolDescription,
} from './types';

export interface ChatRequestOptions {
  /** `Current date:` line; default today (local time). `null` leaves the line out. */
  readonly date?: string | null;
  /** Overrides the request's `reasoning_effort`. */
  readonly effort?: ReasoningEffort;
  /** Which earlier analysis to keep (default: drop finished turns). */
  readonly analysis?: AnalysisPolicy;
  /** How tool descriptions and schemas are written (default `safe`; `harmony` for harmony's exact text). */
  readonly schemaStyle?: SchemaStyle;
  readonly knowledgeCutoff?: string;
  readonly modelIdentity?: string;
}

export interface HarmonyConversation {
  readonly messages: Message[];
  readonly functionNames: FunctionNames;
}

type Json = unknown;

function today(): string {
  const now = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Text parts of a `content` field; each part stays its own content item, as vLLM passes them. */
function contentParts(content: Json, path: string): string[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [content];
  if (!Array.isArray(content)) throw new HarmonyInputError(path, 'must be a string, null, or an array of text parts');
  return content.flatMap((part, i) => {
    const partPath = `${path}[${i}]`;
    if (typeof part === 'string') return part === '' ? [] : [part];
    if (!isObject(part)) throw new HarmonyInputError(partPath, 'must be a text part object');
    if (part.type === 'image_url' || part.type === 'input_image' || part.type === 'image') {
      throw new HarmonyInputError(partPath, 'gpt-oss reads text only; images cannot be sent to it');
    }
    if ((part.type === 'text' || part.type === 'input_text' || part.type === undefined) && typeof part.text === 'string') {
      return part.text === '' ? [] : [part.text];
    }
    throw new HarmonyInputError(partPath, `unsupported content part type ${JSON.stringify(part.type)} (only text is accepted)`);
  });
}

function textContent(parts: string[]): Content[] {
  return parts.map(text);
}

function reasoningOf(m: Record<string, Json>, path: string): string[] {
  for (const key of ['reasoning', 'reasoning_content', 'thinking']) {
    const value = m[key];
    if (value !== undefined && value !== null) return contentParts(value, `${path}.${key}`);
  }
  return [];
}

function effortOf(value: Json, path: string): ReasoningEffort | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && (REASONING_EFFORTS as readonly string[]).includes(value)) return value as ReasoningEffort;
  throw new HarmonyInputError(path, `must be ${reasoningEffortChoices(true)}, not ${JSON.stringify(value)}`);
}

function toolDescriptions(tools: Json, names: FunctionNames): ToolDescription[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw new HarmonyInputError('tools', 'must be an array');
  return tools.map((tool, i) => {
    const path = `tools[${i}]`;
    if (!isObject(tool)) throw new HarmonyInputError(path, 'must be an object');
    if (tool.type !== undefined && tool.type !== 'function') throw new HarmonyInputError(`${path}.type`, `only "function" tools are supported, not ${JSON.stringify(tool.type)}`);
    const fn = tool.function;
    if (!isObject(fn)) throw new HarmonyInputError(`${path}.function`, 'must be an object with a name');
    const name = fn.name as string;
    if (fn.description !== undefined && fn.description !== null && typeof fn.description !== 'string') {
      throw new HarmonyInputError(`${path}.function.description`, 'must be a string');
    }
    const parameters = fn.parameters;
    if (parameters !== undefined && parameters !== null && !isObject(parameters)) {
      throw new HarmonyInputError(`${path}.function.parameters`, 'must be a JSON Schema object');
    }
    if (nestsDeeperThan(parameters, MAX_SCHEMA_DEPTH)) {
      throw new HarmonyInputError(`${path}.function.parameters`, `the schema of tool ${JSON.stringify(name)} nests deeper than ${MAX_SCHEMA_DEPTH} levels (the limit)`);
    }
    return {
      name: modelFunctionName(names, name),
      description: (fn.description as string | undefined) ?? '',
      ...(isObject(parameters) ? { parameters: parameters as JsonSchema } : {}),
    };
  });
}

function toolNamesOf(tools: Json): string[] {
  if (!Array.isArray(tools)) return [];
  const firstIndex = new Map<string, number>();
  return tools.flatMap((tool, i) => {
    const name = isObject(tool) && isObject(tool.function) ? tool.function.name : undefined;
    if (typeof name !== 'string' || name === '') throw new HarmonyInputError(`tools[${i}].function.name`, 'must be a non-empty string');
    const first = firstIndex.get(name);
    if (first !== undefined) throw new HarmonyInputError(`tools[${i}].function.name`, `duplicate tool name ${JSON.stringify(name)} (also tools[${first}])`);
    firstIndex.set(name, i);
    return [name];
  });
}

function argumentsText(value: Json, path: string): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '{}';
  if (isObject(value)) {
    if (nestsDeeperThan(value, MAX_SCHEMA_DEPTH)) throw new HarmonyInputError(path, `nests deeper than ${MAX_SCHEMA_DEPTH} levels (the limit)`);
    return JSON.stringify(value);
  }
  throw new HarmonyInputError(path, 'must be a JSON string or an object');
}

interface Turn {
  readonly messages: Message[];
  readonly callNames: Map<string, string>;
}

/**
 * The model's own tokens for this assistant message (`harmony_tokens`, our extension of the
 * request shape): from `<|start|>assistant` to its stop token, exactly as generated.
 */
function harmonyTokensOf(value: Json, path: string): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  const valid =
    Array.isArray(value) &&
    value.length >= 3 &&
    value.every((id) => Number.isInteger(id) && id >= 0 && id < VOCAB_SIZE) &&
    value[0] === Special.start &&
    MESSAGE_STOP_TOKENS.has(value[value.length - 1] as number);
  if (!valid) throw new HarmonyInputError(path, 'must be token ids from <|start|> to a stop token');
  return value as number[];
}

function assistantMessages(
  m: Record<string, Json>,
  path: string,
  names: FunctionNames,
  callNames: Map<string, string>,
  reuseTokens: boolean,
): Message[] {
  const out: Message[] = [];
  const tokens = harmonyTokensOf(m.harmony_tokens, `${path}.harmony_tokens`);
  const reasoning = reasoningOf(m, path);
  if (reasoning.length > 0) out.push(message('assistant', textContent(reasoning), { channel: 'analysis' }));
  const calls = m.tool_calls ?? [];
  if (!Array.isArray(calls)) throw new HarmonyInputError(`${path}.tool_calls`, 'must be an array');
  const content = contentParts(m.content, `${path}.content`);
  if (content.length > 0) out.push(message('assistant', textContent(content), { channel: calls.length > 0 ? 'commentary' : 'final' }));
  calls.forEach((call, i) => {
    const callPath = `${path}.tool_calls[${i}]`;
    if (!isObject(call) || !isObject(call.function)) throw new HarmonyInputError(callPath, 'must be an object with a function');
    const name = call.function.name;
    if (typeof name !== 'string' || name === '') throw new HarmonyInputError(`${callPath}.function.name`, 'must be a non-empty string');
    if (typeof call.id === 'string') callNames.set(call.id, name);
    out.push(
      message('assistant', argumentsText(call.function.arguments, `${callPath}.function.arguments`), {
        channel: 'commentary',
        recipient: `functions.${modelFunctionName(names, name)}`,
        contentType: JSON_CALL_CONTENT_TYPE,
      }),
    );
  });
  if (tokens !== undefined && reuseTokens) {
    // One message standing for all of them; keep the last one's header so policies still see a call.
    const last = out[out.length - 1];
    return last === undefined ? [] : [{ ...last, tokens: tokens.map((id) => (id === Special.return ? Special.end : id)) }];
  }
  return out;
}

function toolMessage(m: Record<string, Json>, path: string, names: FunctionNames, callNames: ReadonlyMap<string, string>): Message {
  const id = m.tool_call_id;
  let name = typeof id === 'string' ? callNames.get(id) : undefined;
  if (name === undefined && typeof m.name === 'string' && m.name !== '') name = m.name;
  if (name === undefined) {
    throw new HarmonyInputError(
      `${path}.tool_call_id`,
      typeof id === 'string' ? `${JSON.stringify(id)} matches no earlier assistant tool call` : 'is missing, and the message has no name',
    );
  }
  return toolResultMessage(`functions.${modelFunctionName(names, name)}`, textContent(contentParts(m.content, `${path}.content`)));
}

function conversationMessages(messages: Json[], names: FunctionNames): { instructions: string[]; turn: Turn } {
  const instructions: string[] = [];
  const turn: Turn = { messages: [], callNames: new Map() };
  // The model's exact tokens are reused only in the turn still going: finished turns lose their analysis.
  const lastUser = messages.reduce<number>((last, m, i) => (isObject(m) && m.role === 'user' ? i : last), -1);
  messages.forEach((m, i) => {
    const path = `messages[${i}]`;
    if (!isObject(m)) throw new HarmonyInputError(path, 'must be an object');
    switch (m.role) {
      case 'system':
      case 'developer':
        instructions.push(contentParts(m.content, `${path}.content`).join(''));
        return;
      case 'user':
        turn.messages.push(message('user', textContent(contentParts(m.content, `${path}.content`))));
        return;
      case 'assistant':
        for (const assistant of assistantMessages(m, path, names, turn.callNames, i > lastUser)) turn.messages.push(assistant);
        return;
      case 'tool':
        turn.messages.push(toolMessage(m, path, names, turn.callNames));
        return;
      default:
        throw new HarmonyInputError(`${path}.role`, `unknown role ${JSON.stringify(m.role)} (expected system, developer, user, assistant or tool)`);
    }
  });
  return { instructions, turn };
}

/** The Harmony conversation of a chat-completions request, system and developer messages first. */
export function conversationFromChatRequest(request: Json, options: ChatRequestOptions = {}): HarmonyConversation {
  if (!isObject(request)) throw new HarmonyInputError('', 'the request must be a JSON object with a "messages" array');
  if (!Array.isArray(request.messages)) throw new HarmonyInputError('messages', 'must be an array');
  const names = functionNames(toolNamesOf(request.tools));
  const tools = toolDescriptions(request.tools, names);
  const { instructions, turn } = conversationMessages(request.messages, names);
  const effort = options.effort ?? effortOf(request.reasoning_effort, 'reasoning_effort') ?? 'medium';
  const date = options.date === undefined ? today() : options.date;
  const system = defaultSystemContent({
    reasoningEffort: effort,
    ...(date === null ? {} : { conversationStartDate: date }),
    ...(options.knowledgeCutoff === undefined ? {} : { knowledgeCutoff: options.knowledgeCutoff }),
    ...(options.modelIdentity === undefined ? {} : { modelIdentity: options.modelIdentity }),
  });
  const nonEmpty = instructions.filter((s) => s !== '');
  const developer =
    nonEmpty.length > 0 || tools.length > 0
      ? [
          developerMessage({
            ...(nonEmpty.length > 0 ? { instructions: nonEmpty.join('\n\n') } : {}),
            ...(tools.length > 0 ? { tools: [{ name: 'functions', tools }] } : {}),
          }),
        ]
      : [];
  return { messages: [systemMessage(system), ...developer, ...turn.messages], functionNames: names };
}

export interface RenderedChatRequest extends HarmonyConversation {
  /** The completion prompt, ending with `<|start|>assistant`. */
  readonly ids: number[];
}

/** The completion prompt of a chat-completions request. */
export function renderChatRequest(request: Json, options: ChatRequestOptions = {}): RenderedChatRequest {
  const conversation = conversationFromChatRequest(request, options);
  const renderOptions: RenderOptions = {
    ...(options.analysis === undefined ? {} : { analysis: options.analysis }),
    ...(options.schemaStyle === undefined ? {} : { schemaStyle: options.schemaStyle }),
  };
  const ids = renderForCompletion(conversation.messages, 'assistant', renderOptions);
  return { ...conversation, ids };
}
