// End-to-end tests of the rules and the hybrid priority: the suggested pack runs on load,
// the rules editor edits thresholds, adds and removes rules, packs download and upload,
// explanations list a claim's rule hits and priority, the weights move the priority, and
// the member/provider summaries list an entity's claims and download as CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generate, openApp, openScreen, train, useBrowser, waitForClaims } from './harness.mjs';

const env = useBrowser(['/']);

/** Clicks `testId` and returns the downloaded file's name and text. */
async function download(page, testId) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

/** The editor row of rule `id`. */
function ruleRow(page, id) {
  return page.locator(`[data-testid="rule-row"][data-rule-id="${id}"]`);
}

/** Waits until the rules summary line matches `pattern`. */
async function waitForSummary(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('[data-testid="rules-summary"]')?.textContent ?? ''),
    pattern.source,
    { timeout: 60_000 },
  );
}

test('the rules editor edits thresholds, adds and removes rules, and packs round-trip', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await generate(page, 5000, 'medical');
  await waitForClaims(page, '5,000');
  // A new screen starts at its top, wherever the last one was scrolled to.
  await page.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight));
  assert.ok((await page.evaluate(() => window.scrollY)) > 0, 'the Data screen scrolls');
  await openScreen(page, 'rules');
  assert.equal(await page.evaluate(() => window.scrollY), 0);
  await waitForSummary(page, /Running the medical pack \(built-in medical pack\): 9 of 9 rules ran/);
  // The chooser shows the pack that runs, not its prompt.
  assert.equal(await page.getByTestId('rules-pack-select').inputValue(), 'medical');
  const editor = page.getByTestId('rules-editor');
  assert.equal(await editor.getByTestId('rule-row').count(), 9);
  const units = ruleRow(page, 'excessive_units');
  assert.notEqual(await units.getByTestId('rule-hit-count').textContent(), '0');
  assert.ok((await page.getByTestId('rule-hits-chart').locator('svg').count()) === 1, 'hits per rule are charted');
  assert.ok((await page.getByTestId('rule-precision-chart').locator('svg').count()) === 1, 'with precision, since labels exist');

  // Raise the units threshold from 2.5 to 100: the rule then hits nothing.
  const threshold = units.getByTestId('rule-threshold');
  assert.equal(await threshold.inputValue(), '2.5');
  await threshold.fill('100');
  await threshold.press('Enter');
  assert.equal(await units.getByTestId('rule-condition').inputValue(), 'units_vs_procedure_mean > 100');
  await page.getByTestId('rules-apply').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="rule-row"][data-rule-id="excessive_units"] [data-testid="rule-hit-count"]')?.textContent === '0');
  await waitForSummary(page, /\(edited in ClaimForest\)/);

  // Remove the last rule, and add one with a condition of our own.
  await editor.getByTestId('rule-remove').last().click();
  assert.equal(await editor.getByTestId('rule-row').count(), 8);
  await page.getByTestId('rule-add').click();
  const added = ruleRow(page, 'custom_1');
  await added.getByTestId('rule-problem').waitFor();
  assert.equal(await page.getByTestId('rules-apply').isDisabled(), true, 'a rule without a condition cannot be applied');
  await added.getByTestId('rule-condition').fill('units > 3');
  await added.getByTestId('rule-condition').press('Enter');
  await added.getByTestId('rule-problem').waitFor({ state: 'detached' });
  await page.getByTestId('rules-apply').click();
  await waitForSummary(page, /9 of 9 rules ran/);
  // The rows render after the summary in the same update: wait for the new rule's count
  // rather than read it once (it stays '—' only if the rule never ran, and then this times out).
  await page.waitForFunction(() => {
    const count = document.querySelector('[data-testid="rule-row"][data-rule-id="custom_1"] [data-testid="rule-hit-count"]');
    return count && count.textContent !== '—';
  }, null, { timeout: 10_000 });

  // Download the pack, change a severity, upload it back.
  const pack = await download(page, 'rules-download');
  assert.equal(pack.name, 'medical.rules.json');
  const json = JSON.parse(pack.text);
  assert.equal(json.format, 'claimforest-rules');
  assert.equal(json.rules.length, 9);
  assert.equal(json.rules.find((r) => r.id === 'excessive_units').condition, 'units_vs_procedure_mean > 100');
  json.rules.find((r) => r.id === 'custom_1').severity = 0.9;
  await page.getByTestId('rules-upload').setInputFiles({ name: 'my_rules.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) });
  await waitForSummary(page, /\(my_rules\.json\)/);
  assert.equal(await page.getByTestId('rules-pack-select').inputValue(), '', 'an uploaded pack is no built-in one');
  assert.equal(await ruleRow(page, 'custom_1').getByTestId('rule-severity').inputValue(), '0.9');

  // A broken pack is refused with its file name; the rules stay.
  await page.getByTestId('rules-upload').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"claimforest-rules","version":1,"name":"x","description":"","rules":[{"id":"a","name":"a","condition":"units >","severity":0.5,"category":"c","description":""}]}') });
  const banner = page.getByTestId('error-banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /broken\.json: rule 'a'/);
  await waitForSummary(page, /\(my_rules\.json\)/);

  // A built-in pack can be chosen again.
  await page.getByTestId('rules-pack-select').selectOption('medical');
  await waitForSummary(page, /\(built-in medical pack\): 9 of 9 rules ran/);

  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});

