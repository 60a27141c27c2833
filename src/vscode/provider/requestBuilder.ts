// What the provider sends for one chat response: VS Code's messages and tools as a
// chat-completions request (with the model's own tokens of the tool loop attached), the
// tool-mode instruction, the effort the user picked, and the rendered Harmony prompt.
import * as vscode from 'vscode';
import { REASONING_EFFORTS, renderChatRequest, type ReasoningEffort, type RenderedChatRequest } from '../../harmony';
import { toChatRequest, type ChatRequestFromVsCode, type CompletionTokenStore } from './messages';

export interface PreparedRequest {
  readonly chat: ChatRequestFromVsCode;
  readonly rendered: RenderedChatRequest;
  readonly effort: ReasoningEffort;
}

const REQUIRED_TOOL_INSTRUCTION = 'You must answer by calling one of the functions in the functions namespace.';

/** The per-model Thinking Effort the user picked in the chat (a runtime field), else the setting. */
export function effortOf(options: vscode.ProvideLanguageModelChatResponseOptions, fallback: ReasoningEffort): ReasoningEffort {
  const configured = (options as { modelConfiguration?: { reasoningEffort?: unknown } }).modelConfiguration?.reasoningEffort;
  return REASONING_EFFORTS.find((effort) => effort === configured) ?? fallback;
}

/** Tool mode Required has no Harmony field: the model is told in a system message at the end. */
export function withToolMode(request: ChatRequestFromVsCode, options: vscode.ProvideLanguageModelChatResponseOptions): ChatRequestFromVsCode {
  const required = options.toolMode === vscode.LanguageModelChatToolMode.Required && (options.tools?.length ?? 0) > 0;
  return required ? { ...request, messages: [...request.messages, { role: 'system', content: REQUIRED_TOOL_INSTRUCTION }] } : request;
}

/** Throws (HarmonyInputError, UnsupportedInputError) on input that cannot be sent, before any request is made. */
export function prepareRequest(
  messages: readonly vscode.LanguageModelChatRequestMessage[],
  options: vscode.ProvideLanguageModelChatResponseOptions,
  tokens: CompletionTokenStore,
  defaultEffort: ReasoningEffort,
): PreparedRequest {
  const effort = effortOf(options, defaultEffort);
  const chat = withToolMode(toChatRequest(messages, options.tools, tokens), options);
  return { chat, rendered: renderChatRequest(chat, { effort }), effort };
}
