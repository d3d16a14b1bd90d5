import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { review } from '../../../src/cli/commands/review.js';
import { MAX_PROJECTED_ITEMS } from '../../../src/review/analysis/projection-sample.js';
import { io, RUNTIME, runExperiment } from './helpers.js';

/** More items than a projection shows: the review projects a recorded seeded sample (Gowalla's 41k items need this). */
const experiment = `experiment many_items
dataset syn = synthetic(users: 1500, items: 4000, types: 3, interests: 2, per_user: 20, noise: 0.5, seed: 5) {
  split: holdout(test: 0.2, valid: 0, per_user: true, seed: 1)
}
defaults {
  encoder:   mf(dim: 4)
  sampler:   uniform(negatives: 2, exclude_positives: true)
  optimizer: adam(lr: 0.01)
  training:  (batch: 256, epochs: 1, seed: 3)
}
run twobp { backprop: both }
run onebp { backprop: onebp(beta: 0.9) }
evaluate { metrics: recall @ 10 }
review {
  compare: twobp, onebp
  baseline: twobp
  plots: item_clusters(k: 3, projection: pca)
}
`;

describe('item_clusters beyond MAX_PROJECTED_ITEMS items', function () {
  this.timeout(120_000);
  let root: string;
  before(() => (root = mkdtempSync(join(tmpdir(), 'expc-ic-sample-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('projects a seeded sample of MAX_PROJECTED_ITEMS items with the user\'s training items, records it, and types every item', async () => {
    const file = join(root, 'many.exp');
    writeFileSync(file, experiment);
    const cacheDir = join(root, 'cache');
    await runExperiment(file, cacheDir);
    const o = io();
    const r = await review({ file, cacheDir, reviewsDir: join(root, 'reviews'), runtime: RUNTIME, out: o.out, warn: o.warn });
    const ic = r.doc.content.datasets[0]!.itemClusters!;
    const sample = ic.projectionSample!;
    const items = ic.runs[0]!.labels.length; // items with an interaction
    assert.ok(items > MAX_PROJECTED_ITEMS, `${items} items`);
    assert.ok(sample, 'the review records the sample');
    assert.equal(sample.items.length, MAX_PROJECTED_ITEMS);
    assert.equal(sample.of, items);
    assert.equal(sample.seed, ic.seed);
    assert.equal(sample.kept, ic.user.trainingItems.length);
    for (const item of ic.user.trainingItems) assert.ok(sample.items.includes(item), `training item ${item} is projected`);
    for (const run of ic.runs) {
      assert.equal(run.coords.length, MAX_PROJECTED_ITEMS + 1, 'one row per projected item and the user');
      assert.equal(run.labels.length, items, 'k-means types every item');
      assert.equal(run.sizes.reduce((a, b) => a + b, 0), items);
    }
    const md = readFileSync(join(root, 'reviews', 'many_items', 'v1.md'), 'utf8');
    assert.match(md, new RegExp(`Projection: ${MAX_PROJECTED_ITEMS} of ${items} items projected: the selected user's ${sample.kept} training items and a seeded uniform draw without replacement \\(seed ${sample.seed}\\)`));
    // The same inputs give the same sample on a fresh review.
    const again = await review({ file, cacheDir, reviewsDir: join(root, 'reviews2'), runtime: RUNTIME, out: o.out, warn: o.warn });
    assert.deepEqual(again.doc.content.datasets[0]!.itemClusters!.projectionSample, sample);
  });
});
