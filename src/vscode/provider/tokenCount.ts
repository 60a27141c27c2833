// provideTokenCount runs for every message of every agent request, so it counts with
// the memoised ordinary encoder and adds the Harmony framing each message gets.
import * as vscode from 'vscode';
import { encodeOrdinaryCached } from '../../harmony';
import { isThinkingPart, thinkingText } from './thinkingPart';

/** `<|start|>`, role, `<|message|>`, `<|end|>`. */
const MESSAGE_FRAME = 4;
/** `<|channel|>` and a channel name (commentary is two tokens). */
const CHANNEL = 3;
/** ` to=functions.` + ` <|constrain|>json` around a call's name. */
const CALL_HEADER = 6;

function count(text: string): number {
  return text === '' ? 0 : encodeOrdinaryCached(text).length;
}

function partTokens(part: unknown): number {
  if (part instanceof vscode.LanguageModelTextPart) return count(part.value);
  if (isThinkingPart(part)) return MESSAGE_FRAME + CHANNEL + count(thinkingText(part));
  if (part instanceof vscode.LanguageModelToolCallPart) {
    return MESSAGE_FRAME + CHANNEL + CALL_HEADER + count(part.name) + count(JSON.stringify(part.input));
  }
  if (part instanceof vscode.LanguageModelToolResultPart) {
    const text = part.content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : JSON.stringify(c))).join('');
    return MESSAGE_FRAME + CHANNEL + CALL_HEADER + count(text);
  }
  if (part instanceof vscode.LanguageModelDataPart) return part.mimeType.startsWith('text/') || part.mimeType.includes('json') ? count(new TextDecoder().decode(part.data)) : 0;
  return 0;
}

export function countTokens(value: string | vscode.LanguageModelChatRequestMessage): number {
  if (typeof value === 'string') return count(value);
  return MESSAGE_FRAME + value.content.reduce<number>((sum, part) => sum + partTokens(part), 0);
}
