// End-to-end tests of files nobody here wrote: a zipped folder (readme, provider list,
// claims) reads its claims and offers the other files; an auto-insurance file proposes its
// real label and leaves identifiers, empty columns and the label out of the features; the
// seed notebook's own column names work on every screen and come back byte for byte; a
// provider list joins onto the claims and brings its label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApp, openScreen, trainAndReadAccuracy, useBrowser, waitForClaims } from './harness.mjs';

const HOSTILE = fileURLToPath(new URL('../hostile/', import.meta.url));
const NOTEBOOK_HEADER = 'claim_id,age,provider_type,service_code,has_pre_auth,diagnosis_match,is_denied';

/** The seed notebook's denial claims as pandas writes them, from this test's own generator. */
function notebookCsv(rows) {
  const lines = [NOTEBOOK_HEADER];
  let seed = 11;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let row = 0; row < rows; row += 1) {
    const provider = ['General', 'Surgeon', 'Cardiologist'][Math.floor(next() * 3)];
    const service = ['Office Visit', 'Knee Surgery', 'Heart Surgery'][Math.floor(next() * 3)];
    const preAuth = next() < 0.3 ? 0 : 1;
    const match = next() < 0.2 ? 0 : 1;
    const denied = (service.includes('Surgery') && preAuth === 0) || match === 0 || next() < 0.05;
    lines.push([row, 18 + Math.floor(next() * 72), provider, service, preAuth, match, denied ? 1 : 0].join(','));
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Clicks `testId` and returns the downloaded file's text. */
async function downloadText(page, testId) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFileSync(await file.path(), 'utf8');
}
const env = useBrowser(['/']);

/** An auto-insurance claims file of the public data set's shape, 600 claims, label last. */
function insuranceCsv() {
  const lines = ['months_as_customer,age,policy_number,policy_state,insured_zip,incident_severity,total_claim_amount,fraud_reported,_c39'];
  let seed = 7;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const severities = ['Minor Damage', 'Major Damage', 'Total Loss', 'Trivial Damage'];
  for (let row = 0; row < 600; row += 1) {
    const severity = severities[Math.floor(next() * 4)];
    const fraud = severity === 'Major Damage' ? next() < 0.6 : next() < 0.1;
    lines.push([
      Math.floor(next() * 480), 19 + Math.floor(next() * 45), 100000 + row * 7, ['OH', 'IN', 'IL'][Math.floor(next() * 3)],
      430000 + row * 13, severity, 100 + Math.floor(next() * 100000), fraud ? 'Y' : 'N', '',
    ].join(','));
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

test('a zipped folder reads its claims, not its readme, and offers its other files', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await waitForClaims(page, '1,000');
  await page.getByTestId('file-input').setInputFiles({ name: 'export.zip', mimeType: 'application/zip', buffer: readFileSync(`${HOSTILE}/zipped_folder.zip`) });
  await waitForClaims(page, '40');
  assert.match(await page.getByTestId('schema-facts').textContent(), /zip archive, entry 'data\/claims\.tsv' \(other entries: data\/providers\.csv\)/);
  // The chooser reads the provider list from the same file instead.
  await page.getByTestId('part-select').selectOption('data/providers.csv');
  await waitForClaims(page, '2');
  assert.match(await page.getByTestId('schema-facts').textContent(), /entry 'data\/providers\.csv'/);
  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});

test('an auto-insurance file proposes its real label and leaves identifiers and empty columns out', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await waitForClaims(page, '1,000');
  await page.getByTestId('file-input').setInputFiles({ name: 'insurance_claims.csv', mimeType: 'text/csv', buffer: insuranceCsv() });
  await waitForClaims(page, '600');
  await page.getByTestId('plain-report').waitFor();
  await openScreen(page, 'train');
  assert.equal(await page.getByTestId('label-select').inputValue(), 'fraud_reported');
  assert.equal(await page.getByTestId('positive-select').inputValue(), 'Y');
  const checked = async (feature) => page.locator(`[data-testid="feature-checkbox"][data-feature="${feature}"]`).isChecked();
  for (const off of ['policy_number', 'insured_zip', '_c39']) {
    assert.equal(await checked(off), false, `${off} is off by default`);
  }
  for (const on of ['age', 'policy_state', 'incident_severity', 'total_claim_amount']) {
    assert.equal(await checked(on), true, `${on} is on by default`);
  }
  assert.equal(await page.locator('[data-testid="feature-checkbox"][data-feature="fraud_reported"]').count(), 0, 'the label is no feature');
  assert.ok((await trainAndReadAccuracy(page)) > 0.6);
  // A header the words only suggest is shown as a suggestion, not mapped.
  await openScreen(page, 'data');
  assert.match(await page.getByTestId('schema-report').textContent(), /\(kept as is; perhaps member_state\)/);
  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});

