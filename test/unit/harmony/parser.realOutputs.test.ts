// Model outputs quoted verbatim in public bug reports (test/fixtures/real-outputs/cases.json),
// each checked against what the reporter or maintainers said was right: through the text
// path (harmony parse), the same text as token ids, and, for a chat server's content, the
// chat-path repair. Expected values are written from the reports, never from our output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionNames } from '../../../src/harmony/functionNames';
import { parseCompletion, summarise, type CompletionSummary } from '../../../src/harmony/parseCompletion';
import { createParser } from '../../../src/harmony/parser';
import type { ParserEvent } from '../../../src/harmony/parserTypes';
import { encodeWithMarkup } from '../../../src/harmony/tokenizer';
import { ServerError } from '../../../src/servers/errors';
import { repairChat } from '../../../src/servers/stream/repair';
import type { ChatChunk, StreamEvent } from '../../../src/servers/types';
import { collect, memoryLogger } from '../servers/helpers';

interface ExpectedCall {
  readonly name: string;
  readonly arguments: unknown;
  readonly invalidJson?: boolean;
  readonly truncated?: boolean;
}

interface RealCase {
  readonly id: string;
  readonly source: string;
  readonly server: string;
  /** `completion-text`: raw completion text after `<|start|>assistant`; `chat-content`: a chat server's `content`. */
  readonly path: 'completion-text' | 'chat-content';
  readonly output: string;
  readonly ids?: number[];
  readonly tools?: string[];
  /**
   * Set when only the chat path's repair can read the output (a tool call written as JSON in
   * `content` is no Harmony): says why. The text path then keeps the whole output as the answer.
   */
  readonly chatRepairOnly?: string;
  readonly expected: { readonly reasoning: string; readonly content: string; readonly toolCalls: ExpectedCall[]; readonly truncated?: boolean };
  readonly why: string;
}

const { cases } = JSON.parse(readFileSync(join(__dirname, '../../fixtures/real-outputs/cases.json'), 'utf8')) as { cases: RealCase[] };

/** The call as `harmony parse` prints it: unparsable arguments as `{ _raw }`. */
function callsOf(summary: CompletionSummary): ExpectedCall[] {
  return summary.toolCalls.map((call) => ({
    name: call.name,
    arguments: call.invalidJson ? { _raw: call.rawArguments } : call.arguments,
    ...(call.invalidJson ? { invalidJson: true } : {}),
    ...(call.truncated && call.invalidJson ? { truncated: true } : {}),
  }));
}

function check(summary: CompletionSummary, c: RealCase, path: string): void {
  const where = `${c.id} (${c.source}, ${path})`;
  assert.equal(summary.reasoning, c.expected.reasoning, `${where}: reasoning`);
  assert.equal(summary.content, c.expected.content, `${where}: answer`);
  assert.deepEqual(callsOf(summary), c.expected.toolCalls, `${where}: calls`);
  if (c.expected.truncated !== undefined) assert.equal(summary.truncated, c.expected.truncated, `${where}: truncated`);
  assert.ok(!/<\|[a-z_]+\|>/.test(summary.content), `${where}: no markup in the answer`);
}

async function viaChatRepair(c: RealCase): Promise<CompletionSummary> {
  async function* chunks(): AsyncGenerator<ChatChunk> {
    yield { type: 'content', text: c.output };
    yield { type: 'finish', reason: 'stop', raw: 'stop' };
  }
  const { items } = await collect<StreamEvent>(
    repairChat({ items: chunks(), map: (chunk) => [chunk as ChatChunk], failure: (e) => e, ended: () => {} }, {
      logger: memoryLogger(),
      parser: () => createParser({ role: 'assistant' }),
      tools: c.tools ?? [],
      missingFinish: () => new ServerError({ kind: 'cut', url: 'http://x' }, 'cut'),
    }),
  );
  const events = items.filter((e): e is ParserEvent => e.type === 'messageStart' || e.type === 'contentDelta' || e.type === 'messageEnd' || e.type === 'unparsed');
  return summarise(events);
}

test(`the real-outputs corpus has its cases, each with a source and an expectation (${cases.length} cases)`, () => {
  assert.ok(cases.length > 0);
  for (const c of cases) {
    assert.match(c.source, /^[\w.-]+\/[\w.-]+#\d+$/, c.id);
    assert.ok(c.why.length > 0 && c.server.length > 0, c.id);
  }
});

for (const c of cases) {
  test(`${c.id}: ${c.source} (${c.server})`, async () => {
    const options = c.tools ? { functionNames: functionNames(c.tools).fromModel } : {};
    if (c.path === 'completion-text') {
      check(parseCompletion(c.output, options), c, 'text');
      // The same output as the model's token ids: markers as special tokens.
      check(parseCompletion(c.ids ?? encodeWithMarkup(c.output), options), c, c.ids ? 'ids as reported' : 'ids of the text');
    } else {
      // A chat server's content: harmony parse reads it as text, the provider through the chat repair.
      if (c.chatRepairOnly === undefined) check(parseCompletion(c.output, options), c, 'text');
      else assert.equal(parseCompletion(c.output, options).content, c.output, `${c.id}: harmony parse keeps what is no Harmony as the answer`);
      check(await viaChatRepair(c), c, 'chat repair');
    }
  });
}
