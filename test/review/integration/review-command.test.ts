import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { review, reviewDiff, type ReviewResult } from '../../../src/cli/commands/review.js';
import { runs } from '../../../src/cli/commands/runs.js';
import { UserError } from '../../../src/core/errors.js';
import { contentHash, type ReviewDocument } from '../../../src/review/review-data.js';
import { count, dumpDom, findChromium, io, RUNTIME, runExperiment } from './helpers.js';

/** A tiny experiment: two datasets (validation and paper protocol), three runs, one sweep, every plot kind. */
const experiment = (onebp = 'backprop: onebp(beta: 0.9)', comment = '') => `experiment tiny
${comment}
dataset syn = synthetic(users: 120, items: 80, types: 4, interests: 2, per_user: 12, seed: 5) {
  split: holdout(test: 0.2, valid: 0.1, per_user: true, seed: 1)
}
dataset synp = synthetic(users: 120, items: 80, types: 4, interests: 2, per_user: 12, seed: 5) {
  split: holdout(test: 0.2, valid: 0, per_user: true, seed: 1)
  protocol: paper
}
defaults {
  encoder:   mf(dim: 8)
  sampler:   uniform(negatives: 5, exclude_positives: true)
  optimizer: adam(lr: 0.01)
  training:  (batch: 64, epochs: 4, eval_every: 2, early_stop: ndcg@10 on valid, seed: 3)
}
run twobp  { backprop: both }
run onebp  { ${onebp} }
run userbp { backprop: user_only(beta: 0.9); seeds: [1, 2] }
sweep beta of onebp { backprop.beta: [0.5, 0.9] }
evaluate { metrics: precision, recall, ndcg @ 5, 10 }
review {
  compare: twobp, onebp, userbp
  baseline: twobp
  significance: paired_t(correction: holm), wilcoxon
  plots: curves, sweep(beta), popularity_groups(4, k: 10), item_clusters(k: 3, projection: tsne)
}
`;

const DATASETS = ['syn', 'synp'];
const COMPARED = ['twobp', 'onebp', 'userbp'];
/** Declared plot panels per dataset: curves, sweep(beta), popularity_groups, item_clusters (type shares + one projection per compared run). */
const PANELS_PER_DATASET = 1 + 1 + 1 + (1 + COMPARED.length);

