import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportModel, recommend } from '../../../src/cli/commands/recommend.js';
import { results } from '../../../src/cli/commands/results.js';
import { run } from '../../../src/cli/commands/run.js';
import { loadTrainedModel } from '../../../src/cli/trained-model.js';
import { UserError } from '../../../src/core/errors.js';
import { decodeNpy } from '../../../src/runtime/cache/npy.js';
import type { RuntimeOptions } from '../../../src/runtime/executor/services.js';

const RUNTIME: RuntimeOptions = { backend: 'cpu', engine: 'auto', threads: 2, dataDirs: [], allowDownload: false, checkpointSeconds: 0 };
const SRC = `experiment rr
dataset syn = synthetic(users: 60, items: 40, per_user: 8, seed: 1) { split: holdout(test: 0.2, valid: 0.1) }
defaults { encoder: mf(dim: 4) optimizer: adam(lr: 0.05) training: (epochs: 3, batch: 32, eval_every: 1, seed: 7) }
run twobp { backprop: both }
run onebp { backprop: onebp(beta: 0.9) }
sweep seeds of twobp { training.seed: [1, 2, 3] }
`;

function capture() {
  const lines: string[] = [];
  const warnings: string[] = [];
  return { out: (t: string) => lines.push(t), warn: (t: string) => warnings.push(t), lines, warnings };
}

