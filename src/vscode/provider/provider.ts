// The gpt-oss language-model provider: models from each configured server, requests
// rendered to Harmony token-exact, streamed back as thinking, text and tool calls.
// Each step of a response lives in its own module; this class puts them in order.
import * as vscode from 'vscode';
import { displayUrl, recordExchange, type CompleteOptions, type CompletionRequest, type ModelInfo, type RequestLog, type ServerConfig, type StreamEvent } from '../../servers';
import { toAbortSignal } from './cancellation';
import { emptyAnswerNote, streamToWriter, usagePart, type StreamOutcome } from './completionStream';
import type { ChannelLogger } from '../logger';
import { chosenModels, modelInformation, type GptOssModel } from './models';
import { toVsCodeError, userMessage } from './providerErrors';
import { prepareRequest, type PreparedRequest } from './requestBuilder';
import { createResponseWriter, type ResponseWriter } from './responseStream';
import { serverConfig } from './serverConfig';
import { asServer, samplingFor, type ServerSettings, type Settings } from '../settings/settings';
import { countTokens } from './tokenCount';
import { ToolCallTokens } from './toolCallTokens';

export type { GptOssModel } from './models';

export interface ServerApi {
  listModels(config: ServerConfig, signal: AbortSignal): Promise<readonly ModelInfo[]>;
  complete(config: ServerConfig, request: CompletionRequest, signal: AbortSignal, options?: CompleteOptions): AsyncIterable<StreamEvent>;
}

export interface ProviderDeps {
  readonly api: ServerApi;
  readonly log: ChannelLogger;
  readonly settings: () => Settings;
  /** The server with its key and `${secret}` headers from secret storage (credentials.ts). */
  readonly withCredentials: (server: ServerSettings) => Promise<ServerSettings>;
  /** Where each exchange is recorded ("Open Last Request as Transcript"). */
  readonly requestLog?: RequestLog | undefined;
  /** Called when gpt-oss models are offered to VS Code or one is used (the agent-mode setup offer). */
  readonly onModelsInUse?: (() => void) | undefined;
}

/** The first sentence of a message (the picker's warning is short; the log has the rest). */
function firstSentence(message: string): string {
  const end = message.search(/\.(\s|$)/);
  return end === -1 ? message : message.slice(0, end + 1);
}

/** ThemeIcon where this VS Code has it (feature-detected: the status icon is read at run time only). */
function themeIcon(): ((codicon: string) => unknown) | undefined {
  const ThemeIcon = (vscode as { ThemeIcon?: typeof vscode.ThemeIcon }).ThemeIcon;
  return typeof ThemeIcon === 'function' ? (codicon) => new ThemeIcon(codicon) : undefined;
}

