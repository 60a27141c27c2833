// "Generate Commit Message with gpt-oss" as a user meets it: a real scratch git repository with a
// staged change, opened in an editor of its own (Git on, gptOss.servers pointing at the scripted
// stand-in for llama-server), the Source Control view, our sparkle button in its title bar, one
// click, and the scripted model's commit message in the Source Control input box. The stand-in's
// prompt must carry the staged diff. The button's screenshot is media/commit-message-button.png
// (copied from test-results/screenshots/ when it changes).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { suite, test } from 'mocha';
import { screenshot, session } from './session.mjs';
import { pollUntil, standIn, startEditor, tokenizer } from './chatAgent.mjs';
import { waitForWorkbench } from './workbench.mjs';

// chatAgent.mjs registered tsx: the TypeScript helpers load with require().
const require = createRequire(import.meta.url);

const MESSAGE = 'feat(greeting): greet Harmony instead of the world\n\nThe script now names the model it was written for.';
const BUTTON = 'Generate Commit Message with gpt-oss';

const { scratchGitRepository } = require('../../support/scratchGit.ts');

suite('Generate Commit Message with gpt-oss (scripted stand-in for llama-server, real git repository)', () => {
  test('the Source Control title button streams the model’s conventional commit message into the input box; the prompt carries the staged diff; screenshot', async function () {
    this.timeout(240_000);
    const { root } = session();
    const repository = scratchGitRepository(
      { 'greeting.js': "const name = 'world';\nconsole.log(`Hello, ${name}!`);\n" },
      { 'greeting.js': "const name = 'Harmony';\nconsole.log(`Hello, ${name}!`);\n" },
    );
    const server = await standIn.startScriptedLlamaServer(32768);
    server.fallback = { harmony: `<|channel|>analysis<|message|>The diff renames the greeted name.<|end|><|start|>assistant<|channel|>final<|message|>${MESSAGE}<|return|>` };
    let editor;
    try {
      editor = await startEditor({
        folder: repository.dir,
        settings: { 'git.enabled': true, 'gptOss.servers': [{ url: server.url, kind: 'llamacpp' }] },
        extensionDevelopmentPath: root,
        verbose: process.argv.includes('--verbose'),
      });
      const { page } = editor;
      await waitForWorkbench(page);
      await page.keyboard.press('Control+Shift+G');
      const scmView = page.locator('.scm-view:not(.scm-history-view)').first();
      await scmView.waitFor({ timeout: 60_000 });
      // The git extension lists the staged file once it has read the repository.
      await pollUntil('the staged change in the Source Control view', () => scmView.getByText('greeting.js').first().isVisible(), {
        describe: async () => `screenshot ${await screenshot('commit-message-no-change', page)}`,
      });
      const button = page.locator(`.part.sidebar .action-label[aria-label="${BUTTON}"]`).first();
      // View title actions show while the pointer is over the view, as for a user.
      await pollUntil('our button in the Source Control title bar', async () => {
        await page.locator('.part.sidebar .pane-header', { hasText: 'Changes' }).first().hover();
        return button.isVisible();
      }, {
        describe: async () =>
          `actions: ${JSON.stringify(await page.locator('.part.sidebar .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))))}; screenshot ${await screenshot('commit-message-no-button', page)}`,
      });
      const titleBar = await page.locator('.part.sidebar .pane-header', { hasText: 'Changes' }).first().boundingBox();
      const inputBox = page.locator('.scm-editor .monaco-editor .view-lines').first();
      await button.click();
      const shown = await pollUntil(
        'the commit message in the Source Control input box',
        async () => {
          const text = (await inputBox.innerText()).replace(/\u00a0/g, ' ');
          return text.startsWith('feat(greeting)') && text.includes('written for.') ? text : undefined;
        },
        { describe: async () => `the box shows ${JSON.stringify(await inputBox.innerText())}; screenshot ${await screenshot('commit-message-missing', page)}` },
      );
      // The box wraps long lines: the words, in order, are what it shows.
      assert.equal(shown.replace(/\s+/g, ' ').trim(), MESSAGE.replace(/\s+/g, ' '));
      await button.hover();
      await page.locator('.monaco-hover, .workbench-hover', { hasText: BUTTON }).first().waitFor({ timeout: 10_000 }).catch(() => {});
      const whole = await screenshot('commit-message', page);
      // The Changes header with our button and its tooltip, and the message below it.
      const clip = { x: titleBar.x, y: titleBar.y - 2, width: titleBar.width + 120, height: 160 };
      await page.screenshot({ path: join(dirname(whole), 'commit-message-button.png'), clip });

      const completions = server.requests.filter((r) => r.prompt.length > 0);
      const prompt = tokenizer.decode(completions.at(-1).prompt);
      assert.match(prompt, /Conventional Commits/);
      assert.match(prompt, /greeting\.js: \+1 −1 \(staged changes\)|1 file changed, \+1 −1 \(staged changes\)/);
      assert.match(prompt, /-const name = 'world';\n\+const name = 'Harmony';/);
    } finally {
      await editor?.stop();
      await server.close();
      repository.remove();
    }
  });
});
