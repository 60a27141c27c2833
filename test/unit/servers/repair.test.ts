// Chat-stream repairs that need no parser: tool calls written as JSON in content, tool
// names returned in the model's (sanitised) form, reasoning/answer/call ordering,
// truncation. The Harmony-leak repairs run with the real parser (harmonyLeak.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerError } from '../../../src/servers/errors';
import { jsonToolCalls, repairChat } from '../../../src/servers/stream/repair';
import type { ChatChunk, StreamEvent } from '../../../src/servers/types';
import { collect, memoryLogger, messagesOf, recordingParser, streamedText } from './helpers';

async function* chunks(...items: ChatChunk[]): AsyncGenerator<ChatChunk> {
  for (const item of items) yield item;
}

function repair(tools: string[], ...items: ChatChunk[]) {
  return collect<StreamEvent>(
    repairChat({ items: chunks(...items), map: (c) => [c as ChatChunk], failure: (e) => e, ended: () => {} }, {
      logger: memoryLogger(),
      parser: recordingParser().factory,
      tools,
      missingFinish: () => new ServerError({ kind: 'cut', url: 'http://x' }, 'cut'),
    }),
  );
}

const stop: ChatChunk = { type: 'finish', reason: 'stop', raw: 'stop' };

describe('chat repairs', () => {
  test('a tool call written as JSON in content becomes a tool call', async () => {
    const { items, error } = await repair(
      ['get_weather'],
      { type: 'reasoning', text: 'Need weather.' },
      { type: 'content', text: '{"name": "get_weather", ' },
      { type: 'content', text: '"arguments": {"city": "Tokyo"}}' },
      stop,
    );
    assert.equal(error, undefined);
    assert.deepEqual(
      messagesOf(items).map((m) => [m.channel, m.recipient, m.content, m.stop, m.notes]),
      [
        ['analysis', undefined, 'Need weather.', 'end', []],
        ['commentary', 'functions.get_weather', '{"city":"Tokyo"}', 'call', ['tool call written as JSON in content']],
      ],
    );
    assert.deepEqual(items.at(-1), { type: 'done', finishReason: 'toolCalls', endpoint: 'chat' });
  });

  test('content whose special tokens the server skipped (analysis…assistantcommentary to=…) splits into reasoning and a call, split across deltas (issue 15)', async () => {
    const { items } = await repair(
      ['read_file'],
      { type: 'content', text: 'analy' },
      { type: 'content', text: 'sisWe need the file.assistantcommentary to=functions.read_file json' },
      { type: 'content', text: '{"filePath":"a.ts"}' },
      stop,
    );
    assert.deepEqual(
      messagesOf(items).map((m) => [m.channel, m.recipient, m.content, m.stop]),
      [
        ['analysis', undefined, 'We need the file.', 'end'],
        ['commentary', 'functions.read_file', '{"filePath":"a.ts"}', 'call'],
      ],
    );
    assert.deepEqual(items.at(-1), { type: 'done', finishReason: 'toolCalls', endpoint: 'chat' });
    // The answer seam; and ordinary text that only starts like a channel word stays the answer.
    const answer = await repair([], { type: 'content', text: 'analysisUser says hi.assistantfinalHello!' }, stop);
    assert.deepEqual(
      messagesOf(answer.items).map((m) => [m.channel, m.content, m.stop]),
      [
        ['analysis', 'User says hi.', 'end'],
        ['final', 'Hello!', 'return'],
      ],
    );
    const plain = await repair([], { type: 'content', text: 'final' }, { type: 'content', text: 'ly, it works' }, stop);
    assert.deepEqual(messagesOf(plain.items).map((m) => [m.channel, m.content]), [['final', 'finally, it works']]);
  });

  test('a reasoning field with no channel word in front is split at a later seam, even one split across deltas; the word assistant alone is reasoning', async () => {
    const { items } = await repair(
      ['read_file'],
      { type: 'reasoning', text: 'The assistant should read a.ts.' },
      { type: 'reasoning', text: ' Read it.assis' },
      { type: 'reasoning', text: 'tantcommentary to=functions.read_file json{"path":"a.ts"}' },
      stop,
    );
    assert.deepEqual(
      messagesOf(items).map((m) => [m.channel, m.recipient, m.content, m.stop]),
      [
        ['analysis', undefined, 'The assistant should read a.ts. Read it.', 'end'],
        ['commentary', 'functions.read_file', '{"path":"a.ts"}', 'call'],
      ],
    );
    assert.deepEqual(items.at(-1), { type: 'done', finishReason: 'toolCalls', endpoint: 'chat' });
    const answer = await repair([], { type: 'reasoning', text: 'Greet back.assistantfinalHi!' }, stop);
    assert.deepEqual(
      messagesOf(answer.items).map((m) => [m.channel, m.content, m.stop]),
      [
        ['analysis', 'Greet back.', 'end'],
        ['final', 'Hi!', 'return'],
      ],
    );
    // A seam whose header cannot be read: the text stays reasoning (noted), never the answer.
    const unclear = await repair([], { type: 'reasoning', text: 'Hmm.assistant to= json{}' }, stop);
    assert.deepEqual(
      messagesOf(unclear.items).map((m) => [m.channel, m.content]),
      [
        ['analysis', 'Hmm.'],
        ['analysis', 'assistant to= json{}'],
      ],
    );
    // A tail that only looked like a seam's start goes out as reasoning when the field ends.
    const tail = await repair([], { type: 'reasoning', text: 'Thinking as assist' }, { type: 'content', text: 'Done.' }, stop);
    assert.deepEqual(
      messagesOf(tail.items).map((m) => [m.channel, m.content]),
      [
        ['analysis', 'Thinking as assist'],
        ['final', 'Done.'],
      ],
    );
  });

  test('a reasoning field that starts like stripped Harmony (analysis…assistantfinal…) is split too; ordinary reasoning streams as it comes', async () => {
    const { items } = await repair([], { type: 'reasoning', text: 'analysisThe user greets.' }, { type: 'reasoning', text: 'assistantfinalHi there!' }, stop);
    assert.deepEqual(
      messagesOf(items).map((m) => [m.channel, m.content, m.stop]),
      [
        ['analysis', 'The user greets.', 'end'],
        ['final', 'Hi there!', 'return'],
      ],
    );
    const plain = await repair([], { type: 'reasoning', text: 'ana' }, { type: 'reasoning', text: 'lysis of the request.' }, { type: 'content', text: 'Done.' }, stop);
    assert.deepEqual(
      messagesOf(plain.items).map((m) => [m.channel, m.content]),
      [
        ['analysis', 'analysis of the request.'],
        ['final', 'Done.'],
      ],
    );
  });

  test('JSON shapes servers and models use for calls', () => {
    const tools = ['read_file', 'search'];
    assert.deepEqual(jsonToolCalls('{"tool_calls":[{"function":{"name":"search","arguments":"{\\"q\\":\\"x\\"}"}}]}', tools), [{ name: 'search', arguments: '{"q":"x"}' }]);
    assert.deepEqual(jsonToolCalls('```json\n{"name":"functions.read_file","parameters":{"path":"a"}}\n```', tools), [{ name: 'read_file', arguments: '{"path":"a"}' }]);
    assert.deepEqual(jsonToolCalls('[{"name":"search","arguments":{}},{"name":"read_file","arguments":{"path":"b"}}]', tools)?.length, 2);
    assert.equal(jsonToolCalls('{"name":"rm_rf","arguments":{}}', tools), undefined, 'only offered tools');
    assert.equal(jsonToolCalls('{"answer": 42}', tools), undefined);
  });

  test('JSON content that is not a call stays the answer, whole', async () => {
    const { items } = await repair(['get_weather'], { type: 'content', text: '{"answer"' }, { type: 'content', text: ': 42}' }, stop);
    assert.deepEqual(messagesOf(items).map((m) => [m.channel, m.content, m.stop]), [['final', '{"answer": 42}', 'return']]);
  });

  test('without tools offered, JSON content streams as the answer', async () => {
    const { items } = await repair([], { type: 'content', text: '{"a":' }, { type: 'content', text: '1}' }, stop);
    assert.deepEqual([...streamedText(items).values()], ['{"a":1}']);
    assert.equal(items.filter((e) => e.type === 'contentDelta').length, 2);
  });

  test('tool names come back in the form the model saw (sanitised), for both paths to map back the same way', async () => {
    const { items } = await repair(
      ['mcp-github.create_issue'],
      { type: 'toolCall', index: 0, id: 'c1', name: 'mcp-github.create_issue', arguments: '' },
      { type: 'toolCall', index: 0, arguments: '{"title":"x"}' },
      { type: 'finish', reason: 'toolCalls', raw: 'tool_calls' },
    );
    assert.equal(messagesOf(items)[0]?.recipient, 'functions.mcp_github_create_issue');
  });

  test('two calls in one response: each its own message; a call whose name comes late still opens once', async () => {
    const { items } = await repair(
      ['a', 'b'],
      { type: 'toolCall', index: 0, arguments: '{"x":' },
      { type: 'toolCall', index: 0, name: 'a', arguments: '1}' },
      { type: 'toolCall', index: 1, name: 'b', arguments: '{}' },
      { type: 'finish', reason: 'toolCalls' },
    );
    assert.deepEqual(
      messagesOf(items).map((m) => [m.recipient, m.content, m.stop]),
      [
        ['functions.a', '{"x":1}', 'call'],
        ['functions.b', '{}', 'call'],
      ],
    );
  });

  test('finish_reason length: the open message ends truncated', async () => {
    const { items } = await repair([], { type: 'reasoning', text: 'Thinking a lot' }, { type: 'finish', reason: 'length', raw: 'length' });
    assert.deepEqual(messagesOf(items).map((m) => [m.channel, m.stop]), [['analysis', 'truncated']]);
    assert.deepEqual(items.at(-1), { type: 'done', finishReason: 'length', endpoint: 'chat' });
  });

  test('no finish_reason: what streamed is closed as truncated, then the cut error', async () => {
    const { items, error } = await repair([], { type: 'content', text: 'Hel' });
    assert.ok(error instanceof ServerError);
    assert.deepEqual(messagesOf(items).map((m) => [m.channel, m.content, m.stop]), [['final', 'Hel', 'truncated']]);
  });

  test('content held back at a possible marker start is released when it is not one', async () => {
    const { items } = await repair([], { type: 'content', text: 'a <' }, { type: 'content', text: ' b' }, stop);
    assert.deepEqual(messagesOf(items).map((m) => m.content), ['a < b']);
  });
});
