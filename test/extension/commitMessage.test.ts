// "Generate Commit Message with gpt-oss" inside a real VS Code, through the built-in git
// extension's API on a scratch repository made at test time and a gpt-oss model served by the
// scripted stand-in for llama-server: the message lands in the repository's input box, the prompt
// carries the staged diff, Stop keeps what streamed, and a failure gives the box its text back.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import { decode } from '../../src/harmony/tokenizer';
import { scratchGitRepository, type ScratchRepository } from '../support/scratchGit';
import { startScriptedLlamaServer, type ScriptedLlamaServer } from '../support/scriptedLlamaServer';

interface Repository {
  readonly rootUri: vscode.Uri;
  readonly inputBox: { value: string };
  readonly state: { readonly indexChanges: readonly unknown[] };
}

interface GitApi {
  openRepository(root: vscode.Uri): Promise<Repository | null>;
}

const MESSAGE = 'fix(greeting): greet Harmony\n\nThe greeting named the world; it names Harmony now.';
const global = vscode.ConfigurationTarget.Global;

async function poll<T>(what: string, check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

suite('Generate Commit Message with gpt-oss (git extension API, scripted stand-in for llama-server)', () => {
  let server: ScriptedLlamaServer;
  let scratch: ScratchRepository;
  let repository: Repository;

  suiteSetup(async function () {
    this.timeout(60_000);
    scratch = scratchGitRepository({ 'greeting.js': "const name = 'world';\n" }, { 'greeting.js': "const name = 'Harmony';\n" });

    server = await startScriptedLlamaServer(32768);
    await vscode.extensions.getExtension(`${manifest.publisher}.${manifest.name}`)?.activate();
    await vscode.workspace.getConfiguration('gptOss').update('servers', [{ url: server.url, kind: 'llamacpp' }], global);
    // Only the scratch repository: the test workspace lies inside this checkout, which git must not touch.
    await vscode.workspace.getConfiguration('git').update('autoRepositoryDetection', false, global);
    await vscode.workspace.getConfiguration('git').update('enabled', true, global);
    const extension = vscode.extensions.getExtension<{ enabled: boolean; getAPI(v: 1): GitApi }>('vscode.git')!;
    const exports = await extension.activate();
    await poll('the git extension to turn on', () => exports.enabled);
    const opened = await exports.getAPI(1).openRepository(vscode.Uri.file(scratch.dir));
    assert.ok(opened, 'the scratch repository opens');
    repository = opened;
    await poll('the staged change', () => repository.state.indexChanges.length === 1);
    for (let attempt = 0; attempt < 100 && (await vscode.lm.selectChatModels({ vendor: 'gpt-oss' })).length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('git').update('enabled', undefined, global);
    await vscode.workspace.getConfiguration('git').update('autoRepositoryDetection', undefined, global);
    await vscode.workspace.getConfiguration('gptOss').update('servers', undefined, global);
    await server?.close();
    scratch?.remove();
  });

  test('the message lands in the input box, without the reasoning; the prompt carries the staged diff', async () => {
    server.script.push({ harmony: `<|channel|>analysis<|message|>A rename of the greeted name.<|end|><|start|>assistant<|channel|>final<|message|>${MESSAGE}<|return|>` });
    repository.inputBox.value = '';
    await vscode.commands.executeCommand('gptOss.generateCommitMessage', { rootUri: repository.rootUri });
    assert.equal(repository.inputBox.value, MESSAGE);
    const prompt = decode(server.requests.at(-1)!.prompt);
    assert.match(prompt, /Conventional Commits/);
    assert.match(prompt, /greeting\.js: \+1 −1\n/);
    assert.match(prompt, /-const name = 'world';\n\+const name = 'Harmony';/);
  });

  test('Stop while it streams: what streamed stays, the request is closed', async () => {
    const long = `feat: ${Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ')}`;
    server.script.push({ harmony: `<|channel|>final<|message|>${long}<|return|>`, tokenDelayMs: 40 });
    repository.inputBox.value = '';
    const aborted = server.aborted.length;
    const running = vscode.commands.executeCommand('gptOss.generateCommitMessage', { rootUri: repository.rootUri });
    await poll('the first words in the box', () => repository.inputBox.value.length > 10);
    await vscode.commands.executeCommand('gptOss.cancelCommitMessage');
    await running;
    const kept = repository.inputBox.value;
    assert.ok(kept.length > 10 && kept.length < long.length, `kept ${kept.length} of ${long.length} characters`);
    assert.ok(long.startsWith(kept.trimEnd()), kept);
    await poll('the stand-in to see the connection closed', () => server.aborted.length === aborted + 1);
  });

  test('the server fails before anything streamed: the box gets the text back that the user had typed', async () => {
    server.script.push({ harmony: '', httpError: { status: 500, body: { error: { code: 500, message: 'model crashed', type: 'server_error' } } } });
    repository.inputBox.value = 'my draft';
    const served = server.requests.length;
    await vscode.commands.executeCommand('gptOss.generateCommitMessage', { rootUri: repository.rootUri });
    assert.equal(server.requests.length, served + 1, 'the request was made');
    assert.equal(repository.inputBox.value, 'my draft');
  });
});
