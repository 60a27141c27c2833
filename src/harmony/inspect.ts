// What the token inspector shows for a text: its o200k_harmony tokens (markup literals
// read as special tokens) and the messages the parser reads from them, each with the
// character range it covers, so a click can select it in the editor.
import { createParser } from './parser';
import { noteMessages } from './notes';
import type { ParsedMessage } from './parserTypes';
import { decodeToken, encodeWithMarkup, tokenBytes } from './tokenizer';
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

export interface TranscriptInspection {
  readonly count: number;
  /** The first tokens (all of them up to `MAX_TOKENS_SHOWN`). */
  readonly tokens: InspectedToken[];
  readonly messages: InspectedMessage[];
  readonly unparsed: { readonly text: string; readonly note: string }[];
}

/** Chips beyond this are not sent to the webview (a 1 MB document has ~250,000 tokens). */
export const MAX_TOKENS_SHOWN = 20_000;

export function inspectTranscript(text: string): TranscriptInspection {
  const ids = encodeWithMarkup(text);
  // Character offset at which each token ends, following UTF-8 across token boundaries.
  const ends = new Array<number>(ids.length);
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  let offset = 0;
  ids.forEach((id, i) => {
    if (isSpecialId(id)) offset += decoder.decode().length + decodeToken(id).length;
    else offset += decoder.decode(tokenBytes(id) ?? new Uint8Array(), { stream: true }).length;
    ends[i] = offset;
  });

  const parser = createParser({ role: undefined });
  const messages: InspectedMessage[] = [];
  const unparsed: { text: string; note: string }[] = [];
  let boundary = 0;
  const take = (i: number, events: ReturnType<typeof parser.end>): void => {
    for (const event of events) {
      if (event.type === 'messageEnd') {
        const end = i < 0 ? text.length : (ends[i] ?? text.length);
        messages.push({ ...event.message, notes: noteMessages(event.message.notes), start: boundary, end });
        boundary = end;
      } else if (event.type === 'unparsed') {
        unparsed.push({ text: event.text, note: event.note.message });
      }
    }
  };
  ids.forEach((id, i) => take(i, parser.pushTokens([id])));
  take(-1, parser.end());

  const shown = ids.slice(0, MAX_TOKENS_SHOWN).map((id) => ({ id, text: decodeToken(id), special: isSpecialId(id) }));
  return { count: ids.length, tokens: shown, messages, unparsed };
}