test("the seed notebook's own column names work on every screen and come back byte for byte", async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await waitForClaims(page, '1,000');
  await page.getByTestId('file-input').setInputFiles({ name: 'denial_notebook.csv', mimeType: 'text/csv', buffer: notebookCsv(1500) });
  await waitForClaims(page, '1,500');
  await openScreen(page, 'train');
  assert.equal(await page.getByTestId('label-select').inputValue(), 'is_denied');
  for (const feature of ['age', 'provider_type', 'service_code', 'has_pre_auth', 'diagnosis_match']) {
    assert.equal(await page.locator(`[data-testid="feature-checkbox"][data-feature="${feature}"]`).isChecked(), true, feature);
  }
  assert.ok((await trainAndReadAccuracy(page)) > 0.85);
  // The built-in denial pack reads service_code by the notebook's name.
  await openScreen(page, 'rules');
  await page.waitForFunction(
    () => /Running the denial pack \(built-in denial pack\): 2 of 2 rules ran/.test(document.querySelector('[data-testid="rules-summary"]')?.textContent ?? ''),
    null,
    { timeout: 60_000 },
  );
  await openScreen(page, 'files');
  const scored = await downloadText(page, 'download-scored');
  const [header] = scored.split('\n');
  assert.ok(header.startsWith(`${NOTEBOOK_HEADER},row,`), header);
  // A new batch (here 300 of the same claims, last first) scores as those claims did.
  const notebook = notebookCsv(1500).toString().trimEnd().split('\n');
  const batch = [notebook[0], ...notebook.slice(1, 301).reverse()].join('\n');
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('batch-input').setInputFiles({ name: 'denial_batch.csv', mimeType: 'text/csv', buffer: Buffer.from(`${batch}\n`) }),
  ]);
  assert.equal(file.suggestedFilename(), 'denial_batch_scored.csv');
  const probabilityOf = (csv) => {
    const [head, ...rows] = csv.trimEnd().split('\n');
    const at = head.split(',').indexOf('probability');
    return new Map(rows.map((row) => [row.split(',')[0], row.split(',')[at]]));
  };
  const inside = probabilityOf(scored);
  const batchScores = probabilityOf(readFileSync(await file.path(), 'utf8'));
  assert.equal(batchScores.size, 300);
  for (const [claim, probability] of batchScores) assert.equal(probability, inside.get(claim), `claim ${claim}`);
  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});

test('downloads carry each claim\'s row and every cell as the file wrote it', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await waitForClaims(page, '1,000');
  const header = 'ClaimNo,Svc Date,Paid Amt,units,provider_type,note,is_denied';
  const odd = [
    'C1,03/15/2025,"$1,234.50",1.50,Surgeon,?,1',
    'C2,2025-03-16,12,2,General,NA,0',
    'C3,15-Mar-2025,(12.00),3,  Cardiologist ,N/A,1',
    'C4,,0.5,4,General,not a date,0',
  ];
  const lines = [header];
  for (let row = 0; row < 200; row += 1) lines.push(odd[row % odd.length].replace(/^C\d/, `C${row}`));
  await page.getByTestId('file-input').setInputFiles({ name: 'odd_cells.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await waitForClaims(page, '200');
  await openScreen(page, 'train');
  await page.getByTestId('label-select').selectOption('is_denied');
  await trainAndReadAccuracy(page);
  await openScreen(page, 'files');
  const scored = (await downloadText(page, 'download-scored')).trimEnd().split('\n');
  assert.ok(scored[0].startsWith(`${header},row,`), scored[0]);
  for (let row = 1; row < lines.length; row += 1) {
    assert.ok(scored[row].startsWith(`${lines[row]},${row},`), `${scored[row]}\nis not\n${lines[row]},${row},...`);
  }
  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});

test('a provider list joins onto the claims and brings its label; a provider listed twice is refused', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await waitForClaims(page, '1,000');
  const claims = ['BeneID,ClaimID,Provider,InscClaimAmtReimbursed,ClmDiagnosisCode_1'];
  let seed = 5;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let row = 0; row < 1500; row += 1) {
    const provider = Math.floor(next() * 30);
    const amount = provider % 5 === 0 ? 500 + Math.floor(next() * 3000) : 50 + Math.floor(next() * 900);
    claims.push(`BENE${Math.floor(next() * 200)},CLM${row},PRV${51000 + provider},${amount},${['4019', '25000', 'V5869'][row % 3]}`);
  }
  const providers = ['Provider,PotentialFraud'];
  for (let p = 0; p < 29; p += 1) providers.push(`PRV${51000 + p},${p % 5 === 0 ? 'Yes' : 'No'}`);
  await page.getByTestId('file-input').setInputFiles({ name: 'Train_Outpatientdata.csv', mimeType: 'text/csv', buffer: Buffer.from(`${claims.join('\n')}\n`) });
  await waitForClaims(page, '1,500');
  // Twice-listed providers are refused; the claims stay; the error shows where the user is,
  // though the page is scrolled down to the join control.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  assert.ok(await page.evaluate(() => window.scrollY > 200), 'the data screen scrolls');
  await page.getByTestId('join-input').setInputFiles({ name: 'Train.csv', mimeType: 'text/csv', buffer: Buffer.from(`${providers.join('\n')}\nPRV51003,Yes\n`) });
  await page.getByTestId('error-banner').waitFor();
  const inView = await page.evaluate(() => {
    const box = document.querySelector('[data-testid="error-banner"]').getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight && window.scrollY > 200;
  });
  assert.ok(inView, 'the error banner is in view while the page is scrolled down');
  assert.match(await page.getByTestId('error-banner').textContent(), /Train\.csv: the key 'Provider' repeats the value 'PRV51003' \(rows 4 and 30\)/);
  await waitForClaims(page, '1,500');
  await page.getByTestId('join-input').setInputFiles({ name: 'Train.csv', mimeType: 'text/csv', buffer: Buffer.from(`${providers.join('\n')}\n`) });
  await page.waitForFunction(() => /joined by 'Provider'/.test(document.querySelector('[data-testid="schema-report"]')?.textContent ?? ''), null, { timeout: 60_000 });
  assert.match(await page.getByTestId('schema-report').textContent(), /did not \(1 key values not in the file\)/);
  await openScreen(page, 'train');
  assert.equal(await page.getByTestId('label-select').inputValue(), 'PotentialFraud');
  assert.ok((await trainAndReadAccuracy(page)) > 0.7);
  // The evaluation's backtest: the held-out top tenth by score against the base rate.
  assert.match(await page.getByTestId('evaluation-forest').textContent(), /Backtest: the top tenth by score \(\d+\) holds \d+ positives/);
  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});
