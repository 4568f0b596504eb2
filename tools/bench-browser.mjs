// The browser benchmark (`./x bench-browser [--quick]`): headless Chromium on the release
// build in dist/, driven through the page as a user drives it, printing one JSON document.
//
// For the denial and medical scenarios at 10k, 100k and 1M rows (10k and 100k with
// --quick) it measures, each once:
// - generate: click to the claims shown (the worker generates, builds features and sends
//   the raw table to the page);
// - random forest (100 trees) and isolation forest (100 trees, ψ 256): the page's own
//   job time, click to scores shown, with each stage's time (fit, scoring, ...);
// - one claim's explanation: click to its waterfall shown, the median of five claims;
// - ingest: the same claims as a CSV written by the native CLI, uploaded through the page
//   (click to claims shown: read, parse, map, derive features, rules, show);
// - SHAP: the time until the explained sample (200 claims) shows after training, and the
//   download of a 1,000-claim review queue's SHAP values (click to file saved);
// - scrolling the scored table in 60 jumps: main-thread tasks over 50 ms (PerformanceObserver);
// Each (scenario, rows) run starts in a fresh tab and trains both forests on the opening
// 1,000 claims once before measuring, so the figures are V8's optimised code, not its
// baseline compiler's.
// - memory: the page's JS heap (CDP); the renderer processes' peak memory (/proc, Linux),
//   as summed RSS, as memory footprint (Chrome's task-manager measure), and as the footprint
//   of the tab's own process, where the page, its workers and their wasm memories live; and
//   each step's largest total of wasm memories, split by page and worker.
// It also reports the gzip size of dist/ and a cold load: DOMContentLoaded and the
// opening teaching set shown (the app interactive with data).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './static-server.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
// --dist=DIR measures another build (default: the release build in dist/).
const DIST_ARG = process.argv.find((a) => a.startsWith('--dist='))?.slice('--dist='.length);
const DIST = DIST_ARG ? `${DIST_ARG.replace(/\/$/, '')}/` : `${ROOT}dist/`;
const QUICK = process.argv.includes('--quick');
const ALL_SIZES = [10_000, 100_000, 1_000_000];
const SIZES = QUICK ? ALL_SIZES.slice(0, 2) : ALL_SIZES;
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

/**
 * The tab's memory, in MB, summed over Chromium's renderer processes (the page, its workers and
 * their wasm memories live there). Two readings:
 * - `rss`: the resident set, which also counts pages shared with other processes (Chromium's own
 *   code and libraries), once per process;
 * - `footprint`: resident anonymous memory plus swap, what Chrome's task manager calls the
 *   "memory footprint" on Linux: the memory that the tab itself holds.
 * - `tab`: the footprint of the largest renderer process alone, the tab's own (its dedicated
 *   workers run in its process); the others are Chromium's spare and blank renderers.
 * `processes` is how many renderer processes were summed. Linux only; null elsewhere.
 */
function rendererMemoryMb() {
  try {
    let rssKb = 0;
    let footprintKb = 0;
    let largestKb = 0;
    let processes = 0;
    const field = (status, name) => Number(new RegExp(`${name}:\\s+([0-9]+) kB`).exec(status)?.[1] ?? 0);
    for (const pid of readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name))) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmdline.includes('--type=renderer')) continue;
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const footprint = field(status, 'RssAnon') + field(status, 'VmSwap');
        rssKb += field(status, 'VmRSS');
        footprintKb += footprint;
        largestKb = Math.max(largestKb, footprint);
        processes += 1;
      } catch { /* the process ended */ }
    }
    const mb = (kb) => Math.round(kb / 1024);
    return { rss: mb(rssKb), footprint: mb(footprintKb), tab: mb(largestKb), processes };
  } catch {
    return null;
  }
}

/**
 * Samples the renderer memory every 100 ms. `step(name)` records the peaks since the previous
 * step (or the start) under `name`; `stop()` returns the overall peaks in MB and the steps'.
 */
