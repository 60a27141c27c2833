// A rendered prompt as text, for the routes that only take text: Ollama's /api/generate
// (raw) and LM Studio's /v1/completions. Those servers tokenise the text with special-token
// parsing, so a `<|end|>` written inside a message (a tool result, a file, a user's paste)
// would reach the model as the control token. Every special token literal starts with
// `<|`, so every `<|` of ordinary text gets a WORD JOINER (U+2060) right after it: no
// literal can form, the joiner is invisible, and o200k keeps it an ordinary token
// (about one extra token per literal). See docs/text-prompts.md.
import { decode } from './tokenizer';
import { isSpecialId, specialText } from './tokens';

/** What follows every `<|` of message text in a text prompt. */
export const MARKUP_BREAK = '\u2060';

const MARKUP_OPEN = /<\|/g;

/** Ordinary text with every `<|` broken, so that no special token literal remains in it. */
export function breakMarkup(text: string): string {
  return text.replace(MARKUP_OPEN, `<|${MARKUP_BREAK}`);
}

/**
 * The text of a prompt for a server that reads special tokens from text: the special ids
 * as their literals, ordinary runs decoded whole with their markup broken. Tokenised with
 * special parsing it yields exactly the special tokens of `ids`, in order.
 */
export function promptText(ids: readonly number[]): string {
  let text = '';
  let runStart = 0;
  for (let i = 0; i <= ids.length; i++) {
    const id = ids[i];
    if (i < ids.length && !isSpecialId(id!)) continue;
    if (i > runStart) text += breakMarkup(decode(ids.slice(runStart, i)));
    if (i < ids.length) text += specialText(id!)!;
    runStart = i + 1;
  }
  return text;
}