describe('results, recommend and export on a trained experiment', function () {
  this.timeout(120000);
  let dir: string;
  let file: string;
  let cacheDir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'expc-rr-'));
    file = join(dir, 'rr.exp');
    cacheDir = join(dir, 'cache');
    writeFileSync(file, SRC);
    const o = capture();
    await run({ file, cacheDir, runtime: RUNTIME, force: false, progress: 'none', overrides: ['onebp.backprop.beta=0.8'], argv: ['run', file], ...o });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the run record keeps the overrides (in the model and the options)', () => {
    const records = readdirSync(join(cacheDir, 'runs')).filter((f) => f.endsWith('.json'));
    assert.equal(records.length, 1);
    const record = JSON.parse(readFileSync(join(cacheDir, 'runs', records[0]!), 'utf8')) as { model: { overrides: string[] }; options: { overrides: string[] } };
    assert.deepEqual(record.model.overrides, ['onebp.backprop.beta=0.8']);
    assert.deepEqual(record.options.overrides, ['onebp.backprop.beta=0.8']);
  });

  it('a sweep over training.seed trains three different models', async () => {
    const tables = await Promise.all(
      [1, 2, 3].map((s) => loadTrainedModel({ file, cacheDir, runtime: RUNTIME, run: `twobp[training.seed=${s}]`, warn: () => {}, overrides: ['onebp.backprop.beta=0.8'] })),
    );
    assert.deepEqual(tables.map((t) => t.trial.seed), [1, 2, 3]);
    assert.equal(new Set(tables.map((t) => t.key)).size, 3, 'three content keys');
    const [a, b, c] = tables.map((t) => Array.from(t.tables.user));
    assert.notDeepEqual(a, b);
    assert.notDeepEqual(b, c);
    assert.notDeepEqual(a, c);
  });

  it('results: trials x changed parameters x metrics, JSON', async () => {
    const o = capture();
    const t = await results({ cacheDir, all: false, ascending: false, format: 'json', ...o });
    assert.deepEqual(t.rows.map((r) => r.trial).sort(), ['onebp', 'twobp', 'twobp[training.seed=1]', 'twobp[training.seed=2]', 'twobp[training.seed=3]']);
    // Only what differs between trials is a column; the seed has its own column.
    assert.deepEqual(t.params, ['backprop', 'backprop.beta', 'backprop.duplicates']);
    assert.equal(t.rows.find((r) => r.trial === 'onebp')!.params['backprop.beta'], 0.8);
    assert.ok(t.metrics.includes('ndcg@20'));
    for (const r of t.rows) assert.equal(typeof r.metrics['ndcg@20'], 'number');
    assert.deepEqual(JSON.parse(o.lines.join('\n')), JSON.parse(JSON.stringify(t)));
  });

  it('results: sorted by a metric best first (or --asc), filtered by run and parameter', async () => {
    const o = capture();
    const t = await results({ cacheDir, all: false, sort: 'ndcg@20', ascending: false, format: 'json', ...o });
    const values = t.rows.map((r) => r.metrics['ndcg@20']!);
    assert.deepEqual(values, [...values].sort((x, y) => y - x));
    const asc = await results({ cacheDir, all: false, sort: 'ndcg@20', ascending: true, format: 'json', ...capture() });
    assert.deepEqual(asc.rows.map((r) => r.metrics['ndcg@20']), [...values].reverse());
    const only = await results({ cacheDir, all: false, run: 'onebp', ascending: false, format: 'json', ...capture() });
    assert.deepEqual(only.rows.map((r) => r.trial), ['onebp']);
    const byParam = await results({ cacheDir, all: false, params: ['training.seed=2'], ascending: false, format: 'json', ...capture() });
    assert.deepEqual(byParam.rows.map((r) => r.trial), ['twobp[training.seed=2]']);
    await assert.rejects(results({ cacheDir, all: false, sort: 'ndgc@20', ascending: false, format: 'text', ...capture() }), /--sort ndgc@20: no such column/);
  });

  it('results: Markdown, CSV and a text table that fits the terminal', async () => {
    const md = capture();
    await results({ cacheDir, all: false, ascending: false, format: 'md', ...md });
    const mdLines = md.lines.join('\n').split('\n');
    assert.match(mdLines[0]!, /^\| trial \| seed \| backprop \| backprop\.beta \| backprop\.duplicates \| P@5 \|/);
    assert.match(mdLines[1]!, /^\|---\|---:\|/);
    assert.equal(mdLines.length, 2 + 5);
    const csv = capture();
    await results({ cacheDir, all: false, ascending: false, format: 'csv', ...csv });
    const rows = csv.lines.join('\n').split('\n').map((l) => l.split(','));
    assert.equal(rows[0]![0], 'record');
    assert.ok(rows[0]!.includes('ndcg@20'));
    assert.equal(rows.length, 6);
    const j = rows[0]!.indexOf('ndcg@20');
    for (const r of rows.slice(1)) assert.ok(Number.isFinite(Number(r[j])));
    const text = capture();
    await results({ cacheDir, all: false, ascending: false, format: 'text', width: 60, ...text });
    const out = text.lines.join('\n');
    for (const line of out.split('\n').slice(0, -1)) assert.ok(line.length <= 60, line);
    assert.match(out, /column\(s\) do not fit the terminal: .*ndcg@20/i);
  });

  it("recommend: top-K by the model's score, the user's training and validation items excluded", async () => {
    const o = capture();
    const recs = await recommend({ file, cacheDir, runtime: RUNTIME, overrides: ['onebp.backprop.beta=0.8'], run: 'onebp', users: ['3', '5'], k: 5, json: true, ...o });
    const m = await loadTrainedModel({ file, cacheDir, runtime: RUNTIME, overrides: ['onebp.backprop.beta=0.8'], run: 'onebp', warn: () => {} });
    for (const r of recs) {
      const u = Number(r.user);
      const seen = new Set([...m.split.train.row(u), ...m.split.valid!.row(u)]);
      const { user, item, dim } = m.tables;
      const brute = Array.from({ length: 40 }, (_, i) => i)
        .filter((i) => !seen.has(i))
        .map((i) => ({ i, s: Array.from({ length: dim }, (_, d) => user[u * dim + d]! * item[i * dim + d]!).reduce((x, y) => x + y, 0) }))
        .sort((a, b) => b.s - a.s || a.i - b.i)
        .slice(0, 5);
      assert.deepEqual(r.items.map((x) => Number(x.item)), brute.map((x) => x.i));
      for (const x of r.items) assert.ok(!seen.has(Number(x.item)));
      for (let i = 1; i < r.items.length; i++) assert.ok(r.items[i - 1]!.score >= r.items[i]!.score);
    }
    const json = JSON.parse(o.lines.join('\n')) as { trial: string; recommendations: unknown[] };
    assert.equal(json.trial, 'onebp');
    assert.equal(json.recommendations.length, 2);
  });

  it('recommend: an unknown user or run, or a run not trained with these overrides, is a clear error', async () => {
    const base = { file, cacheDir, runtime: RUNTIME, k: 5, json: false, ...capture() };
    await assert.rejects(recommend({ ...base, overrides: ['onebp.backprop.beta=0.8'], run: 'onebp', users: ['999'] }), (e: unknown) => e instanceof UserError && /user '999' is not in dataset 'syn'/.test(e.message));
    await assert.rejects(recommend({ ...base, run: 'onebpp', users: ['1'] }), (e: unknown) => e instanceof UserError && /--run onebpp: no such run/.test(e.message) && e.options.hint === "did you mean 'onebp'?");
    // Without the override, onebp (beta 0.9) was never trained.
    await assert.rejects(recommend({ ...base, run: 'onebp', users: ['1'] }), (e: unknown) => e instanceof UserError && /train onebp on syn is not computed yet/.test(e.message));
  });

  it('export: embeddings as .npy with id maps and a description of the model', async () => {
    const outDir = join(dir, 'export');
    const r = await exportModel({ file, cacheDir, runtime: RUNTIME, run: 'twobp', outDir, json: false, ...capture() });
    assert.deepEqual(r.files.sort(), ['item_embeddings.npy', 'item_ids.json', 'model.json', 'user_embeddings.npy', 'user_ids.json']);
    const users = decodeNpy(readFileSync(join(outDir, 'user_embeddings.npy')));
    const items = decodeNpy(readFileSync(join(outDir, 'item_embeddings.npy')));
    assert.deepEqual([users.shape, items.shape], [[60, 4], [40, 4]]);
    assert.equal((JSON.parse(readFileSync(join(outDir, 'user_ids.json'), 'utf8')) as string[]).length, 60);
    const m = await loadTrainedModel({ file, cacheDir, runtime: RUNTIME, run: 'twobp', warn: () => {} });
    assert.deepEqual(Array.from(users.data as Float32Array), Array.from(m.tables.user));
    const meta = JSON.parse(readFileSync(join(outDir, 'model.json'), 'utf8')) as { trial: string; score: string; contentKey: string };
    assert.deepEqual([meta.trial, meta.score, meta.contentKey], ['twobp', 'dot(user, item)', m.key]);
  });
});

