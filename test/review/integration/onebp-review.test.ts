import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { review, type ReviewResult } from '../../../src/cli/commands/review.js';
import type { RuntimeOptions } from '../../../src/runtime/executor/services.js';
import { count, dumpDom, findChromium, io, runExperiment } from './helpers.js';

const dataDir = resolve(process.env['EXPC_DATA_DIR'] || '../shared/datasets');
const hasMl100k = existsSync(join(dataDir, 'ml-100k', 'u.data'));

/**
 * The acceptance scenario: the review of experiments/onebp_vs_twobp.exp on ML-100K with a
 * short schedule (6 epochs instead of 2000; every sweep value kept, so Fig. 4 and Fig. 6 have all
 * their points) renders, and headless Chromium shows every plot. Skips without the data.
 */
describe('review of onebp_vs_twobp.exp (short schedule) on ML-100K', function () {
  this.timeout(300_000);
  let dir: string;
  let result: ReviewResult;
  const runtime: RuntimeOptions = { backend: 'auto', engine: 'auto', threads: 2, dataDirs: [dataDir], allowDownload: false, checkpointSeconds: 0 };
  // Per dataset: curves, sweep(beta), sweep(negatives), popularity_groups, item_clusters (type shares + 3 projections).
  const PANELS = 2 * (1 + 2 + 1 + 1 + 3);

  before(async function () {
    if (!hasMl100k) {
      console.log(`    (skipped: ${join(dataDir, 'ml-100k', 'u.data')} is absent; set EXPC_DATA_DIR to the shared datasets folder)`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'expc-onebp-review-'));
    const file = join(dir, 'onebp_vs_twobp.exp');
    const original = readFileSync('experiments/onebp_vs_twobp.exp', 'utf8');
    const short = original.replace('epochs: 2000', 'epochs: 6').replace('eval_every: 10', 'eval_every: 3');
    assert.notEqual(short, original, 'the schedule was shortened');
    writeFileSync(file, short);
    await runExperiment(file, join(dir, 'cache'), runtime);
    const o = io();
    result = await review({ file, cacheDir: join(dir, 'cache'), reviewsDir: join(dir, 'reviews'), runtime, out: o.out, warn: o.warn });
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('renders both datasets, the paper protocol labelled, every declared plot inline', () => {
    assert.equal(result.status, 'written');
    const md = readFileSync(result.paths!.md, 'utf8');
    assert.match(md, /^## Dataset ml100k_paper$/m);
    assert.match(md, /^## Dataset ml100k$/m);
    assert.match(md, /^\*\*PAPER PROTOCOL: best test value per metric over epochs/m);
    const html = readFileSync(result.paths!.html, 'utf8');
    assert.equal(count(html, '<svg'), PANELS);
    // Fig. 4: 1 - beta from 1e-1 to 1e-6 on a log axis.
    const beta = html.slice(html.indexOf('id="ml100k-sweep-beta"'), html.indexOf('</figure>', html.indexOf('id="ml100k-sweep-beta"')));
    assert.ok(beta.includes('>1 - beta</text>'));
    for (const tick of ['1e-6', '1e-1']) assert.ok(beta.includes(`>${tick}</text>`), tick);
    const negatives = html.slice(html.indexOf('id="ml100k-sweep-negatives"'));
    assert.ok(negatives.includes('>sampler.negatives</text>'));
    for (const ds of result.doc.content.datasets) {
      assert.deepEqual(ds.sweeps.map((s) => [s.name, s.rows.length]), [
        ['beta', 6],
        ['negatives', 5],
      ]);
      for (const r of ds.popularityGroups!.runs) assert.ok(Math.abs(r.sum - r.total) < 1e-12);
      assert.equal(ds.itemClusters!.runs.length, 3);
    }
  });

  it('headless Chromium shows every plot (skips without Chromium)', function () {
    const chromium = findChromium();
    if (!chromium) {
      console.log('    (skipped: no chromium on this machine; apt-get install chromium to run this check)');
      this.skip();
    }
    const dom = dumpDom(chromium!, result.paths!.html, join(dir, 'chromium-profile'));
    assert.equal(count(dom, /<svg[\s>]/g), PANELS);
    for (const id of ['ml100k_paper-curves', 'ml100k_paper-sweep-beta', 'ml100k-sweep-negatives', 'ml100k-popularity-groups', 'ml100k-type-shares', 'ml100k-items-onebp']) assert.ok(dom.includes(`id="${id}"`), id);
  });
});
