// End-to-end tests of hostile input on the page: a decompression bomb and hostile model files
// are refused with the error banner, and the claims (and scores) already loaded stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApp, openScreen, train, useBrowser, waitForClaims } from './harness.mjs';

const HOSTILE = fileURLToPath(new URL('../hostile/', import.meta.url));
const env = useBrowser(['/']);

/** Clicks `testId` and returns the downloaded file's text. */
async function downloadText(page, testId) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFileSync(await file.path(), 'utf8');
}

/** Uploads `buffer` as `name` through `inputId` and returns the error banner's text. */
async function refusedBanner(page, inputId, name, buffer) {
  await page.getByTestId(inputId).setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
  const banner = page.getByTestId('error-banner');
  await banner.waitFor({ timeout: 60_000 });
  const text = await banner.textContent();
  await banner.getByRole('button').first().click();
  await banner.waitFor({ state: 'detached' });
  return text;
}

test('a decompression bomb and hostile model files are refused; the loaded claims and scores stay', async () => {
  const { context, page, record } = await openApp(env.browser, env.urls['/']);
  await waitForClaims(page, '1,000');
  await openScreen(page, 'train');
  await train(page, 'random_forest');

  // 29 KB of gzip that expands to four million rows: past the tab's budget, refused while it streams.
  await openScreen(page, 'data');
  const bomb = readFileSync(`${HOSTILE}/rows_bomb_4m.csv.gz`);
  const bombText = await refusedBanner(page, 'file-input', 'rows_bomb_4m.csv.gz', bomb);
  assert.match(bombText, /rows_bomb_4m\.csv\.gz, row \d+: the file holds more than 3,000,000 rows, the budget of a browser tab/);
  assert.match(bombText, /command-line tool/);
  await waitForClaims(page, '1,000');

  // Model files bent by hand from the page's own model.
  await openScreen(page, 'files');
  const model = JSON.parse(await downloadText(page, 'download-model'));
  const bent = (change) => {
    const copy = structuredClone(model);
    change(copy.algorithm.forest);
    return Buffer.from(JSON.stringify(copy));
  };
  // Forty splits, each with the next as both children: 2^40 paths in a few kilobytes.
  const dag = bent((forest) => {
    const nodes = [];
    for (let level = 0; level < 40; level += 1) {
      nodes.push({ feature_idx: 0, threshold: 0.5, left: level + 1, right: level + 1, missing_goes_left: true, cover: 2 });
    }
    nodes.push({ feature_idx: 0, threshold: 0, left: 4294967295, right: 4294967295, missing_goes_left: false, cover: 1 });
    forest.trees[0].nodes = nodes;
    forest.trees[0].class_weights = new Array(nodes.length * 2).fill(1);
  });
  const dagText = await refusedBanner(page, 'model-input', 'dag.model.json', dag);
  assert.match(dagText, /dag\.model\.json: the model file is damaged: tree node 0 has the same node as both children/);
  // A class count that wraps in wasm32's 32-bit arithmetic: 2 nodes × (2^31 + 1) classes = 2 weights.
  const classes = bent((forest) => {
    forest.n_classes = 2 ** 31 + 1;
    forest.trees[0].n_classes = 2 ** 31 + 1;
    forest.trees[0].nodes = forest.trees[0].nodes.slice(0, 2).map((n) => ({ ...n, left: 4294967295, right: 4294967295 }));
    forest.trees[0].class_weights = [1, 1];
  });
  const classesText = await refusedBanner(page, 'model-input', 'classes.model.json', classes);
  assert.match(classesText, /classes\.model\.json: the model file is damaged: a tree has 2147483649 classes; between 2 and 1024 are supported/);

  // Nothing already loaded was lost: the claims and the forest's scores are still there.
  await waitForClaims(page, '1,000');
  await openScreen(page, 'results');
  assert.ok((await page.getByTestId('tier-badge').count()) > 0, 'the scores survived');
  assert.deepEqual(record.offHost, []);
  assert.deepEqual(record.consoleErrors, []);
  await context.close();
});
