// The gpt-oss language-model provider: models from each configured server, requests
// rendered to Harmony token-exact, streamed back as thinking, text and tool calls.
import * as vscode from 'vscode';
import { renderChatRequest } from '../harmony/chatRequest';
import { HarmonyInputError } from '../harmony/errors';
import { encodeWithMarkup } from '../harmony/tokenizer';
import { Special } from '../harmony/tokens';
import { REASONING_EFFORTS, type ReasoningEffort } from '../harmony/types';
import { ServerError } from '../servers/errors';
import type { CompletionRequest, ModelInfo, ServerConfig, ServerKind, StreamEvent } from '../servers/types';
import { toAbortSignal } from './cancellation';
import { asServer, type ServerSettings, type Settings } from './config';
import type { Logger } from './logger';
import { UnsupportedInputError, toChatRequest } from './messages';
import { createResponseWriter } from './responseStream';
import { countTokens } from './tokenCount';

export interface ServerApi {
  listModels(config: ServerConfig, signal: AbortSignal): Promise<readonly ModelInfo[]>;
  complete(config: ServerConfig, request: CompletionRequest, signal: AbortSignal): AsyncIterable<StreamEvent>;
}

export interface ProviderDeps {
  readonly api: ServerApi;
  readonly log: Logger;
  readonly settings: () => Settings;
  /** The API key of a server configured in settings (kept in secret storage). */
  readonly apiKeyFor: (url: string) => Promise<string | undefined>;
}

interface GptOssModel extends vscode.LanguageModelChatInformation {
  readonly server: ServerSettings;
  readonly modelId: string;
}

const DEFAULT_CONTEXT = 131_072;
/** Responses whose tokens are kept for the next prompt (one per tool call); older ones fall out. */
const KEPT_COMPLETIONS = 256;

function isGptOss(id: string): boolean {
  return /gpt[-_.]?oss/i.test(id);
}

function serverLabel(server: ServerSettings): string {
  if (server.name) return server.name;
  try {
    return new URL(server.url).host;
  } catch {
    return server.url;
  }
}

function serverConfig(server: ServerSettings, settings: Settings, log: Logger, model?: string): ServerConfig {
  const kind = server.kind as ServerKind | 'auto';
  return {
    url: server.url,
    apiKey: server.apiKey,
    kind,
    endpoint: settings.endpoint,
    model,
    idleTimeoutMs: settings.requestTimeoutSeconds * 1000,
    extraBody: settings.extraBody,
    logger: log,
  };
}

function effortOf(options: vscode.ProvideLanguageModelChatResponseOptions, fallback: ReasoningEffort): ReasoningEffort {
  const configured = (options as { modelConfiguration?: { reasoningEffort?: unknown } }).modelConfiguration?.reasoningEffort;
  return typeof configured === 'string' && (REASONING_EFFORTS as readonly string[]).includes(configured) ? (configured as ReasoningEffort) : fallback;
}

/** What a user can act on: which server, what went wrong, what to check. */
function userMessage(error: unknown, server: ServerSettings): string {
  if (error instanceof ServerError) return error.message;
  if (error instanceof HarmonyInputError || error instanceof UnsupportedInputError) return `gpt-oss: ${error.message}`;
  return `gpt-oss (${server.url}): ${error instanceof Error ? error.message : String(error)}`;
}

