// Commands that let the extension-host tests see inside the extension. Registered only when
// VS Code runs the extension under a test runner (ExtensionMode.Test): they are no public API.
import * as vscode from 'vscode';
import type { Credentials } from '../settings/credentials';
import type { TokenInspector } from '../inspector/inspector';

export const TEST_COMMANDS = {
  /** Resolves with {count, messages} once the inspector's webview has painted its latest reading. */
  inspectorPainted: 'gptOss.test.inspectorPainted',
  /** The open inspector's reading: count, messages, chips the webview has received. */
  inspectorState: 'gptOss.test.inspectorState',
  /** (url, header | undefined, value): stores a server's key or header secret, as Set API Key does after its prompts. */
  storeSecret: 'gptOss.test.storeSecret',
  /** The text of the extension's log files (the output channel as written to disk). */
  logText: 'gptOss.test.logText',
} as const;

export interface TestCommandDeps {
  readonly inspector: TokenInspector;
  readonly credentials: Credentials;
  /** The extension's log folder (context.logUri), where the log output channel is written. */
  readonly logFolder: vscode.Uri;
}

async function logText(folder: vscode.Uri): Promise<string> {
  const entries = await vscode.workspace.fs.readDirectory(folder).then(undefined, () => []);
  const texts = await Promise.all(entries.filter(([, type]) => type === vscode.FileType.File).map(([name]) => vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, name))));
  return texts.map((bytes) => new TextDecoder().decode(bytes)).join('\n');
}

export function registerTestCommands({ inspector, credentials, logFolder }: TestCommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(TEST_COMMANDS.inspectorPainted, () => inspector.panel?.whenPainted()),
    vscode.commands.registerCommand(TEST_COMMANDS.inspectorState, () => inspector.panel?.state()),
    vscode.commands.registerCommand(TEST_COMMANDS.storeSecret, (url: string, header: string | undefined, value: string) => credentials.store(url, header, value)),
    vscode.commands.registerCommand(TEST_COMMANDS.logText, () => logText(logFolder)),
  );
}
