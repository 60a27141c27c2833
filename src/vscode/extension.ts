// Activation: create everything, register it, hand it all to one subscriptions list.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('gpt-oss Harmony', { log: true });
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('gptOss.showLog', () => log.show()),
  );
  log.info(`activated ${context.extension.id} ${context.extension.packageJSON.version as string}`);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
