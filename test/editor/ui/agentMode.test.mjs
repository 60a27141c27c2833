// Agent mode end to end, in the real agent loop of a real VS Code (code-server + Chromium), with
// our provider talking Harmony token ids to a scripted stand-in for llama-server
// (test/support/scriptedLlamaServer.ts). A user prompt typed into the Chat view in Agent mode,
// with the gpt-oss model picked, makes the scripted model read a file, edit it, create one and run
// a command; VS Code runs each tool in a scratch copy of the workspace. The test checks the files,
// the thinking blocks and the answer in chat, and every prompt the stand-in received, token for token.
// This test has its own code-server (the scratch workspace, and gptOss.servers pointing at the
// stand-in, must be there before VS Code starts); the shared page of the other UI tests is not used.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'mocha';
import { screenshot, session } from './session.mjs';
import {
  allowPendingConfirmations,
  chatMode,
  expand,
  chatModelLabel,
  lastResponse,
  openChat,
  pollUntil,
  processesUsing,
  scratchCopy,
  sendChatPrompt,
  standIn,
  startEditor,
  tokenizer,
  tokens,
} from './chatAgent.mjs';

const { decode, encodeOrdinary, encodeWithMarkup } = tokenizer;
const { Special } = tokens;

const ORIGINAL = "// Prints a greeting.\nconst name = 'world';\nconsole.log(`Hello, ${name}!`);\n";
const EDITED = ORIGINAL.replace("'world'", "'Harmony'");
const NOTES = '# Notes\n\n`greeting.js` greets Harmony. Run it with `node greeting.js`.\n';
const PROMPT = 'Make greeting.js greet Harmony instead of the world, add a NOTES.md that says so, then run the script.';
const TITLE = 'Greet Harmony in greeting.js';
const PROGRESS = ['Reading the code', 'Tuning the greeting', 'Writing it down', 'Running the script', 'Checking the output', 'Polishing the words', 'Lining up the steps', 'Saying hello', 'Almost there', 'Wrapping up'];
const ANSWER_TEXT = 'greeting.js now greets Harmony';

/** What the scripted model thinks before each step; all of it must come back while the turn goes on. */
const ANALYSIS = [
  'The user wants greeting.js to greet Harmony, a NOTES.md, and a run. Read greeting.js first.',
  "Line 2 sets name to 'world'. Change it to 'Harmony'.",
  'greeting.js is changed. Now create NOTES.md.',
  'Both files are written. Run the script to check its output.',
  'The script printed Hello, Harmony! Everything the user asked for is done.',
];

const final = (text) => `<|channel|>final<|message|>${text}<|return|>`;
const call = (analysis, name, args) =>
  `<|channel|>analysis<|message|>${analysis}<|end|><|start|>assistant<|channel|>commentary to=functions.${name} <|constrain|>json<|message|>${JSON.stringify(args)}<|call|>`;

/**
 * The scripted model's completion for agent step k (k = tool results so far). The edit uses
 * apply_patch when agent mode offers it (it does to gpt-oss models), else replace_string_in_file.
 */