export class GptOssChatProvider implements vscode.LanguageModelChatProvider<GptOssModel>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  private readonly completions = new Map<string, readonly number[]>();
  private callCounter = 0;

  constructor(private readonly deps: ProviderDeps) {}

  dispose(): void {
    this.changed.dispose();
  }

  /** Settings changed: VS Code asks for the models again. */
  refresh(): void {
    this.changed.fire();
  }

  async provideLanguageModelChatInformation(
    options: vscode.PrepareLanguageModelChatModelOptions,
    token: vscode.CancellationToken,
  ): Promise<GptOssModel[]> {
    const settings = this.deps.settings();
    // A server added in the Language Models editor arrives as `configuration` (runtime field).
    const configured = asServer((options as { configuration?: unknown }).configuration);
    const servers = configured ? [configured] : settings.servers;
    const abort = toAbortSignal(token);
    try {
      const lists = await Promise.all(servers.map((server) => this.modelsOf(server, settings, abort.signal)));
      return lists.flat();
    } finally {
      abort.dispose();
    }
  }

  private async modelsOf(server: ServerSettings, settings: Settings, signal: AbortSignal): Promise<GptOssModel[]> {
    const apiKey = server.apiKey ?? (await this.deps.apiKeyFor(server.url));
    const withKey: ServerSettings = apiKey === undefined ? server : { ...server, apiKey };
    let listed: readonly ModelInfo[];
    try {
      listed = await this.deps.api.listModels(serverConfig(withKey, settings, this.deps.log), signal);
    } catch (error) {
      // Listing runs silently in the background: a server that is down shows no models, and says why in the log.
      this.deps.log.warn(`no models from ${server.url}: ${userMessage(error, server)}`);
      return [];
    }
    const wanted = server.models;
    const chosen = listed.filter((m) => (wanted ? wanted.includes(m.id) : isGptOss(m.id)));
    return chosen.map((m) => this.modelInformation(withKey, m, settings));
  }

  private modelInformation(server: ServerSettings, info: ModelInfo, settings: Settings): GptOssModel {
    const context = info.contextLength ?? DEFAULT_CONTEXT;
    const maxOutputTokens = Math.min(settings.maxOutputTokens, Math.floor(context / 2));
    const model = {
      id: `${info.id}@${server.url}`,
      name: info.id,
      family: isGptOss(info.id) ? info.id.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^.*?(gpt-?oss)/, 'gpt-oss') : 'gpt-oss',
      version: '1',
      detail: `${serverLabel(server)} · Harmony`,
      tooltip: `${info.id} on ${server.url} (${server.kind}); context ${context} tokens${info.contextSource ? ` (${info.contextSource})` : ''}`,
      maxInputTokens: context - maxOutputTokens,
      maxOutputTokens,
      capabilities: { toolCalling: true, imageInput: false },
      server,
      modelId: info.id,
      // Read at run time by VS Code without a proposal check (API-RESEARCH.md §1.5–1.6).
      isUserSelectable: true,
      configurationSchema: {
        properties: {
          reasoningEffort: {
            type: 'string',
            title: 'Thinking Effort',
            enum: ['low', 'medium', 'high'],
            enumItemLabels: ['Low', 'Medium', 'High'],
            enumDescriptions: ['Reasoning: low', 'Reasoning: medium', 'Reasoning: high'],
            default: settings.reasoningEffort,
            group: 'navigation',
          },
        },
      },
    };
    return model;
  }

  async provideLanguageModelChatResponse(
    model: GptOssModel,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const settings = this.deps.settings();
    const server = model.server;
    const effort = effortOf(options, settings.reasoningEffort);
    let request;
    let rendered;
    try {
      request = toChatRequest(messages, options.tools, this.completions);
      if (options.toolMode === vscode.LanguageModelChatToolMode.Required && (options.tools?.length ?? 0) > 0) {
        request.messages.push({ role: 'system', content: 'You must answer by calling one of the functions in the functions namespace.' });
      }
      rendered = renderChatRequest(request, { effort });
    } catch (error) {
      // Input we cannot send (an image, a malformed tool schema): say what, before any request is made.
      throw new Error(userMessage(error, server));
    }
    const writer = createResponseWriter(progress, {
      functionNames: rendered.functionNames.fromModel,
      newCallId: () => `call_${Date.now().toString(36)}_${++this.callCounter}`,
      log: (m) => this.deps.log.debug(m),
    });
    const abort = toAbortSignal(token);
    let usage: { promptTokens?: number | undefined; completionTokens?: number | undefined } | undefined;
    let completion: { ids?: readonly number[] | undefined; text: string } | undefined;
    let lastStop: string | undefined;
    this.deps.log.info(`request to ${model.modelId} at ${server.url}: ${rendered.ids.length} prompt tokens, ${options.tools?.length ?? 0} tools, effort ${effort}`);
    try {
      const config = serverConfig(server, settings, this.deps.log, model.modelId);
      const stream = this.deps.api.complete(
        config,
        { prompt: { ids: rendered.ids }, chat: { ...request, reasoning_effort: effort }, maxTokens: model.maxOutputTokens, reasoningEffort: effort },
        abort.signal,
      );
      for await (const event of stream) {
        if (event.type === 'usage') usage = event;
        else if (event.type === 'done') completion = event.completion;
        else {
          if (event.type === 'messageEnd') lastStop = event.message.stop;
          writer.onEvent(event);
        }
      }
    } catch (error) {
      writer.finish();
      if (token.isCancellationRequested) return;
      this.deps.log.error(userMessage(error, server));
      throw new Error(userMessage(error, server));
    } finally {
      abort.dispose();
    }
    const summary = writer.finish();
    if (summary.textParts === 0 && summary.toolCalls.length === 0) {
      writer.text(
        summary.thinkingChars > 0
          ? `The model spent its whole output budget (${model.maxOutputTokens} tokens) reasoning and gave no answer. Lower the thinking effort, or raise gptOss.maxOutputTokens.`
          : 'The model returned an empty response.',
      );
    }
    this.remember(summary.toolCalls, completion, lastStop);
    if (usage) {
      const prompt = usage.promptTokens ?? rendered.ids.length;
      const generated = usage.completionTokens ?? 0;
      const json = { prompt_tokens: prompt, completion_tokens: generated, total_tokens: prompt + generated };
      progress.report(new vscode.LanguageModelDataPart(new TextEncoder().encode(JSON.stringify(json)), 'usage'));
    }
  }

  /** Keeps the model's exact tokens, keyed by the call id VS Code will send back with the result. */
  private remember(calls: readonly { callId: string }[], completion: { ids?: readonly number[] | undefined; text: string } | undefined, lastStop: string | undefined): void {
    const first = calls[0];
    if (first === undefined || completion === undefined || lastStop !== 'call') return;
    const ids = [...(completion.ids ?? encodeWithMarkup(completion.text))];
    // Servers leave the stop token out of the text, and some out of the ids.
    if (ids[ids.length - 1] !== Special.call) ids.push(Special.call);
    this.completions.set(first.callId, [Special.start, ...encodeWithMarkup('assistant'), ...ids]);
    for (const key of this.completions.keys()) {
      if (this.completions.size <= KEPT_COMPLETIONS) break;
      this.completions.delete(key);
    }
  }

  async provideTokenCount(_model: GptOssModel, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    return countTokens(text);
  }
}
