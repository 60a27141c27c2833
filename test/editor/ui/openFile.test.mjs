// Opening a .harmony file shows it in an editor tab with our language in the status bar.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, suiteTeardown, test } from 'mocha';
import { screenshot, session } from './session.mjs';
import { activeTabTitle, closeAllEditors, editorText, openFile, statusBarLanguage, waitForValue } from './workbench.mjs';

suite('open a .harmony file', () => {
  suiteTeardown(() => closeAllEditors(session().page));

  test('shows the file in a tab, in the Harmony language, and takes a screenshot', async () => {
    const { page, root } = session();
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const languageName = manifest.contributes.languages[0].aliases[0];

    await openFile(page, 'sample.harmony');

    await waitForValue('active tab', () => activeTabTitle(page), 'sample.harmony');
    // "Plain Text" here would mean the extension under development did not contribute the language.
    await waitForValue('status bar language', () => statusBarLanguage(page), languageName);
    assert.match(await editorText(page), /<\|start\|>user<\|message\|>What is 2\+2\?<\|end\|>/);
    const path = await screenshot('open-sample-harmony');
    assert.ok(readFileSync(path).length > 10_000, `${path} is suspiciously small for a workbench screenshot`);
  });
});
