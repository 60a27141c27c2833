// What the extension posts to the inspector webview, built from a transcript reading. Without
// vscode, so the bench measures exactly what the inspector sends.
import { MAX_TOKENS_SHOWN, tokenChips, type InspectedMessage, type TranscriptReading } from '../../harmony';
import type { ToWebview, WebviewMessage } from './inspectorProtocol';

/** Chips per message: the first batch fills the webview's first page. */
export const CHIP_BATCH = 2000;

/** Only what the webview draws (a message's own tokens would double the message's size). */
function webviewMessage(m: InspectedMessage): WebviewMessage {
  return { role: m.role, name: m.name, channel: m.channel, recipient: m.recipient, contentType: m.contentType, content: m.content, stop: m.stop, notes: m.notes };
}

/** Chips shown for a reading: all of them up to the maximum. */
export function chipTotal(reading: TranscriptReading): number {
  return Math.min(reading.ids.length, MAX_TOKENS_SHOWN);
}

/** The first paint: count and messages. */
export function summaryMessage(reading: TranscriptReading, source: string): ToWebview {
  return { type: 'summary', source, count: reading.ids.length, messages: reading.messages.map(webviewMessage), unparsed: reading.unparsed, chipTotal: chipTotal(reading) };
}

/** The chips batch that starts at `start`. */
export function chipsMessage(reading: TranscriptReading, start: number): ToWebview {
  return { type: 'chips', start, tokens: tokenChips(reading.ids, start, Math.min(chipTotal(reading), start + CHIP_BATCH)) };
}
