// What the token inspector shows for a text: its o200k_harmony tokens (markup literals
// read as special tokens) and the messages the parser reads from them, each with the
// character range it covers, so a click can select it in the editor.
import { createParser } from './parser';
import { noteMessages } from './notes';
import type { ParsedMessage } from './parserTypes';
import { decode, decodeToken, encodeWithMarkup } from './tokenizer';
import { isSpecialId } from './tokens';

export interface InspectedToken {
  readonly id: number;
  readonly text: string;
  readonly special: boolean;
}

/** Notes as their messages: what the webview shows. */
export interface InspectedMessage extends Omit<ParsedMessage, 'notes'> {
  readonly notes: readonly string[];
  /** UTF-16 offsets into the inspected text. */
  readonly start: number;
  readonly end: number;
}

/** What the inspector draws first: the token count and the messages the parser reads. */
export interface TranscriptReading {
  readonly ids: readonly number[];
  readonly messages: InspectedMessage[];
  readonly unparsed: { readonly text: string; readonly note: string }[];
}

/** Chips beyond this are not sent to the webview (a 1 MB document has ~250,000 tokens). */
export const MAX_TOKENS_SHOWN = 20_000;

export function readTranscript(text: string): TranscriptReading {
  const ids = encodeWithMarkup(text);
  const parser = createParser({ role: undefined });
  const messages: InspectedMessage[] = [];
  const unparsed: { text: string; note: string }[] = [];
  // Messages end at special tokens, never inside a character: the text up to a message's last
  // token decodes on its own, so only message ends are measured, not every token.
  let boundary = 0;
  let boundaryToken = 0;
  const take = (i: number, events: ReturnType<typeof parser.end>): void => {
    for (const event of events) {
      if (event.type === 'messageEnd') {
        const end = i < 0 ? text.length : boundary + decode(ids.slice(boundaryToken, i + 1)).length;
        messages.push({ ...event.message, notes: noteMessages(event.message.notes), start: boundary, end });
        boundary = end;
        boundaryToken = i < 0 ? ids.length : i + 1;
      } else if (event.type === 'unparsed') {
        unparsed.push({ text: event.text, note: event.note.message });
      }
    }
  };
  ids.forEach((id, i) => take(i, parser.pushTokens([id])));
  take(-1, parser.end());
  return { ids, messages, unparsed };
}

/** Chips for `ids[start..end)`: each token's text (markup as written) and whether it is special. */
export function tokenChips(ids: readonly number[], start: number, end: number): InspectedToken[] {
  return ids.slice(start, end).map((id) => ({ id, text: decodeToken(id), special: isSpecialId(id) }));
}
