// Token count of the active Harmony transcript in the status bar, recounted after
// typing pauses so large documents do not slow the editor down.
import * as vscode from 'vscode';
import { encodeWithMarkup } from '../../harmony';
import { HARMONY_LANGUAGE } from '../commands/transcriptCommands';

const DEBOUNCE_MS = 300;

export function createTokenStatusBar(): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('gptOss.tokenCount', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Harmony Token Count';
  item.command = 'gptOss.inspectTokens';
  let timer: ReturnType<typeof setTimeout> | undefined;

  const update = (): void => {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.languageId !== HARMONY_LANGUAGE) {
      item.hide();
      return;
    }
    const count = encodeWithMarkup(document.getText()).length;
    item.text = `$(symbol-numeric) ${count.toLocaleString('en-US')} tokens`;
    item.tooltip = `${count} o200k_harmony tokens (special tokens included). Click to inspect.`;
    item.show();
  };
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(update, DEBOUNCE_MS);
  };

  update();
  return vscode.Disposable.from(
    item,
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) schedule();
    }),
    vscode.workspace.onDidOpenTextDocument(schedule),
    { dispose: () => timer && clearTimeout(timer) },
  );
}
