// The gptOss.* settings as VS Code holds them, validated by settings.ts.
import * as vscode from 'vscode';
import { createSettingsReader, type Settings, type Warn } from './settings';

export function readSettingsFromVsCode(warn: Warn): () => Settings {
  return createSettingsReader((key) => vscode.workspace.getConfiguration('gptOss').get(key), warn);
}
