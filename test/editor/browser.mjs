// Headless Debian Chromium driven by playwright-core (Playwright's own browser download needs the
// internet). The extension host only runs while a workbench is connected, so the runners keep this
// browser open for the whole run.
import { chromium as playwrightChromium } from 'playwright-core';
import { chromium } from './paths.mjs';
import { createTempHome } from './tempHome.mjs';

const ARGS = [
  '--no-sandbox', // We run as root, where Chromium's sandbox refuses to start.
  // Keep the browser from phoning home: there is no network, and waiting on it slows start-up.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-domain-reliability',
  '--disable-sync',
  '--no-pings',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
];

/** @returns {Promise<{ browser: import('playwright-core').Browser, close: () => Promise<void> }>} */
export async function launchBrowser() {
  // Chromium writes ~/.pki and font caches under HOME; keep them in a throwaway home.
  const home = createTempHome('chromium');
  let browser;
  try {
    browser = await playwrightChromium.launch({
      executablePath: chromium,
      headless: true,
      args: ARGS,
      env: { ...process.env, ...home.env },
    });
  } catch (error) {
    home.remove();
    throw error;
  }
  return {
    browser,
    async close() {
      try {
        await browser.close();
      } finally {
        home.remove();
      }
    },
  };
}
