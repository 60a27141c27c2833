// "Inspect Harmony Tokens" and the transcript commands inside a real VS Code. The webview's
// own report of what it drew is compared with the harmony CLI on the same file.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import * as vscode from 'vscode';
import manifest from '../../package.json';

const repoRoot = resolve(__dirname, '..', '..');

interface InspectorHandle {
  readonly panel: vscode.WebviewPanel;
  readonly current: () => { count: number; messages: { role: string; channel?: string; recipient?: string; contentType?: string; content: string; notes: readonly string[] }[] } | undefined;
  readonly rendered: () => Promise<{ count: number; messages: number }>;
}

function cli(args: string[], file: string): string {
  const run = spawnSync(process.execPath, [resolve(repoRoot, 'dist/cli.js'), ...args, file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

async function openWorkspaceFile(name: string): Promise<vscode.TextEditor> {
  const [uri] = await vscode.workspace.findFiles(name);
  assert.ok(uri, `${name} is not in the test workspace`);
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
}

suite('Harmony transcripts: inspector and commands', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(`${manifest.publisher}.${manifest.name}`)?.activate();
  });
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the inspector shows the same token count and messages as the CLI, recovery notes included', async () => {
    const editor = await openWorkspaceFile('conversation.harmony');
    const handle = (await vscode.commands.executeCommand('gptOss.inspectTokens')) as InspectorHandle;
    assert.ok(handle, 'the command returned no inspector');
    const drawn = await handle.rendered();
    const file = editor.document.uri.fsPath;
    const cliCount = Number(cli(['count', '--transcript'], file));
    const cliParse = JSON.parse(cli(['parse', '--transcript'], file)) as { messages: { role: string; channel: string | null; recipient: string | null; content_type: string | null; content: string; notes?: string[] }[] };
    assert.equal(drawn.count, cliCount);
    assert.equal(handle.current()?.count, cliCount);
    assert.equal(drawn.messages, cliParse.messages.length);
    const shown = handle.current()!.messages.map((m) => ({ role: m.role, channel: m.channel ?? null, recipient: m.recipient ?? null, content_type: m.contentType ?? null, content: m.content }));
    assert.deepEqual(shown, cliParse.messages.map(({ role, channel, recipient, content_type, content }) => ({ role, channel, recipient, content_type, content })));
    assert.ok(handle.current()!.messages.some((m) => m.notes.some((n) => /message/i.test(n))), 'the malformed message carries a recovery note');
    handle.panel.dispose();
  });

  test('the inspector opens a 35 KB, 36-tool prompt (time reported, not asserted)', async () => {
    await openWorkspaceFile('agent-prompt.harmony');
    const started = Date.now();
    const handle = (await vscode.commands.executeCommand('gptOss.inspectTokens')) as InspectorHandle;
    const drawn = await handle.rendered();
    console.log(`      inspector drawn ${Date.now() - started} ms after the command for ${drawn.count} tokens`);
    assert.equal(drawn.count, 8360);
    handle.panel.dispose();
  });

  test('the inspector follows edits to the document', async () => {
    const document = await vscode.workspace.openTextDocument({ language: manifest.contributes.languages[0]!.id, content: '<|start|>user<|message|>hi<|end|>' });
    const editor = await vscode.window.showTextDocument(document);
    const handle = (await vscode.commands.executeCommand('gptOss.inspectTokens')) as InspectorHandle;
    assert.equal((await handle.rendered()).count, 5);
    await editor.edit((edit) => edit.insert(document.positionAt(document.getText().length), '<|start|>assistant<|channel|>final<|message|>hello<|return|>'));
    for (let i = 0; i < 100 && handle.current()?.count === 5; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(handle.current()?.count, 12);
    assert.equal((await handle.rendered()).messages, 2);
    handle.panel.dispose();
  });

  test('Render Chat Request as Harmony opens a Harmony document; Copy Token Ids copies the ids', async () => {
    const request = { messages: [{ role: 'user', content: 'Hello' }] };
    const json = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(request) });
    await vscode.window.showTextDocument(json);
    const rendered = (await vscode.commands.executeCommand('gptOss.renderRequest')) as vscode.TextDocument;
    assert.equal(rendered.languageId, manifest.contributes.languages[0]!.id);
    assert.match(rendered.getText(), /^<\|start\|>system<\|message\|>You are ChatGPT/);
    assert.ok(rendered.getText().endsWith('<|start|>user<|message|>Hello<|end|><|start|>assistant'));
    const editor = await vscode.window.showTextDocument(rendered);
    const end = rendered.positionAt(rendered.getText().length);
    editor.selection = new vscode.Selection(rendered.positionAt(rendered.getText().length - '<|start|>assistant'.length), end);
    const ids = (await vscode.commands.executeCommand('gptOss.copyTokenIds')) as number[];
    assert.deepEqual(ids, [200006, 173781]);
    assert.equal(await vscode.env.clipboard.readText(), '[200006,173781]');
  });
});