function agentStep(k, dir, offered) {
  const greeting = join(dir, 'greeting.js');
  switch (k) {
    case 0:
      return { tool: 'read_file', harmony: call(ANALYSIS[0], 'read_file', { filePath: greeting, startLine: 1, endLine: 3 }) };
    case 1:
      if (offered.includes('apply_patch')) {
        const patch = `*** Begin Patch\n*** Update File: ${greeting}\n@@\n // Prints a greeting.\n-const name = 'world';\n+const name = 'Harmony';\n console.log(\`Hello, \${name}!\`);\n*** End Patch`;
        return { tool: 'apply_patch', harmony: call(ANALYSIS[1], 'apply_patch', { input: patch, explanation: 'Greet Harmony instead of the world' }) };
      }
      if (offered.includes('replace_string_in_file')) {
        const args = { filePath: greeting, oldString: "const name = 'world';", newString: "const name = 'Harmony';" };
        return { tool: 'replace_string_in_file', harmony: call(ANALYSIS[1], 'replace_string_in_file', args) };
      }
      throw new Error(`agent mode offered no edit tool we know: ${offered.join(', ')}`);
    case 2:
      return { tool: 'create_file', harmony: call(ANALYSIS[2], 'create_file', { filePath: join(dir, 'NOTES.md'), content: NOTES }) };
    case 3: {
      const args = { command: 'node greeting.js', explanation: 'Runs the greeting script.', goal: 'Check the greeting', mode: 'sync', isBackground: false };
      return { tool: 'run_in_terminal', harmony: call(ANALYSIS[3], 'run_in_terminal', args) };
    }
    default:
      return {
        tool: undefined,
        harmony: `<|channel|>analysis<|message|>${ANALYSIS[4]}<|end|><|start|>assistant${final(`Done: ${ANSWER_TEXT}, NOTES.md says so, and \`node greeting.js\` prints \`Hello, Harmony!\`.`)}`,
      };
  }
}

/** A short sensible answer to a request without tools (agent mode's progress messages and titles). */
function utilityReply(text) {
  if (/progress messages/i.test(text)) return { kind: 'progress messages', harmony: final(JSON.stringify(PROGRESS)) };
  if (/\btitle\b/i.test(text)) return { kind: 'title', harmony: final(TITLE) };
  return undefined; // The stand-in's fallback.
}

/** The names of the functions a rendered prompt offers (`type NAME = ` lines of namespace functions). */
const offeredTools = (text) => [...text.matchAll(/^type ([A-Za-z0-9_]+) = /gm)].map((m) => m[1]);

/** Where two id arrays first differ, with both sides decoded around it. */
function difference(expected, actual) {
  let i = 0;
  while (i < expected.length && expected[i] === actual[i]) i++;
  const around = (ids) => JSON.stringify(decode(ids.slice(Math.max(0, i - 20), i + 40)));
  return `first difference at token ${i} of ${expected.length}: expected …${around(expected)}…, got …${around(actual)}…`;
}

/**
 * Asserts that `next` is `previous` + the completion the model gave for it (its own tokens,
 * analysis included) + one Harmony tool message from `tool` + `<|start|>assistant`, and returns the
 * tool message's text.
 */
function assertFollowUp(step, previous, completion, tool, next) {
  const head = [...previous, ...encodeWithMarkup(completion), ...encodeWithMarkup(`<|start|>functions.${tool} to=assistant<|channel|>commentary<|message|>`)];
  const tail = [Special.end, ...encodeWithMarkup('<|start|>assistant')];
  assert.ok(next.length > head.length + tail.length, `step ${step + 1}: the prompt (${next.length} tokens) is not longer than step ${step}'s prompt, completion and tool header (${head.length})`);
  assert.ok(
    head.every((id, i) => next[i] === id),
    `step ${step + 1}'s prompt does not start with step ${step}'s prompt + its completion + the ${tool} tool header: ${difference(head, next)}`,
  );
  assert.deepEqual(next.slice(-tail.length), tail, `step ${step + 1}'s prompt does not end with <|end|><|start|>assistant`);
  const content = next.slice(head.length, next.length - tail.length);
  const text = decode(content);
  // The tool output is plain text in one message: no special token in it, encoded the canonical way.
  assert.deepEqual(content, encodeOrdinary(text), `step ${step + 1}: the ${tool} result is not one ordinary-text tool message: ${JSON.stringify(text.slice(0, 300))}`);
  return text;
}

