// `harmony doctor` against the real llama-server (the crafted-weights model that says one
// Harmony answer, so the raw round trip can stop at <|return|>): a healthy server passes; one
// started with -c 2048 fails only the context check, with the llama-server command that fixes
// it; a server that is down gives one ✗ line naming its URL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { craftedFinalModel, withLlamaServer } from '../llama/server';
import { runCli } from '../support/cliHarness';

function marked(stdout: string, mark: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith(mark));
}

describe('harmony doctor on a real llama-server', () => {
  it('a healthy server (-c 32768): every check ✓, exit 0', async () => {
    await withLlamaServer({ model: craftedFinalModel, ctxSize: 32768, alias: 'tiny-gpt-oss' }, async (server) => {
      const cli = await runCli(['doctor', '--url', server.url]);
      assert.equal(cli.code, 0, cli.stdout + cli.stderr);
      assert.deepEqual(marked(cli.stdout, '✗'), []);
      const passed = marked(cli.stdout, '✓').map((line) => line.slice(2, line.indexOf(':')));
      assert.deepEqual(passed, ['Reachable', 'Server', 'Models', 'Context', 'Raw endpoint', 'Tokenizer', 'Chat path', 'Speed and cache'], cli.stdout);
      assert.match(cli.stdout, /✓ Context: 32768 tokens \(\/props n_ctx\); agent mode needs 16552/);
      assert.match(cli.stdout, /✓ Raw endpoint: \d+ tokens back as ids, stopped at <\|return\|>, parsed: analysis, final/);
      assert.match(cli.stdout, /✓ Chat path: reasoning in delta\.reasoning_content; no Harmony markup in content/);
      assert.match(cli.stdout, /✓ Speed and cache: first token \d+ ms, [\d.]+ tokens\/s; [1-9]\d* of \d+ prompt tokens/);
    });
  });

  it('-c 2048: the context check fails with the fix `llama-server -c 32768`, exit 1', async () => {
    await withLlamaServer({ model: craftedFinalModel, ctxSize: 2048, alias: 'tiny-gpt-oss' }, async (server) => {
      const cli = await runCli(['doctor', '--url', server.url]);
      assert.equal(cli.code, 1, cli.stdout + cli.stderr);
      assert.deepEqual(marked(cli.stdout, '✗'), ['✗ Context: 2048 tokens (/props n_ctx); agent mode needs 16552 (a 8360-token agent prompt + 8192 output)']);
      const lines = cli.stdout.split('\n');
      assert.equal(lines[lines.findIndex((l) => l.startsWith('✗ Context')) + 1], '    fix: llama-server -c 32768');
    });
  });

  it('a server that is down: one ✗ line naming the URL, exit 1', async () => {
    let url = '';
    await withLlamaServer({ model: craftedFinalModel }, async (server) => {
      url = server.url;
    });
    const cli = await runCli(['doctor', '--url', url]);
    assert.equal(cli.code, 1);
    const failures = marked(cli.stdout, '✗');
    assert.equal(failures.length, 1, cli.stdout);
    assert.ok(failures[0]!.includes(url), failures[0]);
    assert.deepEqual(marked(cli.stdout, '✓'), []);
  });
});
