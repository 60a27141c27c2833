// The gpt-oss model of a scripted stand-in for llama-server (test/support/scriptedLlamaServer.ts),
// as the extension-host suites get it: configured in gptOss.servers, then found through vscode.lm.
import * as vscode from 'vscode';
import { startScriptedLlamaServer, type ScriptedLlamaServer } from '../support/scriptedLlamaServer';

/** The first gpt-oss model vscode.lm offers, polled for up to 10 s (models resolve after settings change). */
export async function waitForModel(): Promise<vscode.LanguageModelChat> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const [model] = await vscode.lm.selectChatModels({ vendor: 'gpt-oss' });
    if (model) return model;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no gpt-oss model appeared within 10 s');
}

/** Registers the suite's setup and teardown: a stand-in server, configured as the one gpt-oss server (kind llamacpp). */
export function withScriptedLlamacpp(): { server: ScriptedLlamaServer; model: vscode.LanguageModelChat } {
  const context = {} as { server: ScriptedLlamaServer; model: vscode.LanguageModelChat };
  suiteSetup(async () => {
    context.server = await startScriptedLlamaServer(32768);
    await vscode.workspace.getConfiguration('gptOss').update('servers', [{ url: context.server.url, kind: 'llamacpp' }], vscode.ConfigurationTarget.Global);
    context.model = await waitForModel();
  });
  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('gptOss').update('servers', undefined, vscode.ConfigurationTarget.Global);
    await context.server?.close();
  });
  return context;
}
