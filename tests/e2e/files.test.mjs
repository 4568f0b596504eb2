// End-to-end tests of files nobody here wrote: a zipped folder (readme, provider list,
// claims) reads its claims and offers the other files; an auto-insurance file proposes its
// real label and leaves identifiers, empty columns and the label out of the features.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApp, openScreen, trainAndReadAccuracy, useBrowser, waitForClaims } from './harness.mjs';

const HOSTILE = fileURLToPath(new URL('../hostile/', import.meta.url));
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
