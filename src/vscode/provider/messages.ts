// VS Code chat messages and tools → the OpenAI chat-completions shape that the Harmony
// library renders (and the chat fallback sends), with the model's own tokens attached
// to assistant messages of the ongoing tool loop.
import * as vscode from 'vscode';
import { isThinkingPart, thinkingText } from './thinkingPart';

/** Data parts Copilot sends for its own bookkeeping; they are not model input. */
const IGNORED_DATA = new Set(['cache_control', 'stateful_marker', 'usage', 'context_management']);

const SYSTEM_ROLE = 3;

export class UnsupportedInputError extends Error {
  override name = 'UnsupportedInputError';
}

/** The chat-completions request built from VS Code's messages and tools. */
export interface ChatRequestFromVsCode {
  readonly messages: readonly Record<string, unknown>[];
  readonly tools?: readonly Record<string, unknown>[];
}

/** Where the tokens the model generated for a response are kept, keyed by its tool call id. */
export interface CompletionTokenStore {
  get(callId: string): readonly number[] | undefined;
}

const decoder = new TextDecoder();

function dataPartText(part: vscode.LanguageModelDataPart): string | undefined {
  if (IGNORED_DATA.has(part.mimeType)) return undefined;
  if (part.mimeType.startsWith('image/')) {
    throw new UnsupportedInputError('gpt-oss reads text only: remove the image from the request (images cannot be sent to it).');
  }
  return decoder.decode(part.data);
}

/** A tool result's content as text (text parts, JSON/text data parts, anything else as JSON). */
function toolResultText(part: vscode.LanguageModelToolResultPart): string {
  return part.content
    .map((item) => {
      if (item instanceof vscode.LanguageModelTextPart) return item.value;
      if (item instanceof vscode.LanguageModelDataPart) return dataPartText(item) ?? '';
      if (item instanceof vscode.LanguageModelPromptTsxPart) return JSON.stringify(item.value);
      return typeof item === 'string' ? item : JSON.stringify(item);
    })
    .join('');
}

function userMessages(message: vscode.LanguageModelChatRequestMessage): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let text: string[] = [];
  const flush = (): void => {
    if (text.length > 0) out.push({ role: 'user', content: text.join('') });
    text = [];
  };
  for (const part of message.content) {
    if (part instanceof vscode.LanguageModelToolResultPart) {
      flush();
      out.push({ role: 'tool', tool_call_id: part.callId, content: toolResultText(part) });
    } else if (part instanceof vscode.LanguageModelTextPart) {
      text.push(part.value);
    } else if (part instanceof vscode.LanguageModelDataPart) {
      const value = dataPartText(part);
      if (value !== undefined) text.push(value);
    }
  }
  flush();
  return out;
}

function assistantMessage(message: vscode.LanguageModelChatRequestMessage, store: CompletionTokenStore): Record<string, unknown> {
  const reasoning: string[] = [];
  const content: string[] = [];
  const toolCalls: Record<string, unknown>[] = [];
  for (const part of message.content) {
    if (isThinkingPart(part)) reasoning.push(thinkingText(part));
    else if (part instanceof vscode.LanguageModelTextPart) content.push(part.value);
    else if (part instanceof vscode.LanguageModelToolCallPart) {
      toolCalls.push({ id: part.callId, type: 'function', function: { name: part.name, arguments: JSON.stringify(part.input) } });
    }
  }
  const out: Record<string, unknown> = { role: 'assistant', content: content.join('') };
  if (reasoning.length > 0) out.reasoning = reasoning.join('');
  if (toolCalls.length > 0) {
    out.tool_calls = toolCalls;
    const tokens = store.get(String((toolCalls[0] as { id: string }).id));
    if (tokens !== undefined) out.harmony_tokens = [...tokens];
  }
  return out;
}

export function toChatRequest(
  messages: readonly vscode.LanguageModelChatRequestMessage[],
  tools: readonly vscode.LanguageModelChatTool[] | undefined,
  store: CompletionTokenStore,
): ChatRequestFromVsCode {
  const out: Record<string, unknown>[] = [];
  for (const message of messages) {
    if ((message.role as number) === SYSTEM_ROLE) {
      const text = message.content.filter((p) => p instanceof vscode.LanguageModelTextPart).map((p) => (p as vscode.LanguageModelTextPart).value);
      out.push({ role: 'system', content: text.join('') });
    } else if (message.role === vscode.LanguageModelChatMessageRole.Assistant) {
      out.push(assistantMessage(message, store));
    } else {
      out.push(...userMessages(message));
    }
  }
  if (!tools || tools.length === 0) return { messages: out };
  return {
    messages: out,
    tools: tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, ...(tool.inputSchema ? { parameters: tool.inputSchema } : {}) },
    })),
  };
}
