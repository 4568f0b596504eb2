// End-to-end tests of the analyst's workspace: a CLI-made 100k-row medical file uploaded,
// both forests trained, a claim explained, a 500-claim queue downloaded, bad files refused
// without losing data, saved models reloaded, what-if rescoring, and guarded downloads.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate, openApp, openScreen, train, useBrowser, waitForClaims } from './harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = `${ROOT}target/e2e`;
const MEDICAL_CSV = `${FIXTURES}/medical_100k.csv`;
const env = useBrowser(['/']);

before(() => {
  mkdirSync(FIXTURES, { recursive: true });
  if (!existsSync(MEDICAL_CSV)) {
    execFileSync('cargo', ['run', '--quiet', '--bin', 'claimforest', '--', 'generate', '--scenario', 'medical',
      '--rows', '100000', '--seed', '7', '--out', MEDICAL_CSV], { cwd: ROOT, stdio: 'inherit' });
  }
});

/** Clicks `testId` and returns the downloaded file's name and text. */
async function download(page, testId) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

/** Splits one CSV line into cells (quotes honoured). */
function cells(line) {
  const out = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') { cell += '"'; i += 1; } else if (ch === '"') { quoted = !quoted; } else if (ch === ',' && !quoted) { out.push(cell); cell = ''; } else { cell += ch; }
  }
  out.push(cell);
  return out;
}

