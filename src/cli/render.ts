// `harmony render` and `harmony count`.
import { parseArgs } from 'node:util';
import { renderChatRequest, countOrdinary, decode, encodeWithMarkup, REASONING_EFFORTS, reasoningEffortChoices, type ReasoningEffort } from '../harmony';
import { UsageError, parseJson, withoutBom, type CliIo } from './io';

function effortOption(value: string | undefined): ReasoningEffort | undefined {
  if (value === undefined) return undefined;
  if (!(REASONING_EFFORTS as readonly string[]).includes(value)) throw new UsageError(`--effort must be ${reasoningEffortChoices()}, not "${value}"`);
  return value as ReasoningEffort;
}

function dateOption(value: string | undefined): string | undefined {
  if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UsageError(`--date must be YYYY-MM-DD, not "${value}"`);
  return value;
}

export async function renderCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      date: { type: 'string' },
      effort: { type: 'string' },
      ids: { type: 'boolean', default: false },
      'harmony-exact': { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError('render takes at most one FILE');
  const request = parseJson(await io.readInput(positionals[0]), 'the chat request');
  const date = dateOption(values.date);
  const effort = effortOption(values.effort);
  const { ids } = renderChatRequest(request, {
    ...(date === undefined ? {} : { date }),
    ...(effort === undefined ? {} : { effort }),
    ...(values['harmony-exact'] ? { analysis: 'harmony' as const, schemaStyle: 'harmony' as const } : {}),
  });
  io.stdout(values.ids ? `${JSON.stringify(ids)}\n` : decode(ids));
  return 0;
}

function isChatRequest(text: string): unknown {
  const json = withoutBom(text);
  if (!json.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && Array.isArray((value as { messages?: unknown }).messages) ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function countCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { transcript: { type: 'boolean', default: false } } });
  if (positionals.length > 1) throw new UsageError('count takes at most one FILE');
  const text = await io.readInput(positionals[0]);
  const request = values.transcript ? undefined : isChatRequest(text);
  // A transcript's markup literals are the special tokens they stand for; in any other text they are ordinary.
  const count = values.transcript ? encodeWithMarkup(text).length : request === undefined ? countOrdinary(text) : renderChatRequest(request).ids.length;
  io.stdout(`${count}\n`);
  return 0;
}