suite('agent mode end to end (scripted stand-in llama-server)', () => {
  test('read_file, apply_patch, create_file and run_in_terminal run from our model; files, chat and token-exact prompts checked; screenshot', async function () {
    this.timeout(300_000);
    const { root, workspace } = session();
    const verbose = process.argv.includes('--verbose');
    const copy = scratchCopy(workspace, 'agent-workspace');
    writeFileSync(join(copy.dir, 'greeting.js'), ORIGINAL);
    const server = await standIn.startScriptedLlamaServer(131_072);
    /** What the stand-in answered, per request index: agent steps and utility answers. */
    const served = [];
    server.fallback = { harmony: final('OK.') };
    server.respond = ({ prompt }) => {
      const text = decode(prompt);
      const index = server.requests.length - 1;
      if (!text.includes('namespace functions {')) {
        const reply = utilityReply(text);
        served.push({ index, kind: reply?.kind ?? 'fallback', harmony: reply?.harmony ?? server.fallback.harmony });
        return reply;
      }
      const step = (text.match(/<\|start\|>functions\./g) ?? []).length;
      const reply = agentStep(step, copy.dir, offeredTools(text));
      served.push({ index, kind: 'agent', step, ...reply });
      return { harmony: reply.harmony };
    };
    const describe = () => `The stand-in answered: ${JSON.stringify(served.map((s) => (s.kind === 'agent' ? `step ${s.step} ${s.tool ?? 'final'}` : s.kind)))}`;

    let editor;
    let leftovers = [];
    const started = Date.now();
    try {
      editor = await startEditor({
        folder: copy.dir,
        settings: { 'gptOss.servers': [{ url: server.url, kind: 'llamacpp' }] },
        extensionDevelopmentPath: root,
        verbose,
      });
      const { page } = editor;
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });

      // 1. The Chat view in Agent mode with our model picked (a fresh profile has no other model).
      await openChat(page);
      await pollUntil('the chat input in Agent mode', async () => (await chatMode(page).catch(() => null)) === 'Agent', {
        describe: async () => `mode picker: ${await chatMode(page).catch((e) => e.message)}`,
      });
      await pollUntil(`the model picker showing ${standIn.MODEL_ID}`, async () => (await chatModelLabel(page).catch(() => null)) === `Models, ${standIn.MODEL_ID}`, {
        describe: async () => `model picker: ${await chatModelLabel(page).catch((e) => e.message)}`,
      });

      // 2. The prompt; then the loop runs by itself, except that run_in_terminal asks first.
      await sendChatPrompt(page, PROMPT);
      const allowed = [];
      const answer = lastResponse(page).locator('.chat-markdown-part', { hasText: ANSWER_TEXT });
      await pollUntil(
        'the final answer in chat after four tool calls',
        async () => {
          allowed.push(...(await allowPendingConfirmations(page)));
          return served.some((s) => s.kind === 'agent' && s.step >= 4) && (await answer.isVisible());
        },
        { timeoutMs: 180_000, describe: async () => `${describe()}; allowed: ${JSON.stringify(allowed)}; screenshot ${await screenshot('agent-mode-timeout', page)}` },
      );
      // The finished response folds its steps under "Completed N steps".
      const completed = lastResponse(page).locator('.completed-response-summary');
      await pollUntil('the response to finish ("Completed N steps")', () => completed.isVisible(), { describe: async () => `screenshot ${await screenshot('agent-mode-unfinished', page)}` });

      // The terminal's shell runs in the workspace now: the leftover check at the end can see such processes.
      assert.ok(processesUsing(copy.dir).length > 0, 'processes of this editor work in the scratch workspace');

      // 3. The workspace: edited and created on disk, by the tools agent mode ran.
      assert.equal(readFileSync(join(copy.dir, 'greeting.js'), 'utf8'), EDITED, 'greeting.js was edited by the patch');
      assert.ok(existsSync(join(copy.dir, 'NOTES.md')), 'NOTES.md was created');
      assert.equal(readFileSync(join(copy.dir, 'NOTES.md'), 'utf8'), NOTES);
      assert.equal(allowed.length, 1, `one confirmation (run_in_terminal) was allowed: ${JSON.stringify(allowed)}`);
      assert.match(allowed[0], /node greeting\.js/, `the confirmation asked about the scripted command: ${JSON.stringify(allowed[0])}`);

      // 4. The prompts: one agent request per step, each the previous one + its completion + the tool message.
      const agent = served.filter((s) => s.kind === 'agent');
      assert.deepEqual(agent.map((s) => s.step), [0, 1, 2, 3, 4], describe());
      const prompts = agent.map((s) => server.requests[s.index].prompt);
      const first = decode(prompts[0]);
      assert.ok(first.endsWith(`${PROMPT}\n</userRequest>\n<|end|><|start|>assistant`), `the first agent prompt ends with the user request: …${JSON.stringify(first.slice(-200))}`);
      for (const name of ['read_file', agent[1].tool, 'create_file', 'run_in_terminal']) {
        assert.ok(offeredTools(first).includes(name), `${name} is offered in namespace functions`);
      }
      const results = [];
      for (let k = 0; k < 4; k++) results.push(assertFollowUp(k, prompts[k], agent[k].harmony, agent[k].tool, prompts[k + 1]));
      assert.ok(results[0].includes(ORIGINAL.trimEnd()), `read_file returned lines 1-3 of greeting.js: ${JSON.stringify(results[0])}`);
      assert.ok(results[1].includes(join(copy.dir, 'greeting.js')), `${agent[1].tool} reported the edit of greeting.js: ${JSON.stringify(results[1])}`);
      assert.ok(results[2].includes(join(copy.dir, 'NOTES.md')), `create_file reported NOTES.md: ${JSON.stringify(results[2])}`);
      assert.ok(results[3].includes('Hello, Harmony!'), `run_in_terminal returned the script's output: ${JSON.stringify(results[3])}`);
      // Our analysis stays in the prompt for the whole turn (the prefix checks above imply it; said plainly here).
      const last = decode(prompts[4]);
      ANALYSIS.slice(0, 4).forEach((analysis) => assert.ok(last.includes(`<|channel|>analysis<|message|>${analysis}<|end|>`), `analysis kept: ${analysis}`));

      // 5. Utility requests (no tools) were answered, briefly, and the stand-in saw no request given up.
      const utility = served.filter((s) => s.kind !== 'agent');
      assert.ok(utility.length >= 1, `agent mode sent utility requests to our model (chat.byokUtilityModelDefault = mainAgent): ${describe()}`);
      assert.equal(served.length, server.requests.length, 'every request got a reply');
      assert.deepEqual(server.aborted, [], 'no request was cut off by the client');
      if (utility.some((s) => s.kind === 'title')) {
        await pollUntil(`the chat title "${TITLE}" from our answer`, () => page.locator('.part.auxiliarybar', { hasText: TITLE }).first().isVisible());
      }

      // 6. In chat: each step's thinking in a collapsible block, the last one above the answer.
      await expand('"Completed N steps"', completed);
      const thoughts = lastResponse(page).locator('.chat-thinking-item .rendered-markdown');
      await pollUntil('all five analyses in the chat DOM', async () => (await thoughts.count()) === ANALYSIS.length, {
        describe: async () => JSON.stringify(await thoughts.allInnerTexts()),
      });
      assert.deepEqual((await thoughts.allTextContents()).map((t) => t.trim()), ANALYSIS, 'every thinking part, in order');
      const lastBox = lastResponse(page).locator('.chat-thinking-box', { hasText: ANALYSIS[4] }).last();
      const toggle = lastBox.locator('.chat-used-context-label .monaco-button').first();
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'a finished thinking block starts collapsed');
      await expand('the last thinking block', toggle);
      const lastThought = lastBox.locator('.chat-thinking-item', { hasText: ANALYSIS[4] });
      await lastThought.waitFor({ state: 'visible', timeout: 10_000 });
      assert.ok(await answer.isVisible(), 'the answer is visible');
      assert.match((await answer.innerText()).replace(/\s+/g, ' '), /greeting\.js now greets Harmony, NOTES\.md says so, and node greeting\.js prints Hello, Harmony!/);
      const thoughtBox = await lastThought.boundingBox();
      const answerBox = await answer.boundingBox();
      assert.ok(thoughtBox.y + thoughtBox.height <= answerBox.y, `the thinking block (y ${thoughtBox.y}) is above the answer (y ${answerBox.y})`);

      // 7. The screenshot: chat maximized so the picker shows the model's name, thinking open above the answer.
      await page.locator('a.action-label[aria-label^="Maximize Secondary Side Bar"]').first().click();
      await pollUntil('the model name on the picker', () => page.locator('.interactive-input-part .model-picker-name', { hasText: standIn.MODEL_ID }).first().isVisible());
      // The footer under the answer names the model that gave it (drawn once the chat is wide enough).
      await pollUntil(`the response signed ${standIn.MODEL_ID}`, () => lastResponse(page).locator('.chat-response-model-details', { hasText: standIn.MODEL_ID }).isVisible());
      await lastThought.waitFor({ state: 'visible', timeout: 10_000 });
      const path = await screenshot('agent-mode-chat-thinking', page);
      assert.ok(readFileSync(path).length > 20_000, `${path} is suspiciously small for a chat screenshot`);
      // `npm run test:ui -- --update-media`: the same view, the chat alone, becomes the README's picture.
      if (process.argv.includes('--update-media')) {
        // The pointer rests last on the maximize button: move it to empty space so its tooltip goes.
        await page.mouse.move(1000, 450);
        await page.locator('.workbench-hover:visible, .monaco-hover:visible').first().waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
        await lastResponse(page).locator('xpath=ancestor::*[contains(@class,"part")][1]').screenshot({ path: join(root, 'media', 'agent-mode.png') });
      }
      console.log(
        `      agent turn: ${agent.length} agent requests (${prompts[0].length} → ${prompts[4].length} prompt tokens), ` +
          `${utility.length} utility (${utility.map((s) => s.kind).join(', ')}), edit via ${agent[1].tool}; ${((Date.now() - started) / 1000).toFixed(1)} s with editor start`,
      );
    } catch (error) {
      if (editor) {
        await screenshot('agent-mode-failure', editor.page).catch(() => {});
        // VS Code's own logs (extension host, Copilot Chat, our output channel) go when the editor stops.
        const logs = join(root, 'test-results', 'agent-mode-logs');
        try {
          rmSync(logs, { recursive: true, force: true });
          cpSync(join(editor.server.userData, 'logs'), logs, { recursive: true });
          error.message += `\n(VS Code's logs of this run: ${logs})`;
        } catch (copyError) {
          error.message += `\n(VS Code's logs could not be kept: ${copyError.message})`;
        }
      }
      throw error;
    } finally {
      await editor?.stop();
      await server.close();
      leftovers = processesUsing(copy.dir);
      copy.remove();
    }
    assert.deepEqual(leftovers, [], 'no process (terminal shell, server) outlives the test in the scratch workspace');
  });
});