test('a 100k-row medical file from the CLI: upload, train both, explain, queue 500, download; typing stays fast', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await page.getByTestId('file-input').setInputFiles(MEDICAL_CSV);
  await waitForClaims(page, '100,000', 180_000);
  const report = page.getByTestId('schema-report');
  assert.match(await report.textContent(), /medical_100k\.csv/);
  assert.match(await report.textContent(), /100,000 rows seen, 100,000 loaded, 0 rejected/);

  await openScreen(page, 'train');
  assert.equal(await page.getByTestId('label-select').inputValue(), 'is_anomaly');
  await page.getByTestId('n-trees-input').fill('40');
  await page.getByTestId('algorithm-select').selectOption('both');
  // Measure typing while the worker trains: keydown to the next painted frame after input.
  await page.evaluate(() => {
    window.__latencies = [];
    const input = document.querySelector('[data-testid="max-depth-input"]');
    let down = 0;
    input.addEventListener('keydown', (e) => { down = e.timeStamp; });
    input.addEventListener('input', () => requestAnimationFrame(() => window.__latencies.push(performance.now() - down)));
  });
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="train-progress"]')?.getAttribute('aria-valuenow')) >= 1, null, { timeout: 120_000 });
  await page.getByTestId('max-depth-input').focus();
  for (const key of '1234567890') {
    await page.keyboard.press(key);
    await page.waitForTimeout(40);
  }
  const latencies = await page.evaluate(() => window.__latencies);
  assert.equal(latencies.length, 10, `every key produced input (${latencies})`);
  assert.ok(Math.max(...latencies) < 100, `typing latencies while training: ${latencies.map((l) => l.toFixed(1)).join(', ')} ms`);
  assert.ok(await page.getByTestId('train-progress').isVisible(), 'training was still running while typing');
  await page.getByTestId('max-depth-input').fill('16');
  await page.getByRole('heading', { name: /^Scored claims/ }).waitFor({ timeout: 300_000 });
  console.log(`typing latency while training: max ${Math.max(...latencies).toFixed(1)} ms`);

  // Both models were trained; the forest ranks.
  await openScreen(page, 'evaluation');
  for (const id of ['metric-auc', 'metric-precision', 'metric-recall']) {
    const value = Number.parseFloat(await page.getByTestId(id).textContent());
    assert.ok(value > 0 && value <= 1, `${id} = ${value}`);
  }
  assert.ok(Number.parseFloat(await page.getByTestId('metric-auc').textContent()) > 0.9);
  await page.getByTestId('evaluation-isolation').waitFor();

  // Open an explanation: one bar per feature shown, each naming its feature and value.
  await openScreen(page, 'results');
  await page.getByTestId('claim-row').first().click();
  const panel = page.getByTestId('explanation-panel');
  await panel.getByTestId('shap-bar').first().waitFor();
  const bars = await panel.getByTestId('shap-bar').evaluateAll((els) => els.map((el) => [el.dataset.feature, Number(el.dataset.value)]));
  assert.ok(bars.length >= 5, `${bars.length} bars`);
  assert.ok(bars.every(([feature, value]) => feature && Number.isFinite(value)), JSON.stringify(bars));
  assert.match(await panel.getByTestId('explanation-sentence').textContent(), /because/);
  assert.ok((await panel.getByTestId('decision-path').locator('li').count()) >= 1);

  // A queue of 500, downloaded: 500 claims under the CSV header, in priority order.
  await openScreen(page, 'queue');
  await page.getByTestId('queue-capacity').fill('500');
  await page.waitForFunction(() => document.querySelector('[data-testid="queue-size"]')?.textContent === '500');
  assert.ok((await page.getByTestId('queue-row').count()) > 0);
  const queue = await download(page, 'download-queue');
  assert.equal(queue.name, 'review_queue.csv');
  const lines = queue.text.trimEnd().split('\n');
  assert.equal(lines.length, 501, 'a header and 500 claims');
  const header = cells(lines[0]);
  assert.equal(header[0], 'claim_id');
  for (const column of ['probability', 'anomaly_score', 'priority', 'risk_tier', 'queue_rank']) assert.ok(header.includes(column), `${column} in ${header}`);
  const priority = lines.slice(1).map((line) => Number(cells(line)[header.indexOf('priority')]));
  assert.ok(priority.every((p, i) => i === 0 || p <= priority[i - 1]), 'highest priority first');

  // The queue's exact SHAP values, computed on the worker pool: one line per queued claim in
  // queue order, and base value + the claim's SHAP values = its probability.
  const explained = await download(page, 'download-queue-explanations');
  assert.equal(explained.name, 'review_queue_explanations.csv');
  const shapLines = explained.text.trimEnd().split('\n');
  assert.equal(shapLines.length, 501, 'a header and 500 claims');
  const shapHeader = cells(shapLines[0]);
  assert.deepEqual(shapHeader.slice(0, 3), ['queue_rank', 'row', 'claim_id']);
  const baseAt = shapHeader.indexOf('base_value');
  assert.ok(shapHeader.length > baseAt + 5 && shapHeader[baseAt + 1].startsWith('shap_'), shapHeader.join());
  for (const line of shapLines.slice(1)) {
    const row = cells(line);
    const total = row.slice(baseAt).map(Number).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - Number(row[shapHeader.indexOf('score')])) < 1e-6, line.slice(0, 120));
  }
  assert.equal(cells(shapLines[1])[2], cells(lines[1])[0], 'the same first claim as the queue download');

  // The explained sample follows training: the beeswarm shows once the pool has explained it.
  await openScreen(page, 'evaluation');
  await page.getByTestId('evaluation-forest').getByRole('img', { name: /beeswarm/i }).first().waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('sample-explaining').count(), 0);

  // Hashed identifiers: the member ids in the scored download are HMAC-SHA-256, 64 hex characters.
  await openScreen(page, 'files');
  await page.getByTestId('hash-ids').check();
  const scored = await download(page, 'download-scored');
  const scoredLines = scored.text.trimEnd().split('\n');
  assert.equal(scoredLines.length, 100_001);
  const memberAt = cells(scoredLines[0]).indexOf('member_id');
  assert.match(cells(scoredLines[1])[memberAt], /^[0-9a-f]{64}$/);
  assert.ok(!scored.text.includes(',MBR'), 'no raw member id left');
  const salt = await page.getByTestId('salt-input').inputValue();
  assert.match(salt, /^[0-9a-f]{64}$/, 'a drawn salt is 256 bits');
  // A typed salt is taken when long enough, so exports on different days join; a short one is refused.
  await page.getByTestId('salt-input').fill('short');
  await page.getByTestId('salt-input').blur();
  await page.getByTestId('salt-error').waitFor();
  await page.getByTestId('salt-input').fill('our-claims-salt-2026');
  await page.getByTestId('salt-input').blur();
  await page.getByTestId('salt-error').waitFor({ state: 'detached' });
  const typed = await download(page, 'download-scored');
  const typedMember = cells(typed.text.trim().split('\n')[1])[memberAt];
  const again = await download(page, 'download-scored');
  assert.equal(cells(again.text.trim().split('\n')[1])[memberAt], typedMember, 'the same typed salt gives the same hashes');
  assert.notEqual(typedMember, cells(scoredLines[1])[memberAt]);

  // Metrics of both models, and the schema report of the uploaded file, as JSON.
  const metrics = JSON.parse((await download(page, 'download-metrics')).text);
  assert.deepEqual(metrics.models.map((m) => m.model), ['random_forest', 'isolation_forest']);
  assert.ok(metrics.models[0].evaluation.metrics.roc_auc > 0.9);
  const schema = JSON.parse((await download(page, 'download-schema')).text);
  assert.equal(schema.file, 'medical_100k.csv');
  assert.equal(schema.rows_loaded, 100_000);

  // A malformed file shows the banner; the 100,000 claims and their scores stay.
  await openScreen(page, 'data');
  await page.getByTestId('file-input').setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('claim_id,amount\n1,"unclosed\n') });
  const banner = page.getByTestId('error-banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /broken\.csv/);
  await waitForClaims(page, '100,000');
  await openScreen(page, 'results');
  assert.ok((await page.getByTestId('tier-badge').count()) > 0, 'the scores survived');

  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  assert.deepEqual(await record.cspViolations(), []);
  await context.close();
});

