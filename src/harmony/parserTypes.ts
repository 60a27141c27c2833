// What the streaming Harmony parser reports. Shared by the parser, the transports,
// the CLI and the VS Code adapter, so that each can be written against it alone.
import type { ParserNote } from './notes';

export type { NoteCode, ParserNote } from './notes';

/** How a message ended: its stop token, or `truncated` when the stream ended inside it. */
export type MessageStop = 'end' | 'call' | 'return' | 'truncated';

/** A message header as parsed (after recovery). Fields absent from the header are undefined. */
export interface MessageHeader {
  /** `assistant`, `user`, `system`, `developer`, or `tool` (then `name` is the tool, e.g. `functions.x`). */
  readonly role: string;
  readonly name?: string;
  readonly channel?: string;
  readonly recipient?: string;
  /** As written, e.g. `<|constrain|>json`, `json`, `code`. */
  readonly contentType?: string;
  /**
   * The header as the model wrote it, markers literal (`<|channel|>commentary to=functions.x <|constrain|>json`),
   * without `<|start|>`/`<|message|>`. Set by the parser, so words it could not read stay visible.
   */
  readonly headerText?: string;
}

export interface ParsedMessage extends MessageHeader {
  readonly content: string;
  readonly stop: MessageStop;
  /** The model's own tokens of this message, header to stop token, when the input was ids. */
  readonly tokens?: readonly number[];
  /** What was recovered in this message (malformed header, missing marker, …), for display and logs. */
  readonly notes: readonly ParserNote[];
}

export type ParserEvent =
  | { readonly type: 'messageStart'; readonly index: number; readonly header: MessageHeader }
  | { readonly type: 'contentDelta'; readonly index: number; readonly text: string }
  | { readonly type: 'messageEnd'; readonly index: number; readonly message: ParsedMessage }
  /** Text the model produced outside any message (junk after a stop token, stray tokens): shown, never lost. */
  | { readonly type: 'unparsed'; readonly text: string; readonly note: ParserNote };
