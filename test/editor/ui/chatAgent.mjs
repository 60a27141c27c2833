// Helpers for the agent-mode UI test: the TypeScript stand-in server and tokenizer loaded into
// this (plain Node ESM) process through tsx, an editor of its own on a scratch workspace, and
// the chat view driven the way a user drives it (keyboard, visible buttons).
import { cpSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { register } from 'tsx/cjs/api';
import { launchBrowser } from '../browser.mjs';
import { startCodeServer } from '../codeServer.mjs';

// The repository has no "type": "module", so tsx compiles its .ts files as CommonJS: require() them.
// Registered once for the runner process; one require cache, so every module shares one tokenizer.
register();
const require = createRequire(import.meta.url);

/** test/support/scriptedLlamaServer.ts */
export const standIn = require('../../support/scriptedLlamaServer.ts');
/** src/harmony/tokenizer.ts (decode, encodeWithMarkup, encodeOrdinary) */
export const tokenizer = require('../../../src/harmony/tokenizer.ts');
/** src/harmony/tokens.ts (Special) */
export const tokens = require('../../../src/harmony/tokens.ts');

/**
 * Polls check() until it returns a truthy value and returns that value. On timeout fails with
 * `what` and whatever describe() says about the state at that moment.
 */
export async function pollUntil(what, check, { timeoutMs = 60_000, intervalMs = 250, describe = async () => '' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s. ${await describe()}`);
    await sleep(intervalMs);
  }
}

/** Copies a folder into a fresh temporary directory; remove() deletes the copy. */
export function scratchCopy(source, prefix) {
  const dir = mkdtempSync(join(tmpdir(), `gpt-oss-${prefix}-`));
  cpSync(source, dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A code-server of its own on `folder` with extra user settings, this checkout as the extension
 * under development, and a headless Chromium page on its workbench (the extension host only runs
 * while a page is connected). stop() closes the browser, then stops the server and everything it
 * spawned (terminals included).
 */
export async function startEditor({ folder, settings, extensionDevelopmentPath, verbose = false }) {
  const server = await startCodeServer({ folder, settings, onLine: verbose ? (line) => console.log(`[agent code-server] ${line}`) : undefined });
  let browser;
  try {
    browser = await launchBrowser();
    const page = await browser.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.workbenchUrl([['extensionDevelopmentPath', extensionDevelopmentPath]]));
    return {
      page,
      server,
      async stop() {
        try {
          await browser.close();
        } finally {
          await server.stop();
        }
      },
    };
  } catch (error) {
    await browser?.close();
    await server.stop();
    throw error;
  }
}

/** Processes whose working directory or command line is inside dir (e.g. a terminal's shell). */
export function processesUsing(dir) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cwd === dir || cwd.startsWith(`${dir}/`) || cmdline.includes(dir)) found.push(`${entry} (cwd ${cwd}): ${cmdline}`);
    } catch {
      // Ended while we looked, or not ours to read.
    }
  }
  return found;
}

// --- the chat view --------------------------------------------------------------------------

const INPUT = '.interactive-input-part';

/** The chat input's mode picker label ("Agent", "Ask", …). */
export const chatMode = (page) => page.locator(`${INPUT} a.action-label`, { hasText: /^(Agent|Ask|Edit|Plan)$/ }).first().textContent({ timeout: 1000 });

/** The model picker's accessible name, "Models, <selected model>". */
export const chatModelLabel = (page) => page.locator(`${INPUT} .model-picker-name`).first().getAttribute('aria-label', { timeout: 1000 });

/** Opens the Chat view if it is not showing (Ctrl+Alt+I) and waits for its input. */
export async function openChat(page) {
  const input = page.locator(`${INPUT} .native-edit-context`).first();
  if (!(await input.isVisible())) await page.keyboard.press('Control+Alt+I');
  await input.waitFor({ timeout: 60_000 });
}

/** Types a prompt into the chat input and sends it with Enter. */
export async function sendChatPrompt(page, text) {
  // The editor's own layers sit over the edit context, so focus it rather than click it.
  const input = page.locator(`${INPUT} .native-edit-context`).first();
  await input.focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  // An Enter that lands while chat is still settling (seen right after a reload) is dropped and the
  // text stays in the box: press it again, a few times at most.
  const lines = page.locator(`${INPUT} .view-lines`).first();
  for (let retry = 0; retry < 3; retry++) {
    await page.waitForTimeout(1500);
    if (!((await lines.innerText().catch(() => '')).includes(text))) return;
    await input.focus();
    await page.keyboard.press('Enter');
  }
}

/**
 * Clicks every visible "Allow" of a pending tool confirmation (run_in_terminal always asks) and
 * returns what each confirmation said. Hidden Allow buttons of earlier widgets are left alone.
 */
export async function allowPendingConfirmations(page) {
  const allowed = [];
  const buttons = page.locator('.monaco-button[aria-label^="Allow"]:visible');
  while ((await buttons.count()) > 0) {
    const button = await buttons.first().elementHandle();
    // The confirmation card above the chat input ("Run bash command? node x.js Allow Skip" in 1.139).
    const said = await button.evaluate((el) =>
      (el.closest('.chat-tool-confirmation-carousel, .chat-tool-invocation-part') ?? el).innerText.replace(/\s+/g, ' ').trim(),
    );
    await button.click();
    allowed.push(said);
    // Once the tool starts, the widget goes; wait for that so the same one is not clicked twice.
    await button.waitForElementState('hidden', { timeout: 15_000 });
  }
  return allowed;
}

/**
 * Expands a collapsible (anything with aria-expanded) by clicking it until it says it is expanded;
 * a click that lands while the chat is still laying out is otherwise lost.
 */
export async function expand(what, toggle) {
  await pollUntil(
    `${what} to expand`,
    async () => {
      if ((await toggle.getAttribute('aria-expanded')) === 'true') return true;
      await toggle.click();
      return false;
    },
    { timeoutMs: 30_000, intervalMs: 1000, describe: async () => `aria-expanded is still ${await toggle.getAttribute('aria-expanded')}` },
  );
}

/** The last response in the chat view. */
export const lastResponse = (page) => page.locator('.interactive-item-container.interactive-response').last();