test('a saved model scores new claims without retraining, and a newer model version is refused clearly', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await generate(page, 2_000);
  await waitForClaims(page, '2,000');
  await openScreen(page, 'train');
  await page.getByTestId('n-trees-input').fill('30');
  await train(page, 'random_forest');
  await openScreen(page, 'files');
  const model = await download(page, 'download-model');
  assert.equal(model.name, 'claimforest_random_forest.model.json');
  // The seed reproduces the run: training again gives a byte-identical model file.
  await train(page, 'random_forest');
  await openScreen(page, 'files');
  assert.equal((await download(page, 'download-model')).text, model.text, 'same seed, same model');
  const path = `${FIXTURES}/denial.model.json`;
  writeFileSync(path, model.text);

  await openScreen(page, 'data');
  await page.getByTestId('seed-input').fill('99');
  await generate(page, 1_000);
  await waitForClaims(page, '1,000');
  await openScreen(page, 'files');
  await page.getByTestId('model-input').setInputFiles(path);
  await page.getByText(/Scored 1,000 claims with the random forest from denial\.model\.json/).waitFor();
  await openScreen(page, 'evaluation');
  assert.ok(Number.parseFloat(await page.getByTestId('metric-accuracy').textContent()) > 0.9);

  const newer = model.text.replace('"format_version":1', '"format_version":99');
  await openScreen(page, 'files');
  await page.getByTestId('model-input').setInputFiles({ name: 'newer.model.json', mimeType: 'application/json', buffer: Buffer.from(newer) });
  const banner = page.getByTestId('error-banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /newer\.model\.json: model file format version 99 is not supported/);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});

test('what-if rescores an edited claim at once: pre-authorisation flips a knee surgery', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await waitForClaims(page, '1,000');
  await openScreen(page, 'train');
  await train(page, 'random_forest');
  await page.getByTestId('claim-row').first().click();
  await page.getByTestId('explanation-panel').getByTestId('shap-bar').first().waitFor();
  await openScreen(page, 'whatif');
  const form = page.getByTestId('whatif-form');
  const field = (feature) => form.locator(`[data-feature="${feature}"]`);
  const score = async () => Number.parseFloat(await page.getByTestId('whatif-score').textContent());
  await field('service_code').selectOption('Knee Surgery');
  await field('diagnosis_match').fill('1');
  await field('diagnosis_match').dispatchEvent('change');
  await field('has_pre_auth').fill('0');
  await field('has_pre_auth').dispatchEvent('change');
  await page.waitForFunction(() => Number.parseFloat(document.querySelector('[data-testid="whatif-score"]')?.textContent) > 0.5);
  assert.match(await page.getByTestId('explanation-sentence').textContent(), /Denied mainly because .*has_pre_auth = 0/);
  await field('has_pre_auth').fill('1');
  await field('has_pre_auth').dispatchEvent('change');
  await page.waitForFunction(() => Number.parseFloat(document.querySelector('[data-testid="whatif-score"]')?.textContent) < 0.5);
  assert.ok((await score()) < 0.5);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});

test('downloads neutralise spreadsheet formulas in uploaded cells', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  const rows = ['claim_id,note,amount'];
  for (let i = 0; i < 200; i += 1) rows.push(`C${i},${i % 50 === 0 ? '=HYPERLINK("http://x")' : 'ok'},${(i * 7) % 100}`);
  // Dropped onto the drop zone, as a user drags a file from the desktop.
  const dataTransfer = await page.evaluateHandle((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'notes.csv', { type: 'text/csv' }));
    return transfer;
  }, rows.join('\n'));
  await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer });
  await waitForClaims(page, '200');
  await openScreen(page, 'train');
  await page.getByTestId('label-select').selectOption('');
  await train(page, 'isolation_forest');
  await openScreen(page, 'files');
  const scored = await download(page, 'download-scored');
  assert.ok(scored.text.includes(`"'=HYPERLINK(""http://x"")"`), scored.text.slice(0, 400));
  assert.ok(!/(^|,)=HYPERLINK/m.test(scored.text));
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});
