// The one place the transports meet the streaming Harmony parser (src/harmony/parser.ts):
// everything else in src/servers sees only this interface.
import type { ParserEvent } from '../../harmony/parserTypes';

/** An incremental Harmony parser for one completion that followed `<|start|>assistant`. */
export interface StreamParser {
  /** The model's tokens, as the server streamed them. */
  pushTokens(ids: readonly number[]): Iterable<ParserEvent>;
  /** Text with literal markup; markers may be split anywhere between calls. */
  pushText(text: string): Iterable<ParserEvent>;
  /** End of output: closes what is open (a message cut short ends `truncated`). */
  end(): Iterable<ParserEvent>;
}

export type ParserFactory = () => StreamParser;
