// Shared e2e harness: one headless Chromium, static servers for the release build, and
// a page wrapper that records every request, console error and CSP violation.
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/static-server.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts Chromium and a server per base path before the file's tests; stops them after. */
export function useBrowser(basePaths = ['/']) {
  const state = { browser: null, servers: [], urls: {} };
  before(async () => {
    state.browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    for (const base of basePaths) {
      const server = await startServer(DIST, 0, base);
      state.servers.push(server);
      state.urls[base] = `http://127.0.0.1:${server.address().port}${base}`;
    }
  });
  after(async () => {
    await state.browser?.close();
    await Promise.all(state.servers.map((s) => new Promise((ok) => s.close(ok))));
  });
  return state;
}

/** Opens the app at `url` in a fresh context that records what the page does. */
export async function openApp(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const record = { requests: [], offHost: [], consoleErrors: [], cspViolations: [] };
  context.on('request', (request) => {
    record.requests.push(request.url());
    if (new URL(request.url()).hostname !== '127.0.0.1') record.offHost.push(request.url());
  });
  // Belt and braces: anything bound off-host is aborted as well as recorded.
  await context.route((target) => target.hostname !== '127.0.0.1', (route) => route.abort());
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  page.on('console', (message) => { if (message.type() === 'error') record.consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => record.consoleErrors.push(error.message));
  await page.goto(url);
  // The worker generates the opening teaching set; its preview proves the round trip works.
  await page.locator('[data-testid="preview-table"] tbody tr').first().waitFor({ timeout: 60_000 });
  record.cspViolations = async () => page.evaluate(() => window.__cspViolations);
  return { context, page, record };
}

/** Opens a screen by its tab. */
export async function openScreen(page, slug) {
  await page.getByTestId(`tab-${slug}`).click();
}

/** Generates `rows` claims of `scenario` through the UI (without waiting for them). */
export async function generate(page, rows, scenario = 'denial') {
  await openScreen(page, 'data');
  await page.getByTestId('scenario-select').selectOption(scenario);
  await page.getByTestId('generate-rows').fill(String(rows));
  await page.getByTestId('generate-button').click();
}

/** Waits until the page says `count` claims are loaded (count as the page writes it, e.g. "1,000"). */
export async function waitForClaims(page, count, timeout = 120_000) {
  await page.waitForFunction(
    (text) => document.querySelector('[data-testid="data-badge"]')?.textContent?.includes(`· ${text} claims`),
    count,
    { timeout },
  );
}

/** Trains with the current form (the page then shows the scored claims). */
export async function train(page, algorithm = 'random_forest', timeout = 120_000) {
  await openScreen(page, 'train');
  await page.getByTestId('algorithm-select').selectOption(algorithm);
  await page.getByTestId('train-button').click();
  await page.getByRole('heading', { name: /^Scored claims/ }).waitFor({ timeout });
  await page.getByTestId('tier-badge').first().waitFor({ timeout });
}

/** Trains a random forest and returns the held-out accuracy the Evaluation screen shows. */
export async function trainAndReadAccuracy(page, timeout = 120_000) {
  await train(page, 'random_forest', timeout);
  await openScreen(page, 'evaluation');
  const text = await page.getByTestId('metric-accuracy').textContent({ timeout });
  return Number.parseFloat(text);
}
