// `harmony doctor`'s checks as plain data, the whole report against a STAND-IN Ollama and
// against a server that is down, and the CLI's exit codes. The live test (test/live/doctor.test.ts)
// runs it against the real llama-server.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { agentRequest } from '../../../bench/agentRequest';
import { renderChatRequest } from '../../../src/harmony/chatRequest';
import { AGENT_PROMPT_TOKENS, chatCheck, contextCheck, formatReportText, responsesCheck, runDoctor, suggestedContext, tokenizerCheck } from '../../../src/servers/doctor';
import { ServerError } from '../../../src/servers/errors';
import { completionEvent } from '../../../src/servers/routes/completions';
import { llamacppEvents } from '../../../src/servers/routes/llamacpp';
import { freePort } from '../../llama/server';
import { runCli } from '../../support/cliHarness';
import { startOllamaStandIn } from '../../support/ollama-stand-in';
import { SSE_HEADERS, fixture, loopback } from './loopback';

describe('doctor checks', () => {
  test('the agent prompt size is the rendered 36-tool agent request', () => {
    assert.equal(renderChatRequest(agentRequest()).ids.length, 8360);
    assert.equal(AGENT_PROMPT_TOKENS, 8360);
  });

  test('a context size a person would type: the next power of two', () => {
    assert.equal(suggestedContext(16552), 32768);
    assert.equal(suggestedContext(32768), 32768);
    assert.equal(suggestedContext(100), 8192);
  });

  test('llama.cpp with -c 2048: ✗ with the llama-server command; enough context: ✓', () => {
    const small = contextCheck({ kind: 'llamacpp', model: 'm', inForce: 2048, source: '/props n_ctx', slots: 1 }, 16552, 8360, 8192);
    assert.equal(small.status, 'fail');
    assert.equal(small.fix, 'llama-server -c 32768');
    assert.match(small.summary, /^2048 tokens \(\/props n_ctx\); agent mode needs 16552 \(a 8360-token agent prompt \+ 8192 output\)$/);
    assert.equal(contextCheck({ kind: 'llamacpp', model: 'm', inForce: 32768, slots: 1 }, 16552, 8360, 8192).status, 'pass');
  });

  test('llama.cpp with 4 slots: n_ctx is per slot, the fix multiplies', () => {
    const c = contextCheck({ kind: 'llamacpp', model: 'm', inForce: 8192, source: '/props n_ctx', slots: 4 }, 16552, 8360, 8192);
    assert.equal(c.fix, 'llama-server -c 131072 --parallel 4 (the context is shared by the slots)');
    assert.match(c.summary, /^8192 tokens per slot/);
  });

  test('vLLM and LM Studio fixes name their own flags', () => {
    assert.equal(contextCheck({ kind: 'vllm', model: 'openai/gpt-oss-20b', inForce: 8192 }, 16552, 8360, 8192).fix, 'vllm serve openai/gpt-oss-20b --max-model-len 32768');
    assert.match(contextCheck({ kind: 'lmstudio', model: 'openai/gpt-oss-20b', inForce: 4096 }, 16552, 8360, 8192).fix ?? '', /^lms load openai\/gpt-oss-20b --context-length 32768/);
  });

  test('a server that does not say its context: ⚠', () => {
    assert.equal(contextCheck({ kind: 'openai', model: 'm' }, 16552, 8360, 8192).status, 'warn');
  });

  test('tokenizer: equal ids pass, a difference names the first differing token', () => {
    assert.equal(tokenizerCheck([1, 2, 3], [1, 2, 3]).status, 'pass');
    const bad = tokenizerCheck([1, 2, 3], [1, 5, 3]);
    assert.equal(bad.status, 'fail');
    assert.match(bad.summary, /at token 1 /);
  });

  test('chat path: markup in content is a warning naming the field; a clean tool call passes', () => {
    const leak = chatCheck({ reasoningFields: new Set(['delta.reasoning_content']), content: '<|channel|>final<|message|>hi', reasoning: '', toolCalls: 0 }, 'llamacpp');
    assert.equal(leak.status, 'warn');
    assert.match(leak.summary, /reasoning in delta\.reasoning_content; Harmony markup leaks into content/);
    const clean = chatCheck({ reasoningFields: new Set(['delta.reasoning']), content: '', reasoning: 'Need the tool.', toolCalls: 1 }, 'vllm');
    assert.equal(clean.status, 'pass');
    assert.match(clean.summary, /the tool call came back as tool_calls/);
  });
});

