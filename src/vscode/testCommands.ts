// Commands that let the extension-host tests see inside the extension. Registered only when
// VS Code runs the extension under a test runner (ExtensionMode.Test): they are no public API.
import * as vscode from 'vscode';
import type { TokenInspector } from './inspector';

export const TEST_COMMANDS = {
  /** Resolves with {count, messages} once the inspector's webview has painted its latest reading. */
  inspectorPainted: 'gptOss.test.inspectorPainted',
  /** The open inspector's reading: count, messages, chips the webview has received. */
  inspectorState: 'gptOss.test.inspectorState',
} as const;

export function registerTestCommands(inspector: TokenInspector): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(TEST_COMMANDS.inspectorPainted, () => inspector.panel?.whenPainted()),
    vscode.commands.registerCommand(TEST_COMMANDS.inspectorState, () => inspector.panel?.state()),
  );
}
