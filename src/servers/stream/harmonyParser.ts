// Binds the transports to the streaming Harmony parser: every completion is parsed as
// what follows the prompt's `<|start|>assistant`.
import { createParser } from '../../harmony/parser';
import type { ParserFactory } from './parse';

export const harmonyParser: ParserFactory = () => createParser({ role: 'assistant' });