export class GptOssChatProvider implements vscode.LanguageModelChatProvider<GptOssModel>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  private readonly toolCallTokens = new ToolCallTokens();
  /** Per server URL: the named models shown while it was down (they stay in the picker, marked). */
  private readonly unreachable = new Map<string, ReadonlySet<string>>();
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
    const configuration = (options as { configuration?: unknown }).configuration;
    const configured = configuration === undefined ? undefined : asServer(configuration, 'Language Models editor server', (m) => this.deps.log.warn(m));
    const servers = configured ? [configured] : settings.servers;
    const abort = toAbortSignal(token);
    try {
      const models = (await Promise.all(servers.map((server) => this.modelsOf(server, settings, abort.signal)))).flat();
      if (models.length > 0) this.deps.onModelsInUse?.();
      return models;
    } finally {
      abort.dispose();
    }
  }

  private async modelsOf(server: ServerSettings, settings: Settings, signal: AbortSignal): Promise<GptOssModel[]> {
    const resolved = await this.deps.withCredentials(server);
    let listed: readonly ModelInfo[];
    try {
      listed = await this.deps.api.listModels(serverConfig(resolved, settings, this.deps.log), signal);
    } catch (error) {
      // Listing runs silently in the background: the log says why. A server that is down shows no
      // models, except the ones the user named for it: those stay, marked as not reachable.
      const reason = userMessage(error, server.url);
      this.deps.log.warn(`no models from ${displayUrl(server.url)}: ${reason}`);
      const named = server.models ?? [];
      const shown = named.map((id) => modelInformation(server, { id }, settings, { unreachable: firstSentence(reason), icon: themeIcon() }));
      this.unreachable.set(server.url, new Set(shown.map((m) => m.id)));
      return shown;
    }
    this.unreachable.delete(server.url);
    // The model keeps the server as configured: its key and secret headers are read again per request.
    return chosenModels(server, listed).map((m) => modelInformation(server, m, settings));
  }

  /** False for a model listed only because the user named it while its server was down. */
  isReachable(modelId: string): boolean {
    for (const ids of this.unreachable.values()) if (ids.has(modelId)) return false;
    return true;
  }

  async provideLanguageModelChatResponse(
    model: GptOssModel,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    this.deps.onModelsInUse?.();
    const settings = this.deps.settings();
    const request = this.prepare(model, messages, options, settings);
    this.deps.log.info(
      `request to ${model.modelId} at ${model.server.url}: ${request.rendered.ids.length} prompt tokens, ${options.tools?.length ?? 0} tools, effort ${request.effort}`,
    );
    const writer = createResponseWriter(progress, {
      functionNames: request.rendered.functionNames.fromModel,
      newCallId: () => `call_${Date.now().toString(36)}_${++this.callCounter}`,
      log: (m) => this.deps.log.debug(m),
    });
    const outcome = await this.stream(model, request, settings, writer, token);
    const summary = writer.finish();
    const note = emptyAnswerNote(summary, model.maxOutputTokens);
    if (note !== undefined) writer.text(note);
    this.toolCallTokens.remember(summary.toolCalls, outcome);
    if (outcome.usage) progress.report(usagePart(outcome.usage, request.rendered.ids.length));
  }

  /** Input we cannot send (an image, a malformed tool schema) fails here, before any request is made. */
  private prepare(
    model: GptOssModel,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    settings: Settings,
  ): PreparedRequest {
    try {
      return prepareRequest(messages, options, this.toolCallTokens, settings.reasoningEffort);
    } catch (error) {
      throw toVsCodeError(error, model.server.url, false);
    }
  }

  /** Streams the completion into the writer; on failure, what streamed stays and the error names the server. */
  private async stream(model: GptOssModel, request: PreparedRequest, settings: Settings, writer: ResponseWriter, token: vscode.CancellationToken): Promise<StreamOutcome> {
    const abort = toAbortSignal(token);
    try {
      const { temperature, topP, topK, minP } = samplingFor(model.server, model.modelId);
      const completion: CompletionRequest = {
        prompt: { ids: request.rendered.ids },
        chat: { ...request.chat, reasoning_effort: request.effort },
        maxTokens: model.maxOutputTokens,
        temperature,
        topP,
        topK,
        minP,
        reasoningEffort: request.effort,
      };
      const config = serverConfig(await this.deps.withCredentials(model.server), settings, this.deps.log, model.modelId);
      const log = this.deps.requestLog;
      const recorded =
        log === undefined
          ? this.deps.api.complete(config, completion, abort.signal)
          : recordExchange(
              ({ onAccepted }) => this.deps.api.complete(config, completion, abort.signal, { onAccepted }),
              { server: displayUrl(model.server.url), model: model.modelId, promptIds: request.rendered.ids, contextLength: model.maxInputTokens + model.maxOutputTokens },
              log,
              { describeError: (e) => userMessage(e, model.server.url) },
            );
      return await streamToWriter(recorded, writer);
    } catch (error) {
      writer.finish();
      const cancelled = token.isCancellationRequested;
      if (!cancelled) this.deps.log.error(userMessage(error, model.server.url));
      throw toVsCodeError(error, model.server.url, cancelled);
    } finally {
      abort.dispose();
    }
  }

  async provideTokenCount(_model: GptOssModel, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    return countTokens(text);
  }
}
