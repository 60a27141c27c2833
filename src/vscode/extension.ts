// Activation: create everything, register it, hand it all to one subscriptions list.
// Nothing here loads the tokenizer tables; the first count or request does.
import * as vscode from 'vscode';
import { RequestLog, complete, displayUrl, listModels, type ServerConfig } from '../servers';
import { SET_UP_AGENT_MODE_COMMAND, agentModeSetupOffer, setUpAgentModeCommand } from './commands/agentModeSetup';
import { checkServerCommand, refreshModelsCommand } from './commands/checkServer';
import { CommitMessageGenerator } from './commands/commitMessage';
import { readSettingsFromVsCode } from './settings/config';
import { Credentials, setSecretCommand } from './settings/credentials';
import { createLogger } from './logger';
import { filteredByLevel } from './logLevel';
import { TokenInspector } from './inspector/inspector';
import { createNetworkHolder } from './settings/network';
import { GptOssChatProvider, type ServerApi } from './provider/provider';
import { openLastRequestCommand, saveExchange } from './commands/requestLog';
import type { ServerSettings } from './settings/settings';
import { registerTestCommands } from './commands/testCommands';
import { createTokenStatusBar } from './statusBar/tokenStatusBar';
import { copyTokenIdsCommand, renderRequestCommand } from './commands/transcriptCommands';
import { USAGE_ACTIONS_COMMAND, createUsageStatusBar, usageActionsCommand } from './statusBar/usageStatusBar';

const VENDOR = 'gpt-oss';

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel('gpt-oss Harmony', { log: true });
  const knownSecrets = new Set<string>();
  const channelLog = createLogger(channel, () => knownSecrets);
  // Settings warnings bypass the level filter, which itself reads a setting.
  const readSettings = readSettingsFromVsCode((message) => channelLog.warn(message));
  const log = filteredByLevel(channelLog, () => readSettings().logLevel);

  const credentials = new Credentials(context.secrets, knownSecrets, (message) => log.warn(message));
  const withCredentials = (server: ServerSettings): Promise<ServerSettings> => credentials.resolve(server);

  const inspector = new TokenInspector(context.extensionUri);
  const usageBar = createUsageStatusBar();
  const requestLog = new RequestLog(
    () => readSettings().requestLogSize,
    (entry) => {
      usageBar.show(entry);
      const folder = readSettings().requestLogFolder;
      if (folder !== '') void saveExchange(folder, entry, log);
    },
  );
  const network = createNetworkHolder(log);
  // Every request takes the network of the moment (http.proxy and friends; network.ts).
  const withNetwork = (config: ServerConfig): ServerConfig => ({ ...config, network: network.current() });
  const api: ServerApi = {
    listModels: (config, signal) => listModels(withNetwork(config), signal),
    complete: (config, request, signal, options) => complete(withNetwork(config), request, signal, options),
  };
  const provider = new GptOssChatProvider({ api, log, settings: readSettings, withCredentials, requestLog, onModelsInUse: agentModeSetupOffer(context.globalState, (m) => log.info(m)) });
  const checkServerDeps = { settings: readSettings, withCredentials, log, network: () => network.current() };
  /** The configured server a logged exchange went to (it holds only the display URL). */
  const serverAt = (shown: string | undefined): ServerSettings | undefined =>
    shown === undefined ? undefined : (readSettings().servers.find((s) => displayUrl(s.url) === shown) ?? { url: shown, kind: 'auto' });

  const commitMessages = new CommitMessageGenerator({ log, requestLog, isReachable: (id) => provider.isReachable(id) });

  context.subscriptions.push(
    channel,
    network,
    provider,
    vscode.lm.registerLanguageModelChatProvider(VENDOR, provider),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gptOss.servers') || e.affectsConfiguration('gptOss.maxOutputTokens') || e.affectsConfiguration('gptOss.reasoningEffort')) {
        provider.refresh();
      }
    }),
    context.secrets.onDidChange(() => provider.refresh()),
    vscode.commands.registerCommand('gptOss.showLog', () => channel.show()),
    inspector,
    vscode.commands.registerCommand('gptOss.inspectTokens', () => inspector.open()),
    vscode.commands.registerCommand('gptOss.renderRequest', () => renderRequestCommand(() => readSettings().reasoningEffort)),
    vscode.commands.registerCommand('gptOss.copyTokenIds', copyTokenIdsCommand),
    vscode.commands.registerCommand('gptOss.checkServer', () => checkServerCommand(checkServerDeps)),
    vscode.commands.registerCommand('gptOss.refreshModels', () => refreshModelsCommand(readSettings, withCredentials, () => provider.refresh())),
    vscode.commands.registerCommand('gptOss.openLastRequest', () => openLastRequestCommand(requestLog)),
    commitMessages,
    vscode.commands.registerCommand('gptOss.generateCommitMessage', (argument?: unknown) => commitMessages.generate(argument)),
    vscode.commands.registerCommand('gptOss.cancelCommitMessage', () => commitMessages.cancel()),
    createTokenStatusBar(),
    usageBar,
    vscode.commands.registerCommand(USAGE_ACTIONS_COMMAND, () =>
      usageActionsCommand(requestLog.last(), {
        openLastRequest: () => openLastRequestCommand(requestLog),
        checkServer: (shown) => checkServerCommand(checkServerDeps, serverAt(shown)),
        showLog: () => channel.show(),
      }),
    ),
    vscode.commands.registerCommand(SET_UP_AGENT_MODE_COMMAND, setUpAgentModeCommand),
    vscode.commands.registerCommand('gptOss.setApiKey', () => setSecretCommand(readSettings().servers, credentials)),
  );
  if (context.extensionMode === vscode.ExtensionMode.Test) context.subscriptions.push(registerTestCommands({ inspector, credentials, logFolder: context.logUri }));
  log.info(`activated ${context.extension.id} ${context.extension.packageJSON.version as string}`);
  // Models resolve lazily: until something asks, the picker shows none of ours (docs/testing.md, "Editor pitfalls").
  void vscode.lm.selectChatModels({ vendor: VENDOR });
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
