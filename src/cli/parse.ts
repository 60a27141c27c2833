// `harmony parse`: model output (text with literal markup, or token ids) → the messages
// and what a client makes of them, as one JSON object (or, --stream, one JSON line per event).
import { parseArgs } from 'node:util';
import { createParser, summarise, type CompletionSummary, type ParserEvent } from '../harmony';
import { UsageError, parseJson, type CliIo } from './io';

export const PARSE_USAGE =
  'parse [FILE] [--ids] [--stream] [--transcript]   completion after <|start|>assistant (text, or --ids JSON array) → messages, reasoning, answer, tool calls';

/** Numbers the vocabulary does not have (a server's bad ids) are parsed and noted on their message, not refused. */
function idsOf(text: string): number[] {
  const value = parseJson(text, 'the --ids input');
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'number')) {
    throw new UsageError('--ids expects a JSON array of token ids (numbers)');
  }
  return value as number[];
}

/**
 * The output: harmony's field names, absent fields as null; `notes` (each a code
 * and a message), `unparsed`, `builtin_calls` only when there are some.
 */
function summaryJson(summary: CompletionSummary): unknown {
  return {
    messages: summary.messages.map((m) => ({
      role: m.role,
      ...(m.name === undefined ? {} : { name: m.name }),
      channel: m.channel ?? null,
      recipient: m.recipient ?? null,
      content_type: m.contentType ?? null,
      content: m.content,
      ...(m.notes.length > 0 ? { notes: m.notes } : {}),
    })),
    reasoning: summary.reasoning,
    content: summary.content,
    tool_calls: summary.toolCalls.map((call) => ({
      name: call.name,
      arguments: call.invalidJson || typeof call.arguments !== 'object' ? { _raw: call.rawArguments } : call.arguments,
    })),
    ...(summary.builtinCalls.length > 0 ? { builtin_calls: summary.builtinCalls.map((c) => ({ recipient: c.recipient, arguments: c.rawArguments })) } : {}),
    truncated: summary.truncated,
    ...(summary.unparsed === '' ? {} : { unparsed: summary.unparsed }),
  };
}

export async function parseCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ids: { type: 'boolean', default: false },
      stream: { type: 'boolean', default: false },
      transcript: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError('parse takes at most one FILE');
  const input = await io.readInput(positionals[0]);
  const ids = values.ids ? idsOf(input) : undefined;
  const parser = createParser({ role: values.transcript ? undefined : 'assistant' });
  const events: ParserEvent[] = [];
  const emit = (batch: readonly ParserEvent[]): void => {
    for (const event of batch) {
      events.push(event);
      if (values.stream) io.stdout(`${JSON.stringify(event)}\n`);
    }
  };
  // Ids go in one at a time, as a server streams them; text goes in whole.
  if (ids) for (const id of ids) emit(parser.pushTokens([id]));
  else emit(parser.pushText(input));
  emit(parser.end());
  if (!values.stream) io.stdout(`${JSON.stringify(summaryJson(summarise(events, { transcript: values.transcript })), null, 2)}\n`);
  return 0;
}
