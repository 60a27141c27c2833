// Per-model sampling and per-server headers inside a real VS Code, against the scripted stand-in
// for llama-server (test/support/scriptedLlamaServer.ts), which records each request's body and
// headers: the values from gptOss.servers arrive under llama.cpp's names, a "${secret}" header
// arrives with the value from secret storage, and that value is never in the log channel's file.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import { MODEL_ID, startScriptedLlamaServer, type ScriptedLlamaServer } from '../support/scriptedLlamaServer';

const SECRET = 'gw-secret-7c1d2e9f30b4a5c6';

async function modelAt(url: string): Promise<vscode.LanguageModelChat> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const model = (await vscode.lm.selectChatModels({ vendor: 'gpt-oss' })).find((m) => m.id.endsWith(`@${url}`));
    if (model) return model;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no gpt-oss model of ${url} appeared within 10 s`);
}

async function drain(response: vscode.LanguageModelChatResponse): Promise<string> {
  let text = '';
  for await (const part of response.text) text += part;
  return text;
}

suite('sampling per model and headers per server (scripted stand-in for llama-server)', () => {
  let server: ScriptedLlamaServer;

  suiteSetup(async () => {
    server = await startScriptedLlamaServer(32768);
    await vscode.extensions.getExtension(`${manifest.publisher}.${manifest.name}`)?.activate();
    await vscode.commands.executeCommand('gptOss.test.storeSecret', server.url, 'X-Api-Key', SECRET);
    await vscode.workspace.getConfiguration('gptOss').update('logLevel', 'trace', vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('gptOss').update(
      'servers',
      [
        {
          url: server.url,
          kind: 'llamacpp',
          headers: { 'X-Api-Key': 'Key ${secret}', 'X-Team': 'harmony' },
          top_k: 20,
          models: [{ id: MODEL_ID, temperature: 0.6, min_p: 0.1, maxTokens: 1024 }],
        },
      ],
      vscode.ConfigurationTarget.Global,
    );
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('gptOss').update('servers', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('gptOss').update('logLevel', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('gptOss.test.storeSecret', server.url, 'X-Api-Key', '');
    await server?.close();
  });

  test('the model’s sampling arrives in the /completion body (over the server’s and the gpt-oss defaults); maxTokens sizes the model', async () => {
    const model = await modelAt(server.url);
    assert.equal(model.maxInputTokens, 32768 - 1024, 'maxTokens 1024 is the output budget VS Code is told');
    server.script.push({ harmony: '<|channel|>final<|message|>Sampled.<|return|>' });
    assert.equal(await drain(await model.sendRequest([vscode.LanguageModelChatMessage.User('Hi')], {})), 'Sampled.');
    const { body } = server.requests.at(-1)!;
    assert.deepEqual(
      { temperature: body.temperature, top_p: body.top_p, top_k: body.top_k, min_p: body.min_p, n_predict: body.n_predict },
      { temperature: 0.6, top_p: 1, top_k: 20, min_p: 0.1, n_predict: 1024 },
    );
  });

  test('headers arrive, the ${secret} one with the value from secret storage; the value is absent from the log file, even when the server echoes it', async () => {
    const model = await modelAt(server.url);
    server.script.push({ harmony: '', httpError: { status: 403, body: { error: { code: 403, message: `gateway refused X-Api-Key "Key ${SECRET}"`, type: 'permission_error' } } } });
    const failed = await drain(await model.sendRequest([vscode.LanguageModelChatMessage.User('Hi')], {})).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    assert.ok(failed, 'the 403 fails the request');
    assert.ok(!failed.message.includes(SECRET), failed.message);
    const { headers } = server.requests.at(-1)!;
    assert.equal(headers['x-api-key'], `Key ${SECRET}`);
    assert.equal(headers['x-team'], 'harmony');
    const settingsText = JSON.stringify(vscode.workspace.getConfiguration('gptOss').inspect('servers')?.globalValue);
    assert.ok(!settingsText.includes(SECRET) && settingsText.includes('${secret}'), 'settings hold only the placeholder');
    // The log channel is written to disk asynchronously: wait for the error line, then look for the secret.
    let log = '';
    for (let attempt = 0; attempt < 100 && !/gateway refused/.test(log); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      log = await vscode.commands.executeCommand<string>('gptOss.test.logText');
    }
    assert.match(log, /gateway refused X-Api-Key/, 'the error reached the log');
    assert.match(log, /request to gpt-oss-20b-scripted/);
    assert.ok(!log.includes(SECRET), `the secret is in the log:\n${log.split('\n').filter((l) => l.includes(SECRET)).join('\n')}`);
  });

  test('a ${secret} header whose secret is not stored is left out (the literal placeholder is never sent), and the log says how to store it', async () => {
    await vscode.commands.executeCommand('gptOss.test.storeSecret', server.url, 'X-Api-Key', '');
    try {
      const model = await modelAt(server.url);
      server.script.push({ harmony: '<|channel|>final<|message|>No key.<|return|>' });
      assert.equal(await drain(await model.sendRequest([vscode.LanguageModelChatMessage.User('Hi')], {})), 'No key.');
      const { headers } = server.requests.at(-1)!;
      assert.equal(headers['x-api-key'], undefined, 'no header without its secret');
      assert.equal(headers['x-team'], 'harmony', 'the plain header still goes');
      let log = '';
      for (let attempt = 0; attempt < 100 && !/none is stored/.test(log); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        log = await vscode.commands.executeCommand<string>('gptOss.test.logText');
      }
      assert.match(log, /a header \(X-Api-Key\) of http:\/\/127\.0\.0\.1:\d+ takes its value from secret storage, but none is stored: run Harmony: Set API Key for a Server/);
    } finally {
      await vscode.commands.executeCommand('gptOss.test.storeSecret', server.url, 'X-Api-Key', SECRET);
    }
  });
});
