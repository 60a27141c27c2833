// The extension under development is this checkout, it activates, and its contributions are live.
import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import * as vscode from 'vscode';
import manifest from '../../package.json';

const extensionId = `${manifest.publisher}.${manifest.name}`;
// Bundled into <repo>/out/extension-tests/, so the checkout is two folders up.
const repoRoot = resolve(__dirname, '..', '..');

function ourExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `${extensionId} is not loaded in the extension host`);
  return extension;
}

suite('activation', () => {
  test('the extension under test is this checkout', () => {
    assert.equal(ourExtension().extensionUri.fsPath, repoRoot);
  });

  test('activates and registers gptOss.showLog', async () => {
    const extension = ourExtension();
    await extension.activate();
    assert.equal(extension.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('gptOss.showLog'), 'gptOss.showLog is not a registered command');
  });

  test('opens .harmony files in the contributed language', async () => {
    const [uri] = await vscode.workspace.findFiles('sample.harmony');
    assert.ok(uri, 'sample.harmony is not in the test workspace');
    const document = await vscode.workspace.openTextDocument(uri);
    assert.equal(document.languageId, manifest.contributes.languages[0]?.id);
    assert.match(document.getText(), /^<\|start\|>user<\|message\|>What is 2\+2\?/);
  });
});
