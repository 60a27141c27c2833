// VS Code's http.proxy, http.noProxy and http.proxyStrictSSL applied to the provider's requests,
// in a real VS Code: a recording forward proxy of ours on loopback, a scripted stand-in for
// llama-server, and a TLS front with a self-signed certificate made by openssl at test time.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import { MODEL_ID, startScriptedLlamaServer, type ScriptedLlamaServer } from '../support/scriptedLlamaServer';
import { startRecordingProxy, type RecordingProxy } from '../support/recordingProxy';
import { selfSignedCertificate, tlsFront, type SelfSigned, type TlsFront } from '../support/selfSignedTls';

const global = vscode.ConfigurationTarget.Global;

async function waitForModel(url: string): Promise<vscode.LanguageModelChat> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const models = await vscode.lm.selectChatModels({ vendor: 'gpt-oss' });
    // Model ids are `<model>@<server url>`: the one from this server, not an earlier suite's.
    const model = models.find((m) => m.id === `${MODEL_ID}@${url}`);
    if (model) return model;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no gpt-oss model from ${url} appeared within 10 s`);
}

async function answer(model: vscode.LanguageModelChat): Promise<string> {
  let text = '';
  const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Hello')], {});
  for await (const part of response.text) text += part;
  return text;
}

async function setHttp(values: Record<string, unknown>): Promise<void> {
  const http = vscode.workspace.getConfiguration('http');
  for (const [key, value] of Object.entries(values)) await http.update(key, value, global);
}

suite('VS Code’s proxy and TLS settings (recording proxy, scripted stand-in for llama-server)', () => {
  let server: ScriptedLlamaServer;
  let proxy: RecordingProxy;
  let certificate: SelfSigned;
  let front: TlsFront;

  suiteSetup(async () => {
    server = await startScriptedLlamaServer(32768);
    server.fallback = { harmony: '<|channel|>final<|message|>Hello through the network.<|return|>' };
    proxy = await startRecordingProxy();
    certificate = await selfSignedCertificate();
    front = await tlsFront(certificate, server.url);
    await vscode.extensions.getExtension(`${manifest.publisher}.${manifest.name}`)?.activate();
  });

  suiteTeardown(async () => {
    await setHttp({ proxy: undefined, noProxy: undefined, proxyStrictSSL: undefined });
    await vscode.workspace.getConfiguration('gptOss').update('servers', undefined, global);
    await front?.close();
    await proxy?.close();
    await server?.close();
    await certificate?.dispose();
  });

  test('http.proxy: the model list and the request go through the proxy; http.noProxy: directly', async () => {
    await setHttp({ proxy: proxy.url });
    await vscode.workspace.getConfiguration('gptOss').update('servers', [{ url: server.url, kind: 'llamacpp' }], global);
    const model = await waitForModel(server.url);
    const before = proxy.requests.length;
    assert.equal(await answer(model), 'Hello through the network.');
    const forwarded = proxy.requests.slice(before).map((r) => `${r.method} ${r.target}`);
    // Ours forwards plain HTTP in absolute form (VS Code's own fetch would have tunnelled with CONNECT).
    assert.deepEqual(forwarded, [`POST ${server.url}/completion`]);

    await setHttp({ noProxy: ['127.0.0.1'] });
    const direct = proxy.requests.length;
    const served = server.requests.length;
    assert.equal(await answer(model), 'Hello through the network.');
    assert.equal(proxy.requests.length, direct, 'http.noProxy bypasses the proxy');
    assert.equal(server.requests.length, served + 1);
  });

  test('a self-signed https:// server: works with http.proxyStrictSSL off; with it on, an error naming the certificate problem', async () => {
    await setHttp({ proxy: undefined, noProxy: undefined, proxyStrictSSL: false });
    await vscode.workspace.getConfiguration('gptOss').update('servers', [{ url: front.url, kind: 'llamacpp' }], global);
    const model = await waitForModel(front.url);
    assert.equal(await answer(model), 'Hello through the network.');

    await setHttp({ proxyStrictSSL: true });
    let error: unknown;
    try {
      await answer(model);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof vscode.LanguageModelError, `a LanguageModelError, not ${String(error)}`);
    assert.match(error.message, /is self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\)\. If you trust it, trust its CA: start VS Code \(or harmony\) with NODE_EXTRA_CA_CERTS=\/path\/to\/ca\.pem; in VS Code, http\.proxyStrictSSL set to false/);
  });
});