describe('expc review (end to end on a tiny experiment)', function () {
  this.timeout(120_000);
  let root: string;
  let file: string;
  let cacheDir: string;
  let reviewsDir: string;
  let v1: ReviewResult;
  const reviewOf = async (extra: Partial<Parameters<typeof review>[0]> = {}) => {
    const o = io();
    const r = await review({ file, cacheDir, reviewsDir, runtime: RUNTIME, out: o.out, warn: o.warn, ...extra });
    return { r, lines: o.lines };
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'expc-review-'));
    file = join(root, 'tiny.exp');
    cacheDir = join(root, 'cache');
    reviewsDir = join(root, 'reviews');
    writeFileSync(file, experiment());
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('refuses with exit code 1 and names the first missing step when nothing was run', async () => {
    await assert.rejects(reviewOf(), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.exitCode, 1);
      // 2 datasets x (load, split) + 2 x 5 trials... counted from the graph: every node is missing.
      assert.match(e.message, /^(\d+) of \1 steps of tiny are not computed yet \(first missing: load syn \(synthetic\)\); run `expc run .*tiny\.exp` first$/);
      return true;
    });
    assert.equal(existsSync(reviewsDir), false);
  });

  it('writes v1 (md, html, json) from the cached results after a run', async () => {
    await runExperiment(file, cacheDir);
    const { r, lines } = await reviewOf();
    v1 = r;
    assert.equal(r.status, 'written');
    assert.equal(r.version, 1);
    const dir = join(reviewsDir, 'tiny');
    const files = readdirSync(dir).sort();
    const svgs = files.filter((f) => f.endsWith('.svg'));
    assert.deepEqual(files.filter((f) => !f.endsWith('.svg')), ['v1.html', 'v1.json', 'v1.md']);
    assert.equal(svgs.length, 14);
    assert.match(lines[0]!, /^wrote .*tiny\/v1\.md \(with 14 SVG plots beside it\), \.html and \.json in [\d.]+ s$/);
    // The Markdown shows every plot as an image of its SVG file (GitHub renders them), none as a pointer to the HTML.
    const md = readFileSync(join(dir, 'v1.md'), 'utf8');
    const images = [...md.matchAll(/!\[[^\]]*\]\((v1-[^)]+\.svg)\)/g)].map((m) => m[1]!);
    assert.deepEqual(images.sort(), svgs);
    assert.doesNotMatch(md, /plot in v1\.html/);
    for (const f of svgs) {
      const svg = readFileSync(join(dir, f), 'utf8');
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.ok(svg.length < 2 * 1024 * 1024, `${f} is under 2 MiB`);
    }
    const doc = JSON.parse(readFileSync(join(dir, 'v1.json'), 'utf8')) as ReviewDocument;
    assert.equal(doc.contentHash, contentHash(doc.content), 'the stored hash is the hash of the stored content');
    assert.deepEqual(doc.content.datasets.map((d) => d.name), DATASETS);
    assert.equal(doc.facts.git, null, 'a temp dir is not in a git repository');
    assert.equal(r.analyses.cached, 0);
    assert.ok(r.analyses.computed > 0);
  });

  it('reports per-dataset tables: seeds averaged, deltas against the baseline, tests, and facts from the run record', () => {
    const syn = v1.doc.content.datasets.find((d) => d.name === 'syn')!;
    // The sweep point equal to its run (beta 0.9) is the run's own trial: one row, no extra trial, its cache facts its own.
    const sweep = syn.sweeps.find((s) => s.name === 'beta')!;
    assert.deepEqual(sweep.rows.map((r) => [r.point, r.trials]), [['onebp[backprop.beta=0.5]', ['onebp[backprop.beta=0.5]']], ['onebp[backprop.beta=0.9]', ['onebp']]]);
    assert.equal(syn.trials.filter((t) => t.run === 'onebp').length, 2);
    assert.deepEqual(syn.table.map((r) => r.run), COMPARED);
    const user = syn.table.find((r) => r.run === 'userbp')!;
    assert.deepEqual(user.trials, ['userbp#seed=1', 'userbp#seed=2']);
    const trial = (id: string) => syn.trials.find((t) => t.id === id)!;
    const a = trial('userbp#seed=1').metrics['ndcg@10']!;
    const b = trial('userbp#seed=2').metrics['ndcg@10']!;
    assert.ok(Math.abs(user.metrics['ndcg@10']!.mean! - (a + b) / 2) < 1e-12);
    assert.ok(Math.abs(user.metrics['ndcg@10']!.std! - Math.abs(a - b) / Math.SQRT2) < 1e-12);
    const c = syn.comparisons.find((x) => x.run === 'onebp')!;
    const m = c.metrics['recall@10']!;
    assert.ok(Math.abs(m.delta! - (trial('onebp').metrics['recall@10']! - trial('twobp').metrics['recall@10']!)) < 1e-12);
    assert.ok(Math.abs(m.deltaPct! - (100 * m.delta!) / m.baseline!) < 1e-9);
    for (const t of ['paired_t', 'wilcoxon'] as const) {
      const outcome = m.tests[t]!;
      assert.ok(outcome.pAdjusted === null || outcome.pAdjusted >= outcome.pValue!, 'Holm never lowers a p-value');
    }
    assert.equal(c.users, syn.split.testUsers);
    const facts = v1.doc.facts.trials['syn/twobp']!;
    assert.equal(facts.train, 'ran');
    assert.ok(facts.engine && facts.backend && facts.secondsPerEpoch! > 0);
    assert.equal(v1.doc.facts.records.length, 1);
  });

  it('the paper-protocol dataset reports best test values per metric and says so on every table', () => {
    const synp = v1.doc.content.datasets.find((d) => d.name === 'synp')!;
    assert.equal(synp.protocol, 'paper');
    for (const t of synp.trials) {
      assert.ok(t.bestEpochs && Object.keys(t.bestEpochs).length === synp.columns.length);
      for (const c of synp.columns) assert.ok(t.metrics[c]! >= 0);
    }
    const md = readFileSync(v1.paths!.md, 'utf8');
    const paragraphs = md.slice(md.indexOf('## Dataset synp')).split('\n\n');
    let tables = 0;
    paragraphs.forEach((p, i) => {
      if (!p.startsWith('| ')) return;
      tables++;
      assert.match(paragraphs[i - 1]!, /^_PAPER PROTOCOL: best test value per metric over epochs\./, `the table after: ${paragraphs[i - 1]!.slice(0, 60)}`);
    });
    assert.ok(tables >= 8, `${tables} tables`);
    const syn = md.slice(md.indexOf('## Dataset syn\n'), md.indexOf('## Dataset synp'));
    assert.equal(syn.includes('PAPER PROTOCOL'), false, 'the validation dataset never claims the paper protocol');
  });

  it('the analyses check out: popularity groups add up to Recall@k, item types cover every item', () => {
    for (const ds of v1.doc.content.datasets) {
      const pg = ds.popularityGroups!;
      assert.equal(pg.groups, 4);
      assert.equal(pg.sizes.items.reduce((x, y) => x + y, 0), ds.split.items);
      assert.equal(pg.sizes.interactions.reduce((x, y) => x + y, 0), ds.split.train);
      for (const r of pg.runs) {
        assert.ok(Math.abs(r.sum - r.total) < 1e-12, `${r.run}: groups add up to Recall@10`);
        // Under the validation protocol the reported recall@10 is the kept epoch's: the same ranking.
        if (ds.protocol === 'validation') assert.ok(Math.abs(r.total - ds.table.find((x) => x.run === r.run)!.metrics['recall@10']!.mean!) < 1e-12);
      }
      const ic = ds.itemClusters!;
      assert.deepEqual(ic.runs.map((r) => r.run), COMPARED);
      for (const r of ic.runs) {
        assert.equal(r.labels.length, ds.split.items);
        assert.equal(r.coords.length, ds.split.items + 1, 'items and the user are projected together');
        assert.equal(r.sizes.reduce((x, y) => x + y, 0), ds.split.items);
        assert.deepEqual(r.atK.map((a) => a.K), [5, 10]);
        for (const a of r.atK) assert.ok(Math.abs(a.majorityShare! + a.minorityShare! - 1) < 1e-12);
      }
      assert.ok(ic.user.trainingItems.length > 0);
      assert.match(ic.user.why, /median number of training items/);
    }
  });

  it('the HTML page holds one inline SVG per declared plot panel and no external resources', () => {
    const html = readFileSync(v1.paths!.html, 'utf8');
    assert.equal(count(html, '<svg'), DATASETS.length * PANELS_PER_DATASET);
    assert.equal(count(html, '<figure '), DATASETS.length * PANELS_PER_DATASET);
    assert.equal(count(html, /<script/g), 0);
    assert.equal(count(html, /<link /g), 0);
    assert.equal(count(html, /(src|href)="(https?:)?\/\//g), 0);
    for (const ds of DATASETS) for (const id of ['curves', 'sweep-beta', 'popularity-groups', 'type-shares', ...COMPARED.map((r) => `items-${r}`)]) assert.ok(html.includes(`id="${ds}-${id}"`), `${ds}-${id}`);
  });

  it('headless Chromium shows every plot of the page (skips without Chromium)', function () {
    const chromium = findChromium();
    if (!chromium) {
      // CI installs it (.ci/run); elsewhere: apt-get install chromium
      console.log('    (skipped: no chromium on this machine; apt-get install chromium to run this check)');
      this.skip();
    }
    const dom = dumpDom(chromium!, v1.paths!.html, join(root, 'chromium-profile'));
    assert.equal(count(dom, /<svg[\s>]/g), DATASETS.length * PANELS_PER_DATASET, 'every plot is in the rendered DOM');
    // Each SVG was parsed as SVG with a size (not dropped as text).
    const sized = [...dom.matchAll(/<svg[^>]*\bwidth="(\d+(?:\.\d+)?)"[^>]*\bheight="(\d+(?:\.\d+)?)"/g)].filter((m) => Number(m[1]) > 0 && Number(m[2]) > 0);
    assert.equal(sized.length, DATASETS.length * PANELS_PER_DATASET);
    assert.ok(count(dom, /<table>/g) >= 10);
    assert.ok(dom.includes('Review of tiny, v1'));
  });

  it('re-running the review without changes writes nothing and says the latest version is current (analyses come from the cache)', async () => {
    writeFileSync(file, experiment(undefined, '# a comment changes the file, not the configuration'));
    const { r, lines } = await reviewOf();
    assert.equal(r.status, 'current');
    assert.equal(r.version, 1);
    assert.equal(r.analyses.computed, 0);
    assert.ok(r.analyses.cached > 0);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /tiny\/v1 is current \(no change in configuration or results\)$/);
    assert.deepEqual(readdirSync(join(reviewsDir, 'tiny')).filter((f) => !f.endsWith('.svg')).sort(), ['v1.html', 'v1.json', 'v1.md']);
    assert.ok(readdirSync(join(reviewsDir, 'tiny')).every((f) => !f.startsWith('v2')));
  });

  it('changing one parameter of one run gives v2, and review diff v1 v2 names exactly that change', async () => {
    writeFileSync(file, experiment('backprop: onebp(beta: 0.9); sampler.negatives: 3'));
    await runExperiment(file, cacheDir);
    const { r, lines } = await reviewOf();
    assert.equal(r.status, 'written');
    assert.equal(r.version, 2);
    assert.match(lines[1]!, /^since v1: 1 configuration change\(s\), reported metrics changed in \d+ trial\(s\)/);

    const o = io();
    const d = await reviewDiff({ args: [file, 'v1', 'v2'], reviewsDir, json: false, out: o.out, warn: o.warn });
    assert.deepEqual(d.config, ['run onebp: sampler.negatives 5 -> 3']);
    const changed = new Set(d.metrics.map((m) => `${m.dataset}/${m.trial}`));
    const onebpTrials = DATASETS.flatMap((ds) => ['onebp', 'onebp[backprop.beta=0.5]'].map((t) => `${ds}/${t}`)); // beta 0.9 is onebp itself
    assert.deepEqual([...changed].sort(), onebpTrials.sort(), 'exactly the trials of the changed run (its sweep points included) changed');
    for (const m of d.metrics) {
      assert.ok(Math.abs(m.delta! - (m.b! - m.a!)) < 1e-15);
      if (m.a) assert.ok(Math.abs(m.deltaPct! - (100 * m.delta!) / m.a) < 1e-9);
    }
    const text = o.lines.join('\n');
    assert.match(text, /^review diff tiny v1 -> v2\n\nconfiguration changes \(1\):\n {2}run onebp: sampler\.negatives 5 -> 3\n/);
    assert.match(text, /metric changes on syn \(2 trial\(s\)/);
    assert.doesNotMatch(text, /twobp|userbp/);

    // The same diff from the two JSON files, and with the default (latest) second version.
    const dir = join(reviewsDir, 'tiny');
    const byPath = await reviewDiff({ args: [join(dir, 'v1.json'), join(dir, 'v2.json')], reviewsDir, json: true, out: () => {}, warn: () => {} });
    assert.deepEqual(byPath, d);
    const latest = await reviewDiff({ args: [file, '1'], reviewsDir, json: false, out: () => {}, warn: () => {} });
    assert.deepEqual(latest.config, d.config);
  });

  it('an unknown version is a UserError that lists the versions there are', async () => {
    await assert.rejects(reviewDiff({ args: [file, 'v1', 'v7'], reviewsDir, json: false, out: () => {}, warn: () => {} }), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.exitCode, 1);
      assert.equal(e.message, 'review tiny has no version v7');
      assert.equal(e.options.hint, 'available: v1, v2');
      return true;
    });
    await assert.rejects(reviewDiff({ args: [file, 'first'], reviewsDir, json: false, out: () => {}, warn: () => {} }), /'first' is not a review version/);
  });

  it('expc runs lists the recorded runs and filters them by experiment, dataset, run and parameter', async () => {
    const list = async (f: Partial<Parameters<typeof runs>[0]>) => {
      const o = io();
      const r = await runs({ cacheDir, json: false, out: o.out, warn: o.warn, ...f });
      return { r, text: o.lines.join('\n') };
    };
    const all = await list({});
    assert.equal(all.r.length, 2);
    assert.deepEqual(all.r.map((s) => s.experiment), ['tiny', 'tiny']);
    assert.ok(all.r[1]!.steps.cached > all.r[0]!.steps.cached && all.r[1]!.steps.ran > 0, 'the second run reused what did not change');
    assert.deepEqual(all.r.map((s) => s.steps.failed), [0, 0]);
    assert.match(all.text.split('\n')[2]!, /^\d{8}T\d{6}Z-tiny-[0-9a-f]{6} +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +tiny +ok +\d+\/\d+\/0 +[\d.]+ +cpu\/fused/);
    assert.equal((await list({ experiment: 'other' })).r.length, 0);
    assert.equal((await list({ experiment: 'tiny' })).r.length, 2);
    const n3 = await list({ params: ['sampler.negatives=3'] });
    assert.deepEqual(n3.r.map((s) => s.id), [all.r[1]!.id]);
    assert.deepEqual(n3.r[0]!.trials.sort(), ['onebp on syn', 'onebp on synp', 'onebp[backprop.beta=0.5] on syn', 'onebp[backprop.beta=0.5] on synp']);
    assert.equal((await list({ params: ['backprop.beta=0.5'] })).r.length, 2, 'sweep points are trials too');
    assert.deepEqual((await list({ run: 'userbp', params: ['backprop.beta=0.9'] })).r[0]!.trials, ['userbp#seed=1 on syn', 'userbp#seed=2 on syn', 'userbp#seed=1 on synp', 'userbp#seed=2 on synp']);
    assert.equal((await list({ run: 'twobp', params: ['backprop.beta=0.9'] })).r.length, 0, 'filters hold for the same trial');
    assert.equal((await list({ dataset: 'synp', params: ['backprop=both'] })).r.length, 2);
    const none = await list({ dataset: 'nope' });
    assert.equal(none.r.length, 0);
    assert.match(none.text, /^no recorded run matches \(2 record\(s\) of tiny in /);
    const json = io();
    await runs({ cacheDir, json: true, out: json.out, warn: json.warn, run: 'onebp' });
    assert.equal((JSON.parse(json.lines.join('\n')) as unknown[]).length, 2);
  });

  it('a version whose content was emptied but whose hash was kept is not current, and diffing it is a clear error (finding 9)', async () => {
    const dir = join(reviewsDir, 'tiny');
    const v2 = join(dir, 'v2.json');
    const original = readFileSync(v2, 'utf8');
    try {
      const doc = JSON.parse(original) as ReviewDocument;
      writeFileSync(v2, JSON.stringify({ ...doc, content: { ...doc.content, datasets: [] } }));
      const o = io();
      const r = await review({ file, cacheDir, reviewsDir, runtime: RUNTIME, out: o.out, warn: o.warn });
      assert.equal(r.status, 'written');
      assert.equal(r.version, 3);
      assert.match(o.warnings.join('\n'), /v2\.json: its content does not match its contentHash \(edited or damaged\); it is not taken as current/);
      await assert.rejects(reviewDiff({ args: [file, 'v1', 'v2'], reviewsDir, json: false, out: () => {}, warn: () => {} }), (e: unknown) => {
        assert.ok(e instanceof UserError, String(e));
        assert.match(e.message, /v2\.json: its content does not match its contentHash/);
        return true;
      });
    } finally {
      writeFileSync(v2, original);
      for (const ext of ['md', 'html', 'json']) rmSync(join(dir, `v3.${ext}`), { force: true });
    }
  });

  it('valid JSON of the wrong shape in a review version, a run record or the index is a clear message, never a TypeError (finding 6)', async () => {
    const dir = join(reviewsDir, 'tiny');
    const v1path = join(dir, 'v1.json');
    const original = readFileSync(v1path, 'utf8');
    try {
      const doc = JSON.parse(original) as Record<string, unknown> & { content: Record<string, unknown> };
      for (const bad of [{ ...doc, content: { ...doc.content, datasets: 'none' } }, { ...doc, content: { ...doc.content, config: { runs: 3 } } }]) {
        writeFileSync(v1path, JSON.stringify(bad));
        await assert.rejects(reviewDiff({ args: [file, 'v1', 'v2'], reviewsDir, json: false, out: () => {}, warn: () => {} }), (e: unknown) => {
          assert.ok(e instanceof UserError, String(e));
          assert.match(e.message, /v1\.json is not an expc review of this version: \/content/);
          return true;
        });
      }
    } finally {
      writeFileSync(v1path, original);
    }
    const runsDir = join(cacheDir, 'runs');
    const [first] = readdirSync(runsDir).filter((n) => n.endsWith('.json')).sort();
    const recordPath = join(runsDir, first!);
    const record = readFileSync(recordPath, 'utf8');
    const index = join(cacheDir, 'index', 'tiny.json');
    const indexText = readFileSync(index, 'utf8');
    try {
      writeFileSync(recordPath, JSON.stringify({ ...JSON.parse(record), nodes: 'x', model: { trials: [{ id: 1 }] } }));
      writeFileSync(index, JSON.stringify({ experiment: 'tiny', nodes: { 'load:syn': { key: 3 }, 'split:syn': 'x' } }));
      const o = io();
      const listed = await runs({ cacheDir, json: false, out: o.out, warn: o.warn });
      assert.equal(listed.length, 1);
      assert.match(o.warnings.join('\n'), /skipping .*\.json: not a run record of this expc/);
      const o2 = io();
      const r = await review({ file, cacheDir, reviewsDir, runtime: RUNTIME, out: o2.out, warn: o2.warn });
      assert.equal(r.status, 'current');
      // A record edited but still of the right shape fails its own hash.
      const edited = JSON.parse(record) as { seconds: number };
      writeFileSync(recordPath, JSON.stringify({ ...edited, seconds: edited.seconds + 1 }));
      const o3 = io();
      assert.equal((await runs({ cacheDir, json: false, out: o3.out, warn: o3.warn })).length, 1);
      assert.match(o3.warnings.join('\n'), /does not match its sha256/);
      const { plan } = await import('../../../src/cli/commands/plan.js');
      const o4 = io();
      await plan({ file, cacheDir, runtime: RUNTIME, json: false, out: o4.out, warn: o4.warn });
    } finally {
      writeFileSync(recordPath, record);
      writeFileSync(index, indexText);
    }
  });
});
