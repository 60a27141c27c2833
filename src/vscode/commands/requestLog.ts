// The request log in VS Code: "Harmony: Open Last Request as Transcript" opens the last
// exchange's prompt + completion as a .harmony document (the inspector and the grammar work
// on it), and gptOss.requestLogFolder, when set, gets every exchange as a transcript and a
// JSON file of its facts. The log itself is plain data (src/servers/requestLog.ts).
import * as vscode from 'vscode';
import { transcriptText, type LoggedExchange, type RequestLog } from '../../servers';
import type { ChannelLogger } from '../logger';
import { HARMONY_LANGUAGE } from './transcriptCommands';

export async function openLastRequestCommand(log: RequestLog): Promise<vscode.TextDocument | undefined> {
  const last = log.last();
  if (last === undefined) {
    void vscode.window.showInformationMessage('No request has been sent to a gpt-oss server yet (or gptOss.requestLogSize is 0).');
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument({ language: HARMONY_LANGUAGE, content: transcriptText(last) });
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

function fileStem(entry: LoggedExchange): string {
  return `${entry.at.replace(/[:.]/g, '-')}-${entry.model.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
}

/** Writes `<time>-<model>.harmony` and `.json` into the folder; a failure is logged, never thrown. */
export async function saveExchange(folder: string, entry: LoggedExchange, log: ChannelLogger): Promise<void> {
  try {
    const dir = vscode.Uri.file(folder);
    await vscode.workspace.fs.createDirectory(dir);
    const stem = fileStem(entry);
    const encoder = new TextEncoder();
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, `${stem}.harmony`), encoder.encode(transcriptText(entry)));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, `${stem}.json`), encoder.encode(`${JSON.stringify(entry, null, 1)}\n`));
  } catch (error) {
    log.warn(`request log: could not write to ${folder}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
