// The README's first way to add a server, walked as a user walks it in a real VS Code (code-server +
// Chromium): Chat: Manage Language Models → Add Models → gpt-oss (Harmony) → the form (group name,
// URL, API key, kind) → the model in the editor and in the chat's model picker → a prompt answered
// by a scripted stand-in for llama-server (test/support/scriptedLlamaServer.ts) that saw the key as
// a Bearer header → Update API Key → the new key on the next request → Delete → the model gone.
// Neither key may reach settings.json, chatLanguageModels.json, any log (our channel at trace
// level included) or a saved request log. This test has its own code-server: the files it checks
// are that profile's, and the log level must be set before VS Code starts.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'mocha';
import { screenshot, session } from './session.mjs';
import { chatModelLabel, lastResponse, openChat, pollUntil, scratchCopy, sendChatPrompt, standIn, startEditor } from './chatAgent.mjs';
import { runCommand } from './workbench.mjs';

const GROUP = 'Home llama';
const KEY = 'sk-harmony-walk-4f2a9c51';
const ROTATED = 'sk-harmony-rotated-77e1b0d3';
const ANSWER = 'Hello from the server you added.';
const PROVIDER = 'gpt-oss (Harmony)';

/** The visible quick input (the form VS Code builds from our provider's configuration schema). */
function quickInput(page) {
  const widget = page.locator('.quick-input-widget:visible');
  return {
    title: () => widget.locator('.quick-input-title').innerText(),
    input: widget.locator('input.input'),
    rows: () => widget.locator('.quick-input-list .monaco-list-row').allInnerTexts(),
  };
}

/** Waits for the form step titled `title` and returns it. */
async function formStep(page, title) {
  const step = quickInput(page);
  await pollUntil(`the form step "${title}"`, async () => (await step.title().catch(() => null)) === title, {
    timeoutMs: 30_000,
    describe: async () => `title: ${await step.title().catch((e) => e.message)}`,
  });
  return step;
}

const addModelsButton = (page) => page.locator('.monaco-button:visible', { hasText: /^Add Models$/ }).first();

/** Opens the Language Models editor and returns its rows' locator. */
async function openLanguageModels(page) {
  await page.keyboard.press('Escape');
  await runCommand(page, 'Chat: Manage Language Models');
  await addModelsButton(page).waitFor({ timeout: 60_000 });
  return page.locator('.monaco-table .monaco-list-row');
}

/** Right-clicks our model's row in the Language Models editor and picks `action` from its menu. */
async function rowAction(page, action) {
  const row = page.locator('.monaco-table .monaco-list-row', { hasText: standIn.MODEL_ID });
  await row.click({ button: 'right' });
  // A mouse click on a menu item was sometimes lost while the menu was still settling (the item
  // showed focused, nothing ran); hovering focuses it and Enter runs the focused item every time.
  await page.locator('.context-view .action-label', { hasText: action }).hover();
  await page.keyboard.press('Enter');
}

/** Sends a prompt in the Chat view and waits for the stand-in's answer in the last response. */
async function askAndWait(page, prompt) {
  await page.keyboard.press('Escape');
  await openChat(page);
  await sendChatPrompt(page, prompt);
  const answer = lastResponse(page).locator('.chat-markdown-part', { hasText: ANSWER });
  await pollUntil(`the answer to "${prompt}"`, () => answer.isVisible(), { timeoutMs: 90_000, describe: async () => `screenshot ${await screenshot('language-models-no-answer', page)}` });
}

/** Every file under dir (recursively) whose content contains one of the secrets, with the secret. */
function filesContaining(dir, secrets) {
  const found = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, 'latin1');
    for (const secret of secrets) if (text.includes(secret)) found.push(`${path}: ${secret}`);
  }
  return found;
}

