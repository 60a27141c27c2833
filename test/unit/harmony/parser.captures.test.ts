// Real llama.cpp streams (test/fixtures/llama.cpp, see test/fixtures/README.md) through the parser:
// the raw /v1/completions text and the reasoning_format "none" chat streams, whose text
// carries the Harmony markup, read into the reasoning, tool call and answer the server's
// own parser reported for the same scripted model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createParser } from '../../../src/harmony/parser';
import { summarise } from '../../../src/harmony/parseCompletion';
import type { ParserEvent } from '../../../src/harmony/parserTypes';
import { LLAMACPP_CAPTURES } from '../../support/fixtures';

interface Piece {
  readonly text?: string;
  readonly reasoning?: string;
  readonly toolName?: string;
  readonly toolArguments?: string;
  readonly finish?: string;
}

/** Just enough SSE for a fixture: `data:` lines of one capture, as the pieces they carry. */
function readCapture(name: string): Piece[] {
  const raw = readFileSync(join(LLAMACPP_CAPTURES, name), 'utf8');
  const pieces: Piece[] = [];
  for (const line of raw.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const chunk = JSON.parse(line.slice('data: '.length)) as {
      choices?: { text?: string; finish_reason?: string | null; delta?: { content?: string | null; reasoning_content?: string; tool_calls?: { function?: { name?: string; arguments?: string } }[] } }[];
    };
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const call = choice.delta?.tool_calls?.[0]?.function;
    pieces.push({
      ...(choice.text !== undefined ? { text: choice.text } : {}),
      ...(typeof choice.delta?.content === 'string' ? { text: choice.delta.content } : {}),
      ...(choice.delta?.reasoning_content !== undefined ? { reasoning: choice.delta.reasoning_content } : {}),
      ...(call?.name !== undefined ? { toolName: call.name } : {}),
      ...(call?.arguments !== undefined ? { toolArguments: call.arguments } : {}),
      ...(choice.finish_reason ? { finish: choice.finish_reason } : {}),
    });
  }
  return pieces;
}

const join_ = (pieces: readonly Piece[], key: keyof Piece): string => pieces.map((p) => p[key] ?? '').join('');

/** The text pieces, one push each, as the transport feeds them. */
function parseStream(pieces: readonly Piece[], after: string[] = []): ParserEvent[] {
  const parser = createParser({ role: 'assistant' });
  const events: ParserEvent[] = [];
  for (const piece of pieces) if (piece.text !== undefined) events.push(...parser.pushText(piece.text));
  for (const text of after) events.push(...parser.pushText(text));
  events.push(...parser.end());
  return events;
}

/** What the server's own gpt-oss parser made of the same model's answer, from the chat captures. */
const serverToolcall = readCapture('sse-scripted-toolcall.txt');
const serverFinal = readCapture('sse-chat-reasoning-content.txt');

test('the captures are what this test thinks they are', () => {
  assert.equal(join_(serverToolcall, 'reasoning'), 'User asks for the weather in Tokyo. Need to call get_weather.');
  assert.deepEqual([join_(serverToolcall, 'toolName'), join_(serverToolcall, 'toolArguments')], ['get_weather', '{"city":"Tokyo"}']);
  assert.deepEqual([join_(serverFinal, 'reasoning'), join_(serverFinal, 'text')], ['User asks weather; answer briefly.', 'It is sunny in Tokyo.']);
});

test('sse-scripted-v1-completions: /v1/completions text pieces parse into the reasoning and the tool call', () => {
  const pieces = readCapture('sse-scripted-v1-completions.txt');
  assert.ok(join_(pieces, 'text').includes('<|constrain|>'), 'markup is in the text');
  assert.equal(pieces.at(-1)?.finish, 'stop');
  const summary = summarise(parseStream(pieces));
  assert.equal(summary.reasoning, join_(serverToolcall, 'reasoning'));
  assert.deepEqual(
    summary.toolCalls.map((c) => [c.name, c.arguments]),
    [[join_(serverToolcall, 'toolName'), JSON.parse(join_(serverToolcall, 'toolArguments'))]],
  );
  assert.deepEqual([summary.content, summary.unparsed], ['', '']);
  // llama.cpp leaves the stop token out of the text: the call reads as cut short until the
  // transport puts `<|call|>` back (finish_reason "stop"), as src/servers/stream/feed.ts does.
  assert.equal(summary.messages[1]!.stop, 'truncated');
  const withStop = summarise(parseStream(pieces, ['<|call|>']));
  assert.deepEqual([withStop.messages[1]!.stop, withStop.truncated], ['call', false]);
});

test('sse-scripted-v1-completions: the same text cut at every position reads the same', () => {
  const text = join_(readCapture('sse-scripted-v1-completions.txt'), 'text');
  const whole = summarise(parseStream([{ text }])).messages;
  for (let at = 1; at < text.length; at++) {
    assert.deepEqual(summarise(parseStream([{ text: text.slice(0, at) }, { text: text.slice(at) }])).messages, whole, `cut at ${at}`);
  }
});

test('sse-scripted-toolcall-stream-rfnone: the leaked text carries the reasoning; the unfinished header leaks nothing', () => {
  const pieces = readCapture('sse-scripted-toolcall-stream-rfnone.txt');
  // reasoning_format none: the markup leaks into delta.content up to the call header, then
  // the server switches to tool_calls deltas (its own parser took the call).
  assert.equal(join_(pieces, 'text'), `<|channel|>analysis<|message|>${join_(serverToolcall, 'reasoning')}<|end|><|channel|>commentary to=`);
  const summary = summarise(parseStream(pieces));
  assert.equal(summary.reasoning, join_(serverToolcall, 'reasoning'));
  assert.deepEqual([summary.content, summary.unparsed], ['', ''], 'no raw header shown as text');
  const header = summary.messages[1]!;
  assert.deepEqual([header.channel, header.content, header.stop], ['commentary', '', 'truncated']);
  // The call itself is in the tool_calls deltas of the same stream.
  assert.deepEqual([join_(pieces, 'toolName'), join_(pieces, 'toolArguments')], ['get_weather', '{"city":"Tokyo"}']);
  assert.equal(pieces.at(-1)?.finish, 'tool_calls');
});

test('sse-chat-reasoning-content-rfnone: the reasoning parses; the answer, sent without its header, is unparsed text shown as is', () => {
  const pieces = readCapture('sse-chat-reasoning-content-rfnone.txt');
  const events = parseStream(pieces);
  const summary = summarise(events);
  assert.equal(summary.reasoning, join_(serverFinal, 'reasoning'));
  assert.equal(summary.unparsed, join_(serverFinal, 'text'));
  assert.deepEqual(
    [...new Set(events.flatMap((e) => (e.type === 'unparsed' ? [e.note.message] : [])))],
    ['text outside any message'],
  );
  assert.equal(summary.messages.length, 1);
});
