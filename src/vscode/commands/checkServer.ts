// "Harmony: Check Server": the doctor's checks (src/servers/doctor.ts) for a configured server,
// shown as a Markdown document; and "Harmony: Refresh Models", which forgets what was detected
// and asks VS Code to list the models again (a server started or stopped since).
import * as vscode from 'vscode';
import { displayUrl, forgetServer, formatReportMarkdown, runDoctor, type Network } from '../../servers';
import type { ChannelLogger } from '../logger';
import { serverConfig } from '../provider/serverConfig';
import type { ServerSettings, Settings } from '../settings/settings';

export interface CheckServerDeps {
  readonly settings: () => Settings;
  readonly withCredentials: (server: ServerSettings) => Promise<ServerSettings>;
  readonly log: ChannelLogger;
  /** The proxy and certificates of the moment (network.ts); undefined: VS Code's own fetch. */
  readonly network?: () => Network | undefined;
}

/** Appended to every transport error shown in chat. */
export const CHECK_SERVER_HINT = 'Run Harmony: Check Server.';

async function pickServer(servers: readonly ServerSettings[]): Promise<ServerSettings | undefined> {
  if (servers.length === 1) return servers[0];
  if (servers.length > 1) {
    const picked = await vscode.window.showQuickPick(
      servers.map((s) => ({ label: s.name ?? s.url, description: s.name ? s.url : s.kind, server: s })),
      { placeHolder: 'Which server should be checked?' },
    );
    return picked?.server;
  }
  const url = await vscode.window.showInputBox({ prompt: 'No server is configured in gptOss.servers: which URL should be checked?', value: 'http://127.0.0.1:8080' });
  return url ? { url, kind: 'auto' } : undefined;
}

/** Runs the checks with a progress notification and opens the report; returns its document. */
export async function checkServerCommand(deps: CheckServerDeps, server?: ServerSettings): Promise<vscode.TextDocument | undefined> {
  const settings = deps.settings();
  const chosen = server ?? (await pickServer(settings.servers));
  if (chosen === undefined) return undefined;
  const config = { ...serverConfig(await deps.withCredentials(chosen), settings, deps.log, chosen.models?.[0]), network: deps.network?.() };
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Checking ${displayUrl(chosen.url)}…`, cancellable: true },
    (_progress, token) => {
      const abort = new AbortController();
      const listener = token.onCancellationRequested(() => abort.abort());
      return runDoctor(config, { outputBudget: settings.maxOutputTokens, signal: abort.signal }).finally(() => listener.dispose());
    },
  );
  deps.log.info(`check of ${report.url}: ${report.checks.map((c) => `${c.name} ${c.status}`).join(', ')}`);
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: formatReportMarkdown(report) });
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

/** Forgets detections, then VS Code asks the provider for its models again. */
export async function refreshModelsCommand(settings: () => Settings, withCredentials: (server: ServerSettings) => Promise<ServerSettings>, refresh: () => void): Promise<void> {
  // The caches are keyed by URL and the key in force, which may come from secret storage.
  for (const server of settings().servers) forgetServer({ url: server.url, apiKey: (await withCredentials(server)).apiKey });
  refresh();
}
