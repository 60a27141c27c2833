// A server's models as VS Code's model picker shows them: gpt-oss models only (or the ones
// the user listed), with the context length the server reports, and a Thinking Effort picker.
import type * as vscode from 'vscode';
import { REASONING_EFFORTS } from '../../harmony';
import { AGENT_PROMPT_TOKENS, type ModelInfo } from '../../servers';
import { samplingFor, type ServerSettings, type Settings } from '../settings/settings';

export interface GptOssModel extends vscode.LanguageModelChatInformation {
  readonly server: ServerSettings;
  readonly modelId: string;
}

/** Assumed when the server does not say. */
const DEFAULT_CONTEXT = 131_072;

export function isGptOss(id: string): boolean {
  return /gpt[-_.]?oss/i.test(id);
}

export function serverLabel(server: ServerSettings): string {
  if (server.name) return server.name;
  try {
    return new URL(server.url).host;
  } catch {
    return server.url;
  }
}

/** The listed models the user wants from this server: the configured ids, else every gpt-oss. */
export function chosenModels(server: ServerSettings, listed: readonly ModelInfo[]): ModelInfo[] {
  const wanted = server.models;
  return listed.filter((m) => (wanted ? wanted.includes(m.id) : isGptOss(m.id)));
}

function family(id: string): string {
  return isGptOss(id) ? id.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^.*?(gpt-?oss)/, 'gpt-oss') : 'gpt-oss';
}

/** What the picker should say about a model besides its facts. */
export interface ModelStatus {
  /** The server could not be reached when the models were listed: why (the model is one the user configured). */
  readonly unreachable?: string | undefined;
  /**
   * Makes the picker's status icon (a ThemeIcon) from a codicon id; the caller passes it only where
   * VS Code has ThemeIcon, so the field is set only where it can be shown.
   */
  readonly icon?: ((codicon: string) => unknown) | undefined;
}

/** Codicon for a model whose server does not answer. */
export const UNREACHABLE_ICON = 'debug-disconnect';

/**
 * The picker's warnings, by category: VS Code reads `warningText` as a record and shows each value
 * (the hover, the entry's accessible description); a plain string would come out one character a line.
 */
function warnings(context: number, maxOutputTokens: number, status: ModelStatus): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (status.unreachable !== undefined) out.server = `Server not reachable: ${status.unreachable} Run Harmony: Check Server.`;
  if (context - maxOutputTokens < AGENT_PROMPT_TOKENS) {
    out.context = `Context of ${context} tokens: too small for agent mode (its prompt alone is about ${AGENT_PROMPT_TOKENS} tokens, plus ${maxOutputTokens} for the answer). Run Harmony: Check Server.`;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function modelInformation(server: ServerSettings, info: ModelInfo, settings: Settings, status: ModelStatus = {}): GptOssModel {
  const context = info.contextLength ?? DEFAULT_CONTEXT;
  const maxOutputTokens = Math.min(samplingFor(server, info.id).maxTokens ?? settings.maxOutputTokens, Math.floor(context / 2));
  const warningText = warnings(context, maxOutputTokens, status);
  // A variable, not a literal return: the runtime fields below are not in the stable type.
  const model = {
    id: `${info.id}@${server.url}`,
    name: info.id,
    family: family(info.id),
    version: '1',
    detail: `${serverLabel(server)} · Harmony`,
    tooltip: `${info.id} on ${server.url} (${server.kind}); context ${context} tokens${info.contextSource ? ` (${info.contextSource})` : ''}`,
    maxInputTokens: context - maxOutputTokens,
    // Read at run time like isUserSelectable (not in the stable type): the picker shows them by the model.
    ...(warningText === undefined ? {} : { warningText }),
    ...(status.unreachable !== undefined && status.icon !== undefined ? { statusIcon: status.icon(UNREACHABLE_ICON) } : {}),
    maxOutputTokens,
    capabilities: { toolCalling: true, imageInput: false },
    server,
    modelId: info.id,
    // Read at run time by VS Code without a proposal check (declared in the chatProvider proposal,
    // https://github.com/microsoft/vscode/blob/main/src/vscode-dts/vscode.proposed.chatProvider.d.ts,
    // and copied as is by src/vs/workbench/api/common/extHostLanguageModels.ts).
    isUserSelectable: true,
    // What the agent host (Agents window) reads to offer a bring-your-own-key model, copied by the
    // extension host without a proposal check (extHostLanguageModels.ts, $provideLanguageModelChatInfo):
    // it lists only models with isBYOK (VS Code infers it for non-Copilot extensions today; said here
    // outright), and its context window is maxContextWindowTokens, else input + output. The Thinking
    // Effort enum and default below become its supportedReasoningEfforts and defaultReasoningEffort
    // (agentHostByokLmHandler in VS Code's workbench; read in 1.139).
    isBYOK: true,
    maxContextWindowTokens: context,
    configurationSchema: {
      properties: {
        reasoningEffort: {
          type: 'string',
          title: 'Thinking Effort',
          enum: [...REASONING_EFFORTS],
          enumItemLabels: REASONING_EFFORTS.map((effort) => effort[0]!.toUpperCase() + effort.slice(1)),
          enumDescriptions: REASONING_EFFORTS.map((effort) => `Reasoning: ${effort}`),
          default: settings.reasoningEffort,
          group: 'navigation',
        },
      },
    },
  };
  return model;
}
