// Shared pieces of the transport tests: collecting a stream with its error, a logger
// that keeps every line, a recording stand-in for the parser, and capture oracles.
import type { ParserEvent } from '../../../src/harmony/parserTypes';
import type { StreamParser } from '../../../src/servers/stream/parse';
import type { ServerLogger, StreamEvent } from '../../../src/servers/types';

export const FAKE_KEY = 'sk-test-FAKEKEY-9f8e7d6c5b4a3210';

export async function collect<T>(stream: AsyncIterable<T>): Promise<{ items: T[]; error?: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of stream) items.push(item);
    return { items };
  } catch (error) {
    return { items, error };
  }
}

export function memoryLogger(): ServerLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

/**
 * Not a Harmony parser: records what the transport pushes and reports every push as
 * `unparsed`, so transport tests see exactly the ids/text that arrived, in order.
 */
export function recordingParser(): { factory: () => StreamParser; pushed: { ids: number[]; text: string; ends: number } } {
  const pushed = { ids: [] as number[], text: '', ends: 0 };
  const factory = (): StreamParser => ({
    pushTokens: (ids): ParserEvent[] => {
      pushed.ids.push(...ids);
      return [{ type: 'unparsed', text: ids.join(','), note: { code: 'outsideMessage', message: 'ids' } }];
    },
    pushText: (text): ParserEvent[] => {
      pushed.text += text;
      return [{ type: 'unparsed', text, note: { code: 'outsideMessage', message: 'text' } }];
    },
    end: (): ParserEvent[] => {
      pushed.ends++;
      return [];
    },
  });
  return { factory, pushed };
}

/** The JSON payloads of an SSE capture, for computing what a test should expect (test-side only). */
export function ssePayloads(bytes: Uint8Array): unknown[] {
  return Buffer.from(bytes)
    .toString('utf8')
    .split('\n\n')
    .map((event) => event.trim())
    .filter((event) => event.startsWith('data: ') && event !== 'data: [DONE]')
    .map((event) => JSON.parse(event.slice('data: '.length)) as unknown);
}

export interface ChatExpectation {
  reasoning: string;
  content: string;
  toolName?: string;
  toolArguments: string;
  finish?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  error?: string;
}

interface WireChunk {
  error?: { message?: string };
  usage?: { prompt_tokens: number; completion_tokens: number };
  choices?: {
    finish_reason?: string | null;
    delta?: {
      reasoning?: string;
      reasoning_content?: string;
      content?: string | null;
      tool_calls?: { function?: { name?: string; arguments?: string } }[];
    };
  }[];
}

/** What a chat capture carries, read with plain JSON (the oracle the transport is checked against). */
export function chatExpectation(bytes: Uint8Array): ChatExpectation {
  const out: ChatExpectation = { reasoning: '', content: '', toolArguments: '' };
  for (const payload of ssePayloads(bytes) as WireChunk[]) {
    if (payload.error?.message) out.error = payload.error.message;
    const choice = payload.choices?.[0];
    const delta = choice?.delta ?? {};
    out.reasoning += delta.reasoning ?? delta.reasoning_content ?? '';
    out.content += delta.content ?? '';
    for (const call of delta.tool_calls ?? []) {
      out.toolName ??= call.function?.name;
      out.toolArguments += call.function?.arguments ?? '';
    }
    if (choice?.finish_reason) out.finish = choice.finish_reason;
    if (payload.usage) out.usage = payload.usage;
  }
  return out;
}

export function messagesOf(events: readonly StreamEvent[]): { index: number; channel?: string; recipient?: string; content: string; stop: string; notes: readonly string[] }[] {
  return events.flatMap((e) =>
    e.type === 'messageEnd'
      ? [{ index: e.index, channel: e.message.channel, recipient: e.message.recipient, content: e.message.content, stop: e.message.stop, notes: e.message.notes.map((n) => n.message) }]
      : [],
  );
}

/** Content deltas concatenated per message index: what a user saw stream. */
export function streamedText(events: readonly StreamEvent[]): Map<number, string> {
  const byIndex = new Map<number, string>();
  for (const e of events) if (e.type === 'contentDelta') byIndex.set(e.index, (byIndex.get(e.index) ?? '') + e.text);
  return byIndex;
}
