// Failures of a chat response as VS Code's own error types, so chat shows them as it shows its
// own providers' errors: LanguageModelError (with the kind where one fits) and CancellationError.
// The message says which server, what went wrong and what to check.
import * as vscode from 'vscode';
import { HarmonyInputError } from '../../harmony';
import { ServerError, isModelMissing } from '../../servers';
import { CHECK_SERVER_HINT } from '../commands/checkServer';
import { UnsupportedInputError } from './messages';

/** What a user can act on: which server, what went wrong, what to check. */
export function userMessage(error: unknown, serverUrl: string): string {
  if (error instanceof ServerError) return error.message;
  if (error instanceof HarmonyInputError || error instanceof UnsupportedInputError) return `gpt-oss: ${error.message}`;
  return `gpt-oss (${serverUrl}): ${error instanceof Error ? error.message : String(error)}`;
}

/** The error VS Code receives for `error`; CancellationError when the request was cancelled. */
export function toVsCodeError(error: unknown, serverUrl: string, cancelled: boolean): Error {
  if (cancelled || (error instanceof ServerError && error.kind === 'cancelled')) return new vscode.CancellationError();
  // A transport failure is usually the server's setup: the doctor says what to change.
  const message = error instanceof ServerError ? `${userMessage(error, serverUrl)} ${CHECK_SERVER_HINT}` : userMessage(error, serverUrl);
  if (error instanceof ServerError) {
    if (error.kind === 'auth') return vscode.LanguageModelError.NoPermissions(message);
    if (error.kind === 'rateLimited') return vscode.LanguageModelError.Blocked(message);
    if (isModelMissing(error)) return vscode.LanguageModelError.NotFound(message);
  }
  return new vscode.LanguageModelError(message);
}
