// `harmony chat` in-process against a loopback replay of a real llama.cpp capture.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chatCommand } from '../../../src/cli/chat';
import { UsageError, type CliIo } from '../../../src/cli/io';
import { CAPTURES, SPLITS, capture, fixture, loopback, replayAt } from './loopback';
import { FAKE_KEY } from './helpers';

function io(files: Record<string, string>): CliIo & { out: string; err: string } {
  const result = {
    out: '',
    err: '',
    readInput: async (file: string | undefined) => {
      const text = files[file ?? '-'];
      if (text === undefined) throw new UsageError(`no such file: ${file}`);
      return text;
    },
    stdout: (t: string) => void (result.out += t),
    stderr: (t: string) => void (result.err += t),
  };
  return result;
}

const request = readFileSync(join(CAPTURES, 'req-scripted-toolcall-stream.json'), 'utf8');

describe('harmony chat', () => {
  test('prints reasoning and the tool call on stdout, the server kind, usage and finish on stderr', async () => {
    const server = await loopback(replayAt('/v1/chat/completions', capture('sse-scripted-toolcall.txt'), [300, 1200]));
    try {
      const cli = io({ 'req.json': request });
      const code = await chatCommand(['--url', server.url, '--kind', 'llamacpp', '--endpoint', 'chat', 'req.json'], cli);
      assert.equal(code, 0, cli.err);
      assert.equal(cli.out, '[reasoning]\nUser asks for the weather in Tokyo. Need to call get_weather.\n[tool call get_weather]\n{"city":"Tokyo"}\n');
      assert.match(cli.err, /^server: .* is llamacpp \(configured\)\nusage: 139 prompt \+ 38 completion tokens\ndone: toolCalls via the chat endpoint\n$/);
    } finally {
      await server.close();
    }
  });

  test('a server error: partial output, then one line naming the server, exit 1; the key from the environment is sent and never printed', async () => {
    const server = await loopback(replayAt('/v1/chat/completions', capture('sse-free-random.txt'), []));
    const saved = process.env.HARMONY_API_KEY;
    process.env.HARMONY_API_KEY = FAKE_KEY;
    try {
      const cli = io({ 'req.json': request });
      const code = await chatCommand(['--url', server.url, '--kind', 'llamacpp', '--endpoint', 'chat', '--verbose', 'req.json'], cli);
      assert.equal(code, 1);
      assert.match(cli.err, /harmony chat: http:\/\/127\.0\.0\.1:\d+ reported an error after 1 chunk .*peg-native format/);
      assert.equal(server.requests[0]!.headers.authorization, `Bearer ${FAKE_KEY}`);
      assert.ok(!cli.err.includes(FAKE_KEY) && !cli.out.includes(FAKE_KEY));
    } finally {
      if (saved === undefined) delete process.env.HARMONY_API_KEY;
      else process.env.HARMONY_API_KEY = saved;
      await server.close();
    }
  });

  test('--endpoint responses: /v1/responses with reasoning.effort, the same output (replay of OpenAI’s documented events, built from docs, not captured)', async () => {
    const bytes = fixture('openai-responses-toolcall.sse');
    const server = await loopback(replayAt('/v1/responses', bytes, SPLITS.awkward!(bytes)));
    try {
      const cli = io({ 'req.json': request });
      const code = await chatCommand(['--url', server.url, '--kind', 'openai', '--model', 'gpt-oss-120b', '--endpoint', 'responses', '--effort', 'high', 'req.json'], cli);
      assert.equal(code, 0, cli.err);
      assert.equal(cli.out, '[reasoning]\nUser asks for the weather in Tokyo. Need to call get_weather.\n[tool call get_weather]\n{"city":"Tokyo"}\n');
      assert.match(cli.err, /usage: 139 prompt \+ 38 completion tokens\ndone: toolCalls via the responses endpoint\n$/);
      assert.deepEqual(server.requests.map((r) => r.path), ['/v1/responses']);
      assert.deepEqual((JSON.parse(server.requests[0]!.body) as { reasoning: unknown }).reasoning, { effort: 'high' });
    } finally {
      await server.close();
    }
  });

  for (const kind of ['openrouter', 'groq', 'cerebras', 'together', 'fireworks']) {
    test(`--kind ${kind} against a replay of its docs-built stream: reasoning and the tool call, effort where ${kind} reads it`, async () => {
      const server = await loopback(replayAt('/v1/chat/completions', fixture(`${kind}-chat-toolcall.sse`), [211, 1500]));
      try {
        const cli = io({ 'req.json': request });
        const code = await chatCommand(['--url', server.url, '--kind', kind, '--model', 'openai/gpt-oss-120b', '--effort', 'low', 'req.json'], cli);
        assert.equal(code, 0, cli.err);
        assert.equal(cli.out, '[reasoning]\nUser asks for the weather in Tokyo. Need to call get_weather.\n[tool call get_weather]\n{"city":"Tokyo"}\n');
        assert.match(cli.err, new RegExp(`^server: .* is ${kind} \\(configured\\)\nusage: 139 prompt \\+ 38 completion tokens\ndone: toolCalls via the chat endpoint\n$`));
        const body = JSON.parse(server.requests[0]!.body) as Record<string, unknown>;
        assert.deepEqual(kind === 'openrouter' ? body.reasoning : body.reasoning_effort, kind === 'openrouter' ? { effort: 'low' } : 'low');
      } finally {
        await server.close();
      }
    });
  }

  test('usage errors are UsageErrors (exit 2 through the dispatcher)', async () => {
    await assert.rejects(chatCommand(['req.json'], io({})), UsageError);
    await assert.rejects(chatCommand(['--url', 'http://x', '--kind', 'tgi', 'r.json'], io({ 'r.json': request })), /--kind must be auto, vllm, sglang, llamacpp, ollama, lmstudio, openai, openrouter, groq, cerebras, together, fireworks/);
    await assert.rejects(chatCommand(['--url', 'http://x', '--endpoint', 'completions', 'r.json'], io({ 'r.json': request })), /--endpoint must be raw, responses, chat/);
  });
});
