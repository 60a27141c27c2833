// Binds the transports to src/harmony/parser.ts (being written alongside).
import type { ParserFactory } from './parse';

export const harmonyParser: ParserFactory = () => {
  throw new Error('the Harmony parser (src/harmony/parser.ts) has not landed yet');
};