function memorySampler() {
  const zero = { rss: 0, footprint: 0, tab: 0, processes: 0 };
  const max = (a, b) => ({
    rss: Math.max(a.rss, b.rss),
    footprint: Math.max(a.footprint, b.footprint),
    tab: Math.max(a.tab, b.tab),
    processes: Math.max(a.processes, b.processes),
  });
  let peak = rendererMemoryMb() ?? zero;
  let stepPeak = peak;
  const steps = {};
  const sample = () => {
    const now = rendererMemoryMb() ?? zero;
    peak = max(peak, now);
    stepPeak = max(stepPeak, now);
    return now;
  };
  const timer = setInterval(sample, 100);
  return {
    step: (name) => { const now = sample(); steps[name] = stepPeak; stepPeak = now; },
    stop: () => { clearInterval(timer); sample(); return { peak, stepPeaks: steps }; },
  };
}

/**
 * Samples every wasm memory in the tab (the page's and each worker's: the session worker and
 * its helpers, which public/boot.js and worker_boot.js keep reachable) every 200 ms.
 * `step(name)` records, since the previous step, the largest total and its split
 * (page first, then the workers in creation order), in MB.
 */
function wasmMemorySampler(page) {
  const mb = (bytes) => Math.round((bytes ?? 0) / 1048576);
  let stepPeak = { totalMb: 0, splitMb: [] };
  let running = true;
  const sample = async () => {
    const sizes = await Promise.all([
      page.evaluate(() => globalThis.claimforestWasm?.memory?.buffer?.byteLength).catch(() => 0),
      ...page.workers().map((w) => w.evaluate(() => self.claimforestWasm?.memory?.buffer?.byteLength).catch(() => 0)),
    ]);
    const splitMb = sizes.map(mb);
    const totalMb = splitMb.reduce((a, b) => a + b, 0);
    if (totalMb > stepPeak.totalMb) stepPeak = { totalMb, splitMb };
  };
  const loop = (async () => {
    while (running) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const steps = {};
  return {
    step: async (name) => { await sample(); steps[name] = stepPeak; stepPeak = { totalMb: 0, splitMb: [] }; },
    stop: async () => { running = false; await loop; return steps; },
  };
}

/** A CSV of the scenario written by the native CLI (cached under target/), for ingestion. */
function claimsCsv(scenario, rows) {
  const dir = `${ROOT}target/bench-browser/`;
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${scenario}-${rows}.csv`;
  if (!existsSync(file)) {
    execFileSync(`${ROOT}target/release/claimforest`, ['generate', '--scenario', scenario, '--rows', String(rows), '--seed', '7', '--out', file], { stdio: 'ignore' });
  }
  return file;
}

/** Uploads the CSV; returns click-to-claims-shown ms and the job's stage times. */
async function ingest(page, file, rows) {
  await page.getByTestId('tab-data').click();
  const name = file.split('/').pop();
  const t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(file);
  await page.waitForFunction(([text, source]) => {
    const badge = document.querySelector('[data-testid="data-badge"]')?.textContent ?? '';
    return badge.includes(`· ${text} claims`) && badge.includes(source);
  }, [count(rows), name], { timeout: STEP_TIMEOUT });
  return { ms: Date.now() - t0, stagesS: await stageTimes(page) };
}

/** After training: time until every model's explained sample (200 claims) is shown. */
async function sampleExplained(page, trainedAt) {
  await page.getByTestId('tab-evaluation').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="sample-explaining"]') === null
    && document.querySelectorAll('[data-testid^="evaluation-"]').length > 0, null, { timeout: STEP_TIMEOUT });
  return Date.now() - trainedAt;
}

/** Downloads the SHAP values of a 1,000-claim review queue; returns click-to-saved ms. */
async function queueShap(page, capacity) {
  await page.getByTestId('tab-queue').click();
  await page.getByTestId('queue-capacity').fill(String(capacity));
  const t0 = Date.now();
  await page.getByTestId('download-queue-explanations').click();
  await page.waitForFunction(() => /Saved review_queue_explanations\.csv/.test(document.querySelector('[data-testid="status"]')?.textContent ?? '')
    || document.querySelector('[data-testid="error-banner"]'), null, { timeout: STEP_TIMEOUT });
  const status = await page.getByTestId('status').textContent();
  if (!/Saved review_queue_explanations/.test(status)) throw new Error(`no download: ${status}`);
  return Date.now() - t0;
}

/** Scrolls the scored-claims table in 60 jumps across every row while a PerformanceObserver
 * records main-thread tasks over 50 ms; returns their count and the longest. */
async function scrollLongTasks(page) {
  // Long tasks from opening the tab (rendering the table after a training) are counted apart
  // from the scroll's: the observer starts before the click, and the scroll starts once the
  // page has been quiet for two frames and 300 ms.
  await page.evaluate(() => {
    window.__longTasks = [];
    window.__longTaskObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    });
    window.__longTaskObserver.observe({ type: 'longtask' });
  });
  await page.getByTestId('tab-results').click();
  await page.getByTestId('claims-table').waitFor();
  return page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    await frame();
    await frame();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const scrollStart = performance.now();
    const grid = document.querySelector('[data-testid="claims-table"]');
    for (let i = 0; i <= 60; i += 1) {
      grid.scrollTop = (grid.scrollHeight - grid.clientHeight) * (i / 60);
      await frame();
      await frame();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    window.__longTaskObserver.disconnect();
    const longest = (tasks) => (tasks.length ? Math.round(Math.max(...tasks.map((t) => t.duration))) : 0);
    const opening = window.__longTasks.filter((t) => t.start < scrollStart);
    const scrolling = window.__longTasks.filter((t) => t.start >= scrollStart);
    return {
      jumps: 61,
      tasksOver50Ms: scrolling.length,
      longestTaskMs: longest(scrolling),
      openingTasksOver50Ms: opening.length,
      openingLongestTaskMs: longest(opening),
    };
  });
}

/**
 * Opens five claims' explanations. For each, `inPageMs` is the app's own latency: from the
 * click, dispatched in the page, to the first frame after the panel shows that claim's
 * waterfall (a MutationObserver, then requestAnimationFrame). `roundTripMs` is the same
 * seen from the benchmark, so it adds the DevTools protocol's round trip to the page.
 */
async function explanations(page) {
  await page.getByTestId('tab-results').click();
  const inPageMs = [];
  const roundTripMs = [];
  for (let i = 0; i < 5; i += 1) {
    const row = page.getByTestId('claim-row').nth(i);
    const target = await row.getAttribute('data-row');
    const started = Date.now();
    inPageMs.push(await page.evaluate((r) => new Promise((resolve, reject) => {
      const shown = () => document.querySelector('[data-testid="explanation-panel"] h3')?.textContent === `Claim in row ${Number(r) + 1}`
        && document.querySelector('[data-testid="explanation-panel"] [data-testid="shap-bar"]');
      const element = document.querySelector(`[data-testid="claim-row"][data-row="${r}"]`);
      if (!element) { reject(new Error(`no claim row ${r}`)); return; }
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`claim ${r} was not explained`)); }, 60_000);
      const observer = new MutationObserver(() => {
        if (!shown()) return;
        observer.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => resolve(performance.now() - clicked));
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
      const clicked = performance.now();
      element.click();
    }), target));
    roundTripMs.push(Date.now() - started);
  }
  return { inPageMs, roundTripMs };
}

const server = await startServer(DIST, 0, '/');
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const results = { when: new Date().toISOString(), chromium: browser.version(), quick: QUICK, download: downloadSize(), coldLoad: null, runs: [] };
try {
  const fresh = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    return { context, page, cdp };
  };
  {
    const { context, page } = await fresh();
    const started = Date.now();
    await page.goto(url);
    await page.locator('[data-testid="preview-table"] tbody tr').first().waitFor({ timeout: 60_000 });
    const firstData = Date.now() - started;
    const domContentLoaded = await page.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd));
    results.coldLoad = { domContentLoadedMs: domContentLoaded, openingClaimsShownMs: firstData };
    await context.close();
  }
  for (const scenario of ['denial', 'medical']) {
    for (const rows of ONLY ? ALL_SIZES : SIZES) {
      if (ONLY && !ONLY.includes(`${scenario}:${rows}`)) continue;
      const run = { scenario, rows };
      // Every run starts in a fresh tab, so its memory figure is its own (wasm memories
      // only grow, so a tab remembers its largest run).
      const { context, page, cdp } = await fresh();
      await page.goto(url);
      await page.locator('[data-testid="preview-table"] tbody tr').first().waitFor({ timeout: 60_000 });
      // Warm-up: one training of both forests on the opening 1,000 claims, so V8 has tiered
      // up the hot wasm functions (a fresh tab runs them in its baseline compiler first).
      await train(page, 'both');
      await page.getByTestId('tab-data').click();
      await page.getByTestId('scenario-select').selectOption(scenario);
      await page.getByTestId('generate-rows').fill(String(rows));
      const memory = memorySampler();
      const wasm = wasmMemorySampler(page);
      const t0 = Date.now();
      await page.getByTestId('generate-button').click();
      await page.waitForFunction((text) => document.querySelector('[data-testid="data-badge"]')?.textContent?.includes(`· ${text} claims`)
        && document.querySelector('[data-testid="data-badge"]')?.textContent?.startsWith(document.querySelector('[data-testid="scenario-select"]')?.value),
      count(rows), { timeout: STEP_TIMEOUT });
      run.generateMs = Date.now() - t0;
      run.generateStagesS = await stageTimes(page);
      run.heapAfterGenerateMb = await heapMb(cdp);
      memory.step('generate');
      await wasm.step('generate');
      try {
        run.ingest = await ingest(page, claimsCsv(scenario, rows), rows);
      } catch (error) {
        run.ingestError = String(error.message ?? error).slice(0, 200);
      }
      memory.step('ingest');
      await wasm.step('ingest');
      try {
        run.randomForest = await train(page, 'random_forest');
        memory.step('randomForest');
        await wasm.step('randomForest');
        run.randomForest.sampleExplainedAfterMs = await sampleExplained(page, Date.now());
        memory.step('explainedSample');
        await wasm.step('explainedSample');
        const explained = await explanations(page);
        run.explanationMs = explained.inPageMs;
        run.explanationMedianMs = median(explained.inPageMs);
        run.explanationRoundTripMedianMs = median(explained.roundTripMs);
        run.shap1000Ms = await queueShap(page, 1000);
        memory.step('explanationsAndShap1000');
        await wasm.step('explanationsAndShap1000');
      } catch (error) {
        run.randomForestError = String(error.message ?? error).slice(0, 200);
      }
      try {
        run.isolationForest = await train(page, 'isolation_forest');
        memory.step('isolationForest');
        await wasm.step('isolationForest');
        run.scroll = await scrollLongTasks(page);
      } catch (error) {
        run.isolationForestError = String(error.message ?? error).slice(0, 200);
      }
      run.heapAfterTrainingMb = await heapMb(cdp);
      const { peak, stepPeaks } = memory.stop();
      run.peakRendererMemoryMb = peak.rss;
      run.peakRendererFootprintMb = peak.footprint;
      run.peakTabFootprintMb = peak.tab;
      run.rendererProcesses = peak.processes;
      const byStep = (reading) => Object.fromEntries(
        Object.entries(stepPeaks).map(([step, peaks]) => [step, peaks[reading]]));
      run.rendererMemoryPeakByStepMb = byStep('rss');
      run.rendererFootprintPeakByStepMb = byStep('footprint');
      run.tabFootprintPeakByStepMb = byStep('tab');
      run.wasmMemoryPeakByStepMb = await wasm.stop();
      await context.close();
      results.runs.push(run);
      console.error(JSON.stringify(run));
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify(results, null, 2));
