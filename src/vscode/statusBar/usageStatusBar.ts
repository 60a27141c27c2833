// The last gpt-oss exchange in the status bar, once a gpt-oss model has been used in this window:
// tokens/s, prompt against context, prefix-cache reuse (usageText.ts). A click offers the request
// log's transcript of that exchange, Check Server for its server, and the log.
import * as vscode from 'vscode';
import type { LoggedExchange } from '../../servers';
import { usageText } from './usageText';

export const USAGE_ACTIONS_COMMAND = 'gptOss.lastRequestActions';

export interface UsageStatusBar extends vscode.Disposable {
  show(entry: LoggedExchange): void;
}

export function createUsageStatusBar(): UsageStatusBar {
  const item = vscode.window.createStatusBarItem('gptOss.usage', vscode.StatusBarAlignment.Right, 101);
  item.name = 'gpt-oss Usage';
  item.command = USAGE_ACTIONS_COMMAND;
  return {
    show(entry) {
      const { text, details } = usageText(entry);
      item.text = text;
      item.tooltip = ['gpt-oss, last request', ...details, 'Click: the transcript, Check Server or the log.'].join('\n');
      item.accessibilityInformation = { label: `gpt-oss last request: ${details.join('; ')}` };
      item.show();
    },
    dispose: () => item.dispose(),
  };
}

export interface UsageActions {
  readonly openLastRequest: () => unknown;
  /** Check Server for the server of the last exchange (its display URL). */
  readonly checkServer: (server: string | undefined) => unknown;
  readonly showLog: () => unknown;
}

/** The quick pick behind the status-bar item. */
export async function usageActionsCommand(last: LoggedExchange | undefined, actions: UsageActions): Promise<void> {
  const items: (vscode.QuickPickItem & { run: () => unknown })[] = [
    { label: '$(file-code) Open Last Request as Transcript', description: last ? `${last.model}, ${last.at}` : undefined, run: actions.openLastRequest },
    { label: '$(pulse) Check Server', description: last?.server, run: () => actions.checkServer(last?.server) },
    { label: '$(output) Show Log', run: actions.showLog },
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: last ? usageText(last).details.join(' · ') : 'No gpt-oss request yet' });
  await picked?.run();
}
