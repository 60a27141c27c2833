// Check Server, Refresh Models, the request log and the error hint inside a real VS Code,
// against the scripted stand-in for llama-server (test/support/scriptedLlamaServer.ts).
import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import { encodeWithMarkup } from '../../src/harmony/tokenizer';
import { startScriptedLlamaServer, type ScriptedLlamaServer } from '../support/scriptedLlamaServer';

async function modelsOf(url: string): Promise<vscode.LanguageModelChat[]> {
  const models = await vscode.lm.selectChatModels({ vendor: 'gpt-oss' });
  return models.filter((m) => m.id.endsWith(`@${url}`));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within 10 s`);
}

async function setServers(urls: string[]): Promise<void> {
  await vscode.workspace.getConfiguration('gptOss').update('servers', urls.length === 0 ? undefined : urls.map((url) => ({ url, kind: 'auto' })), vscode.ConfigurationTarget.Global);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

suite('Check Server, Refresh Models, request log (scripted stand-in for llama-server)', () => {
  let server: ScriptedLlamaServer;

  suiteSetup(async () => {
    server = await startScriptedLlamaServer(32768);
    await vscode.extensions.getExtension(`${manifest.publisher}.${manifest.name}`)?.activate();
    await setServers([server.url]);
    await waitFor('the model', async () => (await modelsOf(server.url))[0]);
  });

  suiteTeardown(async () => {
    await setServers([]);
    await server?.close();
  });

  test('Check Server opens a Markdown report of the configured server', async () => {
    server.fallback = { harmony: '<|channel|>final<|message|>ready<|return|>' };
    const document = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('gptOss.checkServer');
    assert.ok(document, 'a report document');
    assert.equal(document.languageId, 'markdown');
    const text = document.getText();
    assert.ok(text.startsWith(`# Server check: ${server.url}\n`), text);
    assert.match(text, /^- ✓ \*\*Reachable\*\*: /m);
    assert.match(text, /^- ✓ \*\*Context\*\*: 32768 tokens \(\/props n_ctx\); agent mode needs 16552/m);
    assert.match(text, /^- ✓ \*\*Raw endpoint\*\*: \d+ tokens back as ids, stopped at <\|return\|>, parsed: final$/m);
    assert.equal(vscode.window.activeTextEditor?.document, document);
  });

  test('Open Last Request as Transcript: a .harmony document whose tokens are the prompt and completion the server received', async () => {
    const [model] = await modelsOf(server.url);
    const reply = '<|channel|>analysis<|message|>Short.<|end|><|start|>assistant<|channel|>final<|message|>Hello from the log.<|return|>';
    server.script.push({ harmony: reply });
    const response = await model!.sendRequest([vscode.LanguageModelChatMessage.User('Say hello.')], {}, new vscode.CancellationTokenSource().token);
    for await (const part of response.stream) void part;
    const received = server.requests.at(-1)!.prompt;
    const document = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('gptOss.openLastRequest');
    assert.ok(document, 'a transcript document');
    assert.equal(document.languageId, 'gpt-oss-harmony');
    assert.equal(encodeWithMarkup(document.getText()).length, received.length + encodeWithMarkup(reply).length);
    assert.ok(document.getText().endsWith(reply), document.getText().slice(-200));
  });

  test('a transport error in chat ends with "Run Harmony: Check Server."', async () => {
    const [model] = await modelsOf(server.url);
    server.script.push({ harmony: '', httpError: { status: 500, body: { error: { code: 500, message: 'out of memory', type: 'server_error' } } } });
    await assert.rejects(
      (async () => {
        const response = await model!.sendRequest([vscode.LanguageModelChatMessage.User('hi')], {}, new vscode.CancellationTokenSource().token);
        for await (const part of response.stream) void part;
      })(),
      (error: Error) => {
        assert.ok(error.message.endsWith('Run Harmony: Check Server.'), error.message);
        return true;
      },
    );
  });

  test('Refresh Models: a server that starts after the window shows its model, one that stops loses it, without reloading', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await setServers([server.url, url]);
    await vscode.commands.executeCommand('gptOss.refreshModels');
    assert.equal((await modelsOf(url)).length, 0, 'nothing listens there yet');
    const late = await startScriptedLlamaServer(32768, port);
    try {
      await vscode.commands.executeCommand('gptOss.refreshModels');
      await waitFor('the late server’s model', async () => (await modelsOf(url))[0]);
    } finally {
      await late.close();
    }
    await vscode.commands.executeCommand('gptOss.refreshModels');
    await waitFor('the stopped server’s model to go', async () => ((await modelsOf(url)).length === 0 ? true : undefined));
    await setServers([server.url]);
  });
});