/** The log files of our output channel (the extension host writes one per session). */
function ourLogs(userData) {
  return readdirSync(join(userData, 'logs'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name === 'gpt-oss Harmony.log')
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

suite('the Language Models editor path (scripted stand-in llama-server)', () => {
  test('add a gpt-oss server through the form, chat with its model, update its key, delete it; the keys stay in secret storage', async function () {
    this.timeout(300_000);
    const { root, workspace } = session();
    const copy = scratchCopy(workspace, 'language-models');
    const requestLogs = mkdtempSync(join(tmpdir(), 'gpt-oss-request-logs-'));
    const server = await standIn.startScriptedLlamaServer(131_072);
    server.fallback = { harmony: `<|channel|>analysis<|message|>The user wants a greeting.<|end|><|start|>assistant<|channel|>final<|message|>${ANSWER}<|return|>` };
    let editor;
    try {
      editor = await startEditor({
        folder: copy.dir,
        settings: { 'gptOss.logLevel': 'trace', 'gptOss.requestLogFolder': requestLogs },
        extensionDevelopmentPath: root,
        verbose: process.argv.includes('--verbose'),
      });
      const { page } = editor;
      const userData = editor.server.userData;
      const languageModelsJson = join(userData, 'User', 'chatLanguageModels.json');
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });

      // 1. Add Models → our provider, by the name package.json gives it.
      const rows = await openLanguageModels(page);
      assert.equal(await rows.count(), 0, 'a fresh profile lists no models');
      await addModelsButton(page).click();
      await page.locator('.context-view .action-label', { hasText: PROVIDER }).click();

      // 2. The form: one step per property of our configuration schema.
      let step = await formStep(page, 'Group Name');
      await step.input.fill(GROUP);
      await page.keyboard.press('Enter');
      step = await formStep(page, `${GROUP}: Server URL`);
      assert.equal(await step.input.inputValue(), 'http://127.0.0.1:8080', 'the URL starts at the schema default');
      await step.input.fill(server.url);
      await page.keyboard.press('Enter');
      step = await formStep(page, `${GROUP}: API Key`);
      assert.equal(await step.input.getAttribute('type'), 'password', 'the key is typed into a password box');
      await step.input.fill(KEY);
      await page.keyboard.press('Enter');
      step = await formStep(page, `${GROUP}: Server kind`);
      const kinds = await step.rows();
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      const declared = manifest.contributes.languageModelChatProviders[0].configuration.properties.kind.enum;
      assert.equal(kinds.length, declared.length, `one choice per kind in package.json: ${JSON.stringify(kinds)}`);
      assert.ok(kinds.some((row) => row.includes('llamacpp') && row.includes("llama.cpp's llama-server")), `each kind says what it is: ${JSON.stringify(kinds)}`);
      await step.input.fill('llamacpp');
      await page.keyboard.press('Enter');

      // 3. VS Code wrote the group, the key as a reference into secret storage.
      await pollUntil('chatLanguageModels.json with the group', () => {
        try {
          return JSON.parse(readFileSync(languageModelsJson, 'utf8')).length === 1;
        } catch {
          return false;
        }
      });
      const [group] = JSON.parse(readFileSync(languageModelsJson, 'utf8'));
      assert.deepEqual({ ...group, apiKey: undefined }, { name: GROUP, vendor: 'gpt-oss', url: server.url, kind: 'llamacpp', apiKey: undefined });
      assert.match(group.apiKey, /^\$\{input:chat\.lm\.secret\.[^}]+\}$/, 'the key is a secret-storage reference');

      // VS Code then opens the file in a modal editor, taking the focus: wait for it and close it, so
      // no key meant for the Command Palette lands in the file.
      const jsonEditor = page.locator('.monaco-editor[data-uri$="chatLanguageModels.json"]');
      await jsonEditor.waitFor({ timeout: 60_000 });
      await page.keyboard.press('Escape');
      await jsonEditor.waitFor({ state: 'hidden', timeout: 30_000 });

      // 4. The model in the Language Models editor, from our group.
      await openLanguageModels(page);
      const row = page.locator('.monaco-table .monaco-list-row', { hasText: standIn.MODEL_ID });
      await row.waitFor({ timeout: 60_000 });
      assert.match(await row.getAttribute('aria-label'), new RegExp(`^${standIn.MODEL_ID} from ${GROUP}\\. Context size: 131K tokens`));
      await screenshot('language-models-editor', page);

      // 5. In the chat's model picker, and a prompt answered with the key as a Bearer header.
      await page.keyboard.press('Escape');
      await openChat(page);
      await pollUntil(`the model picker showing ${standIn.MODEL_ID}`, async () => (await chatModelLabel(page).catch(() => null)) === `Models, ${standIn.MODEL_ID}`, {
        describe: async () => `model picker: ${await chatModelLabel(page).catch((e) => e.message)}`,
      });
      await askAndWait(page, 'Say hello.');
      const first = server.requests.length;
      assert.ok(first > 0, 'the stand-in answered');
      assert.deepEqual([...new Set(server.requests.map((r) => r.headers.authorization))], [`Bearer ${KEY}`], 'every request carried the key');

      // 6. Edit: Update API Key (the box shows the stored key, masked), then the next request uses the new one.
      await openLanguageModels(page);
      await rowAction(page, 'Update API Key');
      step = await formStep(page, `${GROUP}: API Key`);
      assert.equal(await step.input.getAttribute('type'), 'password');
      await step.input.fill(ROTATED);
      await page.keyboard.press('Enter');
      await askAndWait(page, 'Say hello again.');
      const later = server.requests.slice(first).map((r) => r.headers.authorization);
      assert.ok(later.length > 0 && later.every((auth) => auth === `Bearer ${ROTATED}`), `requests after the update carried the new key: ${JSON.stringify(later.map((a) => a?.slice(0, 16)))}`);

      // 7. Delete: gone from the file, the editor and the picker's list.
      await openLanguageModels(page);
      await rowAction(page, 'Delete');
      await page.locator('.monaco-dialog-box', { hasText: `delete ${GROUP}` }).locator('.monaco-button', { hasText: 'Yes' }).click();
      await pollUntil('chatLanguageModels.json without the group', () => JSON.parse(readFileSync(languageModelsJson, 'utf8')).length === 0);
      await pollUntil('no row in the Language Models editor', async () => (await page.locator('.monaco-table .monaco-list-row').count()) === 0);
      await page.keyboard.press('Escape');
      await page.locator('.interactive-input-part a.model-picker-name').first().click();
      const offered = page.locator('.action-widget .monaco-list-row');
      await offered.first().waitFor({ timeout: 30_000 });
      assert.ok(!(await offered.allInnerTexts()).some((text) => text.includes(standIn.MODEL_ID)), `the picker no longer offers ${standIn.MODEL_ID}: ${JSON.stringify(await offered.allInnerTexts())}`);
      await page.keyboard.press('Escape');

      // 8. The keys were never written down: not in settings.json, the models file, any log or saved request.
      const settings = readFileSync(join(userData, 'User', 'settings.json'), 'utf8');
      assert.ok(!settings.includes('gptOss.servers'), 'the form does not write gptOss.servers');
      const log = ourLogs(userData);
      assert.match(log, /request to gpt-oss-20b-scripted at http:\/\/127\.0\.0\.1:\d+/, 'our log recorded the requests (the check below reads a real log)');
      assert.ok(readdirSync(requestLogs).some((name) => name.endsWith('.harmony')), 'the exchanges were saved (the check below reads them)');
      assert.deepEqual(filesContaining(userData, [KEY, ROTATED]), [], 'no file of the profile (settings, chatLanguageModels.json, logs) holds a key');
      assert.deepEqual(filesContaining(requestLogs, [KEY, ROTATED]), [], 'no saved exchange holds a key');
    } catch (error) {
      if (editor) await screenshot('language-models-failure', editor.page).catch(() => {});
      throw error;
    } finally {
      await editor?.stop();
      await server.close();
      copy.remove();
      rmSync(requestLogs, { recursive: true, force: true });
    }
  });
});
