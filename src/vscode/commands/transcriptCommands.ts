// Commands on Harmony transcripts: render a chat-completions JSON request as a
// `.harmony` document, and copy the token ids of the selection.
import * as vscode from 'vscode';
import { renderChatRequest, HarmonyInputError, decode, encodeWithMarkup, type ReasoningEffort } from '../../harmony';

export const HARMONY_LANGUAGE = 'gpt-oss-harmony';

/** The selection, or the whole document when nothing is selected. */
export function selectedText(editor: vscode.TextEditor): { text: string; range: vscode.Range } {
  const selection = editor.selection;
  if (!selection.isEmpty) return { text: editor.document.getText(selection), range: selection };
  const document = editor.document;
  const range = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
  return { text: document.getText(), range };
}

/** `effort`: the gptOss.reasoningEffort setting, read when the command runs. */
export async function renderRequestCommand(effort: () => ReasoningEffort): Promise<vscode.TextDocument | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('Open a chat-completions JSON request (messages, tools) first.');
    return undefined;
  }
  let request: unknown;
  try {
    request = JSON.parse(selectedText(editor).text);
  } catch (error) {
    void vscode.window.showErrorMessage(`Not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  try {
    const { ids } = renderChatRequest(request, { effort: effort() });
    const document = await vscode.workspace.openTextDocument({ language: HARMONY_LANGUAGE, content: decode(ids) });
    await vscode.window.showTextDocument(document, { preview: false });
    return document;
  } catch (error) {
    const message = error instanceof HarmonyInputError ? error.message : String(error);
    void vscode.window.showErrorMessage(`Cannot render this request: ${message}`);
    return undefined;
  }
}

export async function copyTokenIdsCommand(): Promise<number[] | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const ids = encodeWithMarkup(selectedText(editor).text);
  await vscode.env.clipboard.writeText(JSON.stringify(ids));
  vscode.window.setStatusBarMessage(`Copied ${ids.length} o200k_harmony token ids`, 3000);
  return ids;
}
