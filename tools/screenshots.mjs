// Takes one screenshot per workspace screen at 1280×800 into docs/screenshots/, from the
// release build in dist/ (run `./x screenshots`). Medical claims, both forests, one claim
// explained and a 500-claim queue: what an analyst sees on a normal day.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './static-server.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = `${ROOT}docs/screenshots`;
mkdirSync(OUT, { recursive: true });
const server = await startServer(`${ROOT}dist/`, 0, '/');
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const shot = async (slug) => {
  await page.getByTestId(`tab-${slug}`).click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${OUT}/${slug}.png` });
  console.log(`docs/screenshots/${slug}.png`);
};
try {
  await page.goto(url);
  await page.locator('[data-testid="preview-table"] tbody tr').first().waitFor({ timeout: 60_000 });
  await page.getByTestId('scenario-select').selectOption('medical');
  await page.getByTestId('generate-rows').fill('20000');
  await page.getByTestId('generate-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="data-badge"]')?.textContent?.includes('20,000 claims'), null, { timeout: 120_000 });
  await shot('data');
  await shot('rules');
  await page.getByTestId('tab-train').click();
  await page.getByTestId('algorithm-select').selectOption('both');
  await page.getByTestId('n-trees-input').fill('60');
  await shot('train');
  await page.getByTestId('train-button').click();
  await page.getByTestId('tier-badge').first().waitFor({ timeout: 300_000 });
  await page.getByTestId('claim-row').first().click();
  await page.getByTestId('explanation-panel').getByTestId('shap-bar').first().waitFor();
  await shot('results');
  // The explained sample (the beeswarm) follows training as its own request.
  await page.getByTestId('tab-evaluation').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="sample-explaining"]') === null, null, { timeout: 120_000 });
  await shot('evaluation');
  await page.getByTestId('tab-queue').click();
  await page.getByTestId('queue-capacity').fill('500');
  await shot('queue');
  await page.getByTestId('tab-summaries').click();
  await page.getByTestId('summary-row').first().click();
  await page.getByTestId('entity-claim-row').first().waitFor();
  await shot('summaries');
  await shot('whatif');
  await shot('files');
} finally {
  await browser.close();
  server.close();
}
