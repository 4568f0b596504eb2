// The browser benchmark (`./x bench-browser [--quick]`): headless Chromium on the release
// build in dist/, driven through the page as a user drives it, printing one JSON document.
//
// For the denial and medical scenarios at 10k, 100k and 1M rows (10k and 100k with
// --quick) it measures, each once:
// - generate: click to the claims shown (the worker generates, builds features and sends
//   the raw table to the page);
// - random forest (100 trees) and isolation forest (100 trees, ψ 256): the page's own
//   job time, click to scores shown, which includes scoring every claim and the
//   evaluation's 200-claim SHAP sample;
// - one claim's explanation: click to its waterfall shown, the median of five claims;
// - the page's JS heap after each step (CDP `Performance.getMetrics`; the worker's heap and
//   wasm memory are not visible from the page).
// It also reports the gzip size of dist/ and a cold load: DOMContentLoaded and the
// opening teaching set shown (the app interactive with data).
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './static-server.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = `${ROOT}dist/`;
const QUICK = process.argv.includes('--quick');
const SIZES = QUICK ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
const STEP_TIMEOUT = 600_000;
// --only=medical:100000,denial:10000 runs just those (scenario, rows) pairs.
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',') ?? null;

const count = (n) => n.toLocaleString('en-US');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function downloadSize() {
  const files = readdirSync(DIST).map((name) => {
    const bytes = readFileSync(`${DIST}${name}`);
    return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { files, raw: files.reduce((s, f) => s + f.raw, 0), gzip: files.reduce((s, f) => s + f.gzip, 0) };
}

async function heapMb(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
  return Math.round((used / 1048576) * 10) / 10;
}

/** Clicks train with `algorithm` and returns the page's own job time in seconds. */
async function train(page, algorithm) {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('algorithm-select').selectOption(algorithm);
  await page.getByTestId('n-trees-input').fill('100');
  await page.getByTestId('if-trees-input').fill('100');
  // Count the status line's changes: the reply is the first "Trained ..." after the click.
  await page.getByTestId('status').evaluate((el) => {
    window.__statusChanges = 0;
    window.__statusObserver?.disconnect();
    window.__statusObserver = new MutationObserver(() => { window.__statusChanges += 1; });
    window.__statusObserver.observe(el, { childList: true, characterData: true, subtree: true });
  });
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => window.__statusChanges > 0
    && /(Trained|cancel)/i.test(document.querySelector('[data-testid="status"]')?.textContent ?? '')
    || document.querySelector('[data-testid="error-banner"]'), null, { timeout: STEP_TIMEOUT });
  const status = await page.getByTestId('status').textContent();
  const seconds = /in ([0-9.]+) s\./.exec(status);
  if (!seconds) throw new Error(`training did not finish: ${status}`);
  return { totalS: Number(seconds[1]), stagesS: await stageTimes(page) };
}

/** The last job's stage times, from the page's "Stage 1.23 s · Stage 0.40 s" line. */
async function stageTimes(page) {
  const text = (await page.getByTestId('stage-times').textContent()) ?? '';
  const stages = {};
  for (const part of text.split(' · ')) {
    const match = /^(.*) ([0-9.]+) s$/.exec(part.trim());
    if (match) stages[match[1]] = Number(match[2]);
  }
  return stages;
}

/** Opens five claims' explanations; returns each click-to-waterfall time in ms. */
async function explanations(page) {
  await page.getByTestId('tab-results').click();
  const times = [];
  for (let i = 0; i < 5; i += 1) {
    const row = page.getByTestId('claim-row').nth(i);
    const target = await row.getAttribute('data-row');
    const started = Date.now();
    await row.click();
    await page.waitForFunction((r) => document.querySelector('[data-testid="explanation-panel"] h3')?.textContent === `Claim in row ${Number(r) + 1}`
      && document.querySelector('[data-testid="explanation-panel"] [data-testid="shap-bar"]'), target, { timeout: 60_000 });
    times.push(Date.now() - started);
  }
  return times;
}

const server = await startServer(DIST, 0, '/');
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const results = { when: new Date().toISOString(), chromium: browser.version(), quick: QUICK, download: downloadSize(), coldLoad: null, runs: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const started = Date.now();
  await page.goto(url);
  await page.locator('[data-testid="preview-table"] tbody tr').first().waitFor({ timeout: 60_000 });
  const firstData = Date.now() - started;
  const domContentLoaded = await page.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd));
  results.coldLoad = { domContentLoadedMs: domContentLoaded, openingClaimsShownMs: firstData };
  for (const scenario of ['denial', 'medical']) {
    for (const rows of ONLY ? [...SIZES, 1_000_000].filter((n, i, all) => all.indexOf(n) === i) : SIZES) {
      if (ONLY && !ONLY.includes(`${scenario}:${rows}`)) continue;
      const run = { scenario, rows };
      await page.getByTestId('tab-data').click();
      await page.getByTestId('scenario-select').selectOption(scenario);
      await page.getByTestId('generate-rows').fill(String(rows));
      const t0 = Date.now();
      await page.getByTestId('generate-button').click();
      await page.waitForFunction((text) => document.querySelector('[data-testid="data-badge"]')?.textContent?.includes(`· ${text} claims`)
        && document.querySelector('[data-testid="data-badge"]')?.textContent?.startsWith(document.querySelector('[data-testid="scenario-select"]')?.value),
      count(rows), { timeout: STEP_TIMEOUT });
      run.generateMs = Date.now() - t0;
      run.heapAfterGenerateMb = await heapMb(cdp);
      try {
        run.randomForest = await train(page, 'random_forest');
        run.explanationMs = await explanations(page);
        run.explanationMedianMs = median(run.explanationMs);
      } catch (error) {
        run.randomForestError = String(error.message ?? error).slice(0, 200);
      }
      try {
        run.isolationForest = await train(page, 'isolation_forest');
      } catch (error) {
        run.isolationForestError = String(error.message ?? error).slice(0, 200);
      }
      run.heapAfterTrainingMb = await heapMb(cdp);
      results.runs.push(run);
      console.error(JSON.stringify(run));
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify(results, null, 2));