describe('prefix-cache reuse as the servers report it', () => {
  test('llama.cpp /completion: timings.cache_n of the final event', () => {
    const final = { content: '', tokens: [], stop: true, stop_type: 'eos', tokens_evaluated: 78, tokens_predicted: 5, timings: { cache_n: 63, prompt_n: 15 } };
    assert.deepEqual(llamacppEvents()(final)[0], { type: 'usage', promptTokens: 78, completionTokens: 5, cachedPromptTokens: 63 });
  });
  test('vLLM /v1/completions: usage.prompt_tokens_details.cached_tokens', () => {
    const usage = { choices: [], usage: { prompt_tokens: 78, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 48 } } };
    assert.deepEqual(completionEvent(usage), [{ type: 'usage', promptTokens: 78, completionTokens: 5, cachedPromptTokens: 48 }]);
  });
});

describe('doctor against a STAND-IN Ollama', () => {
  test('every check runs; the context check says the num_ctx we send; cache reuse from prompt_eval_count', async () => {
    const server = await startOllamaStandIn({ answer: '<|channel|>final<|message|>ready', chatReply: { thinking: 'Need the tool.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] } });
    try {
      const report = await runDoctor({ url: server.url });
      const byName = new Map(report.checks.map((c) => [c.name, c]));
      assert.deepEqual([...byName.keys()], ['Reachable', 'Server', 'Models', 'Context', 'Raw endpoint', 'Chat path', 'Responses path', 'Speed and cache']);
      assert.equal(byName.get('Server')?.summary, 'Ollama 0.12.6');
      assert.match(byName.get('Models')!.summary, /^gpt-oss: gpt-oss:20b; checking gpt-oss:20b$/);
      assert.equal(byName.get('Context')?.status, 'pass');
      assert.match(byName.get('Context')!.summary, /^we send num_ctx 24576 for the agent prompt, up to 131072/);
      assert.equal(byName.get('Raw endpoint')?.status, 'pass');
      assert.match(byName.get('Raw endpoint')!.summary, /back as text \(this server returns no ids; we re-tokenise the text\), stopped at <\|return\|>, parsed: final$/);
      assert.equal(byName.get('Chat path')?.status, 'pass');
      assert.equal(byName.get('Chat path')?.summary, 'reasoning in message.thinking; no Harmony markup in content; the tool call came back as tool_calls');
      const chat = JSON.parse(server.requests.find((r) => r.path === '/api/chat')!.body) as { options: { num_ctx?: number }; think?: string };
      assert.equal(chat.options.num_ctx, 8192, 'the chat probe sends num_ctx too');
      assert.equal(chat.think, 'low');
      // The two raw round trips come first, one after the other, so the chat probe cannot take the cache between them.
      assert.deepEqual(server.requests.filter((r) => r.path === '/api/generate' || r.path === '/api/chat').map((r) => r.path), ['/api/generate', '/api/generate', '/api/chat']);
      assert.equal(byName.get('Responses path')?.status, 'pass');
      assert.equal(byName.get('Responses path')?.summary, 'reasoning items streamed (61 characters of thinking); the tool call came back as a function_call item (get_weather)');
      const responses = JSON.parse(server.requests.find((r) => r.path === '/v1/responses')!.body) as { reasoning: unknown; tools: { name: string }[] };
      assert.deepEqual(responses.reasoning, { effort: 'low' });
      assert.deepEqual(responses.tools.map((t) => t.name), ['get_weather']);
      const first = server.received[0]!;
      const second = server.received[1]!;
      assert.deepEqual(second.slice(0, first.length), first, 'the second request extends the first');
      assert.equal(byName.get('Speed and cache')?.status, 'pass');
      assert.match(byName.get('Speed and cache')!.summary, new RegExp(`; ${first.length} of ${second.length} prompt tokens of a request extending the first came from the prefix cache$`));
      assert.equal(report.passed, true);
    } finally {
      await server.close();
    }
  });
});

describe('doctor against hosted providers (loopback replays of the chat fixtures built from their docs)', () => {
  for (const kind of ['openrouter', 'cerebras'] as const) {
    test(`${kind}: models, context, the chat path and whether reasoning stays in tool loops; no raw endpoint probed`, async () => {
      const models = { object: 'list', data: [{ id: 'openai/gpt-oss-120b', object: 'model', context_length: 131072 }, { id: 'other/model', object: 'model', context_length: 8192 }] };
      const chat = fixture(`${kind}-chat-toolcall.sse`);
      const server = await loopback((request, res) => {
        if (request.path === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(models));
        if (request.path === '/v1/chat/completions') return void res.writeHead(200, SSE_HEADERS).end(chat);
        res.writeHead(404).end();
      });
      try {
        const report = await runDoctor({ url: server.url, kind });
        const byName = new Map(report.checks.map((c) => [c.name, c]));
        assert.deepEqual([...byName.keys()], ['Reachable', 'Server', 'Models', 'Context', 'Chat path', 'Reasoning in tool loops']);
        assert.match(byName.get('Context')!.summary, /^131072 tokens \(GET \/v1\/models context_length\)/);
        assert.equal(byName.get('Chat path')?.status, 'pass');
        assert.match(byName.get('Chat path')!.summary, kind === 'openrouter' ? /delta\.reasoning and delta\.reasoning_details/ : /delta\.reasoning;/);
        const loop = byName.get('Reasoning in tool loops')!;
        assert.equal(loop.status, kind === 'openrouter' ? 'pass' : 'warn');
        assert.match(loop.summary, kind === 'openrouter' ? /`reasoning_details`/ : /Cerebras documents no field/);
        assert.deepEqual([...new Set(server.requests.map((r) => r.path))].sort(), ['/v1/chat/completions', '/v1/models']);
        assert.equal(report.passed, true);
      } finally {
        await server.close();
      }
    });
  }
});

describe('doctor against a STAND-IN Ollama on the chat endpoint', () => {
  test('Context passes: /api/chat carries the num_ctx we size (Ollama /v1/chat/completions could not)', async () => {
    const server = await startOllamaStandIn({ defaultNumCtx: 2048 });
    try {
      const report = await runDoctor({ url: server.url, endpoint: 'chat' });
      const context = report.checks.find((c) => c.name === 'Context');
      assert.equal(context?.status, 'pass');
      assert.match(context!.summary, /^we send num_ctx 24576 for the agent prompt, up to 131072/);
      assert.equal(report.checks.find((c) => c.name === 'Chat path')?.status, 'pass');
      assert.deepEqual(server.log, [], 'nothing was truncated');
    } finally {
      await server.close();
    }
  });
});

describe('doctor and /v1/responses', () => {
  test('the Responses path check: a missing endpoint only warns unless it is the configured one; reasoning and a call pass', () => {
    const missing = new ServerError({ kind: 'notFound', url: 'http://h', endpoint: 'POST /v1/responses', status: 404 }, 'POST /v1/responses at http://h answered 404 Not Found.');
    assert.equal(responsesCheck({ error: missing }, false).status, 'warn');
    const configured = responsesCheck({ error: missing }, true);
    assert.equal(configured.status, 'fail');
    assert.equal(configured.summary, 'the server has no /v1/responses');
    assert.match(configured.fix ?? '', /gptOss\.endpoint "auto"/);
    assert.equal(responsesCheck({ reasoning: 'Need the tool.', calls: ['get_weather'], answer: '' }, true).status, 'pass');
    const noReasoning = responsesCheck({ reasoning: '', calls: ['get_weather'], answer: '' }, true);
    assert.equal(noReasoning.status, 'warn');
    assert.match(noReasoning.summary, /^no reasoning items \(the chain of thought cannot go back through a tool loop\)/);
  });

  test('STAND-IN Ollama set to responses: Context fails, /v1/responses cannot send num_ctx (with the fix)', async () => {
    const server = await startOllamaStandIn({ defaultNumCtx: 4096 });
    try {
      const report = await runDoctor({ url: server.url, endpoint: 'responses' });
      const context = report.checks.find((c) => c.name === 'Context')!;
      assert.equal(context.status, 'fail');
      assert.match(context.summary, /^\/v1\/responses cannot send num_ctx, so Ollama serves /);
      assert.equal(context.fix, 'gptOss.endpoint "auto" (the raw path sends num_ctx), or OLLAMA_CONTEXT_LENGTH=32768 ollama serve');
      assert.equal(report.checks.find((c) => c.name === 'Responses path')?.status, 'pass');
      assert.equal(report.passed, false);
    } finally {
      await server.close();
    }
  });
});

describe('doctor against a server that is down', () => {
  test('one ✗ line naming the URL, nothing else checked, exit 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const report = await runDoctor({ url });
    assert.equal(report.checks.length, 1);
    assert.equal(report.checks[0]?.status, 'fail');
    const text = formatReportText(report);
    const failures = text.split('\n').filter((l) => l.startsWith('✗'));
    assert.equal(failures.length, 1);
    assert.ok(failures[0]!.includes(url), failures[0]);
    const cli = await runCli(['doctor', '--url', url]);
    assert.equal(cli.code, 1);
    assert.equal(cli.stdout.split('\n').filter((l) => l.startsWith('✗')).length, 1);
  });

  test('usage errors: --url is required, --kind is checked', async () => {
    assert.equal((await runCli(['doctor'])).code, 2);
    const bad = await runCli(['doctor', '--url', 'http://x', '--kind', 'tgi']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--kind must be auto, vllm, sglang, llamacpp, ollama, lmstudio, openai, openrouter, groq, cerebras, together, fireworks/);
  });
});