test('explanations show rule hits and the hybrid priority; summaries list an entity\'s claims', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await generate(page, 5000, 'medical');
  await waitForClaims(page, '5,000');
  await train(page, 'isolation_forest');
  assert.match(await page.getByTestId('status').textContent(), /claims that trip no rule of the medical pack/);

  // Claims are listed highest priority first: the top one trips rules, and its explanation
  // lists them and its priority term by term.
  await page.getByTestId('claim-row').first().click();
  const hits = page.getByTestId('rule-hits');
  await hits.getByTestId('rule-hit').first().waitFor({ timeout: 60_000 });
  const breakdown = await hits.getByTestId('priority-breakdown').textContent();
  assert.match(breakdown, /= 0\.50 × model [0-9.]+ \+ 0\.30 × top severity [0-9.]+ \+ 0\.20 × rule flag 1/);
  assert.ok((await page.getByTestId('claim-row').first().getByTestId('tier-badge').count()) === 1);

  // Weights move the priority: with the model alone, the breakdown says so.
  await openScreen(page, 'rules');
  for (const [id, value] of [['weight-severity', '0'], ['weight-flag', '0']]) {
    await page.getByTestId(id).fill(value);
    await page.getByTestId(id).press('Enter');
  }
  await openScreen(page, 'results');
  await page.getByTestId('claim-row').first().click();
  await page.waitForFunction(() => /= 1\.00 × model/.test(document.querySelector('[data-testid="priority-breakdown"]')?.textContent ?? ''));
  await openScreen(page, 'rules');
  await page.getByTestId('use-rules').uncheck();
  await openScreen(page, 'results');
  await page.getByTestId('claim-row').first().click();
  await page.waitForFunction(() => /the model's score \(the rules are not blended in\)/.test(document.querySelector('[data-testid="priority-breakdown"]')?.textContent ?? ''));

  // The review queue compares the rankings and reports recall per planted pattern.
  await openScreen(page, 'rules');
  await page.getByTestId('use-rules').check();
  await page.getByRole('button', { name: 'Reset to 0.5 / 0.3 / 0.2' }).click();
  await openScreen(page, 'queue');
  assert.match(await page.getByTestId('ranking-quality').textContent(), /^PR AUC of the ranking: hybrid 0\.\d+ · model alone 0\.\d+ · rules alone 0\.\d+$/);
  const patterns = page.getByTestId('pattern-recall');
  await patterns.waitFor();
  assert.ok((await patterns.locator('tbody tr').count()) >= 5, 'one row per planted pattern');
  await page.getByTestId('tier-chart').locator('svg').waitFor();

  // Summaries: members by default; choosing a provider lists their claims.
  await openScreen(page, 'summaries');
  const select = page.getByTestId('summary-level-select');
  const levels = await select.locator('option').evaluateAll((options) => options.map((o) => o.value));
  assert.deepEqual(levels, ['member', 'provider']);
  await select.selectOption('provider');
  const table = page.getByTestId('summary-table');
  await table.getByTestId('summary-row').first().waitFor();
  const header = await table.locator('[role="columnheader"]').allTextContents();
  assert.ok(header.some((h) => h.startsWith('provider_id')) && header.some((h) => h.startsWith('peer_percentile')), header.join('|'));
  await table.getByTestId('summary-row').first().click();
  await page.getByTestId('entity-claims').getByTestId('entity-claim-row').first().waitFor();
  assert.match(await page.getByTestId('entity-claims').locator('h2').textContent(), /^Claims of provider \S+ \([0-9,]+\)$/);
  const csv = await download(page, 'summary-download');
  assert.equal(csv.name, 'provider_level_summary.csv');
  assert.match(csv.text.split('\n')[0], /^provider_id,n_claims,total_paid_amount,mean_priority,max_priority,flagged_share,label_rate,/);
  await page.getByTestId('summary-risk-chart').locator('svg').waitFor();

  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});
