// What the parser recovered, as a code that code can test and a message people read.
// Control flow only ever looks at `code`: the wording of `message` may change freely.

export type NoteCode =
  /** The header never reached `<|message|>` (its rest, if any, became the content). */
  | 'missingMessage'
  /** `<|channel|>`, `<|message|>` or `<|constrain|>` opened a message without `<|start|>assistant`. */
  | 'missingStart'
  /** `<|start|>` or `<|channel|>` inside content closed the message without `<|end|>`. */
  | 'missingEnd'
  /** A special token with no meaning where it stood was dropped. */
  | 'strayToken'
  /** `<|start|>` cut a header short. */
  | 'headerCutShort'
  /** The output ended inside a header. */
  | 'cutInHeader'
  /** No markup at all in a text completion: the server may drop special tokens. */
  | 'noMarkup'
  /** Role word missing or unknown after `<|start|>`. */
  | 'role'
  /** A `<|channel|>` without a channel, or an earlier stray header, was dropped. */
  | 'strayHeader'
  /** The channel word was odd: a space before it, garbage glued to it, or an unknown name. */
  | 'channel'
  /** An empty, repeated, second or `to=`-less recipient. */
  | 'recipient'
  /** A tool name that matched an offered tool only after normalisation. */
  | 'toolName'
  /** Header words that meant nothing. */
  | 'headerJunk'
  /** `<|constrain|>` inside the content was dropped. */
  | 'constrainInContent'
  /** Text outside any message. */
  | 'outsideMessage'
  /** Output after `<|call|>`/`<|return|>`, where generation should have stopped. */
  | 'afterStop'
  /** Text before the first header of a completion, read as reasoning because a header followed. */
  | 'headerlessReasoning'
  /** Special tokens stripped from the text (`analysis…assistantfinal…`): split at the seams. */
  | 'strippedMarkers'
  /** Looked like stripped markers, but the seams were not clear: kept as the answer. */
  | 'strippedAmbiguous'
  /** Token ids the vocabulary does not have (out of range, negative, not integers). */
  | 'invalidTokenId'
  /** Raw Harmony markup in a chat server's content or reasoning field, parsed by us. */
  | 'leakedMarkup'
  /** Answer text a chat server sent without its header after a leaked message. */
  | 'answerWithoutHeader'
  /** A tool call written as JSON in a chat server's content. */
  | 'jsonToolCall'
  /** A chat server's tool call with no function name. */
  | 'callWithoutName';

export interface ParserNote {
  readonly code: NoteCode;
  readonly message: string;
}

export function note(code: NoteCode, message: string): ParserNote {
  return { code, message };
}

/** The messages alone, for display and logs. */
export function noteMessages(notes: readonly ParserNote[]): string[] {
  return notes.map((n) => n.message);
}
