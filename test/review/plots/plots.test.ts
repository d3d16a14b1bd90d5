import assert from 'node:assert/strict';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../../../src/review/plots/render-svg.js';
import { sweepPlot, type SweepRow } from '../../../src/review/plots/sweep-plot.js';
import { curvesPlot, type CurveRow } from '../../../src/review/plots/curves-plot.js';
import { groupRecallPlot, type GroupRecallRow } from '../../../src/review/plots/group-recall-plot.js';
import { itemScatter, type ScatterPoint } from '../../../src/review/plots/item-scatter.js';
import { typeSharePlot, typeShareParts } from '../../../src/review/plots/type-share-plot.js';
import { spansDecades } from '../../../src/review/plots/plot-config.js';
import type { TypeSharesAtK } from '../../../src/review/analysis/type-shares.js';
import { assertWellFormedSvg, countGroups, countMarks, texts } from './svg-check.js';

const betas = [0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999];
const sweepRows: SweepRow[] = betas.flatMap((b, i) => [
  { param: b, metric: 'recall@20', value: 0.2 + i / 100, run: 'onebp' },
  { param: b, metric: 'ndcg@20', value: 0.1 + i / 200, run: 'onebp' },
]);
const curveRows: CurveRow[] = ['twobp', 'onebp', 'userbp'].flatMap((run, r) =>
  Array.from({ length: 8 }, (_, e) => [
    { run, epoch: e, series: 'loss', value: 1 / (e + 1 + r) },
    { run, epoch: e, series: 'valid ndcg@20', value: 0.05 * e + r / 100 },
  ]).flat(),
);
const groupRows: GroupRecallRow[] = ['twobp', 'onebp'].flatMap((run, r) =>
  Array.from({ length: 10 }, (_, g) => ({ run, group: g, recall: 0.004 * g + r / 1000 })),
);
function scatterPoints(n: number): ScatterPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    x: Math.cos(i % 6) * 10 + Math.sin(i * 7.1),
    y: Math.sin(i % 6) * 10 + Math.cos(i * 3.3),
    type: i % 6,
    isUserItem: i % 37 === 0,
  }));
}
const shares = (K: number, majority: number): TypeSharesAtK => ({
  K,
  users: 10,
  slots: 10 * K,
  majorityShare: majority,
  minorityShare: 1 - majority,
  minorityByRank: Float64Array.from([0.6, 0.4]),
  minorityByType: Float64Array.from([0.3, 0.3, 0.4]),
  minorityUnseenShare: 0,
  minorityEvenness: 0.9,
  trainingMajorityShare: 0.6,
  majorityPrecision: 0.1,
  minorityPrecision: 0.05,
  majorityRecall: 0.2,
  minorityRecall: 0.1,
});

describe('plots', function () {
  this.timeout(20_000); // the first render loads vega

  it('sweepPlot: log x for 1 - beta over 6 decades, one point per row, one line per metric and run', async () => {
    const spec = sweepPlot(sweepRows, { parameterTitle: '1 - beta', transform: (b) => 1 - b, title: 'OneBP beta sweep' });
    const svg = await renderSvg(spec);
    assertWellFormedSvg(svg);
    assert.equal(countMarks(svg, 'mark-symbol role-mark'), 12);
    assert.equal(countGroups(svg, 'mark-line role-mark'), 2);
    const t = texts(svg);
    for (const s of ['OneBP beta sweep', '1 - beta', 'recall@20', 'ndcg@20', '1e-6', '1e-1']) assert.ok(t.includes(s), s);
    assert.match(svg, /aria-label="X-axis titled '1 - beta' for a log scale/);
  });

  it('sweepPlot: linear x when the values span less than two decades', async () => {
    const rows = [1, 5, 10, 20].map((v) => ({ param: v, metric: 'ndcg@20', value: v / 100, run: 'onebp' }));
    const svg = await renderSvg(sweepPlot(rows, { parameterTitle: 'negatives' }));
    assert.match(svg, /aria-label="X-axis titled 'negatives' for a linear scale/);
    assert.equal(spansDecades([1, 100]), true);
    assert.equal(spansDecades([1, 99]), false);
    assert.equal(spansDecades([0, 100]), false);
  });

  it('curvesPlot: one panel per series, one line per run in each', async () => {
    const svg = await renderSvg(curvesPlot(curveRows, { title: 'Training curves' }));
    assertWellFormedSvg(svg);
    assert.equal(countGroups(svg, 'mark-line role-mark'), 2 * 3);
    const t = texts(svg);
    for (const s of ['Training curves', 'loss', 'valid ndcg@20', 'epoch', 'twobp', 'onebp', 'userbp']) assert.ok(t.includes(s), s);
  });

  it('curvesPlot: y axes titled with their series, integer epochs, the kept epochs as rules', async () => {
    const svg = await renderSvg(curvesPlot(curveRows, { kept: [{ run: 'twobp', epoch: 3 }, { run: 'onebp', epoch: 7 }] }));
    assert.match(svg, /aria-label="Y-axis titled 'loss' for a linear scale/);
    assert.match(svg, /aria-label="Y-axis titled 'valid ndcg@20' for a linear scale/);
    assert.doesNotMatch(svg, /titled 'value'/);
    // Two kept-epoch rules per panel.
    assert.equal((svg.match(/aria-roledescription="rule mark"/g) ?? []).length, 4);
    const epochLabels = [...svg.matchAll(/role-axis-label[^]*?<\/g>/g)].flatMap((m) => [...m[0].matchAll(/>([^<]+)<\/text>/g)].map((x) => x[1]!));
    assert.ok(!epochLabels.some((l) => /^\d+\.\d+$/.test(l) && Number(l) > 1), `no fractional epochs: ${epochLabels.join(' ')}`);
  });

  it('one run: no one-entry legend', async () => {
    const one = curveRows.filter((r) => r.run === 'onebp');
    assert.doesNotMatch(await renderSvg(curvesPlot(one)), /role-legend/);
    assert.match(await renderSvg(curvesPlot(curveRows)), /role-legend/);
  });

  it('sweepPlot: the baseline as a labelled dashed rule; dimensions on a log2 axis with their own values', async () => {
    const svg = await renderSvg(sweepPlot(sweepRows, { parameterTitle: '1 - beta', transform: (b) => 1 - b, baseline: { run: 'twobp', values: { 'recall@20': 0.21, 'ndcg@20': 0.11 } } }));
    assert.equal((svg.match(/aria-roledescription="rule mark"/g) ?? []).length, 2);
    assert.equal(texts(svg).filter((t) => t === 'twobp (baseline)').length, 2);
    assert.match(svg, /Y-axis titled 'recall@20'/);
    const dims = [16, 32, 64, 128].map((d) => ({ param: d, metric: 'ndcg@20', value: d / 1000, run: 'twobp' }));
    const d = await renderSvg(sweepPlot(dims, { parameterTitle: 'encoder.dim' }));
    assert.match(d, /X-axis titled 'encoder\.dim' for a log scale/);
    for (const v of ['16', '32', '64', '128']) assert.ok(texts(d).includes(v), v);
  });

  it('groupRecallPlot: one bar per run and group', async () => {
    const svg = await renderSvg(groupRecallPlot(groupRows, { K: 20, title: 'Recall@20 by popularity group' }));
    assertWellFormedSvg(svg);
    assert.equal(countMarks(svg, 'mark-rect role-mark'), 20);
    const t = texts(svg);
    for (const s of ['Recall@20 by popularity group', 'popularity group (0 = least popular)', 'Recall@20 contribution', '0', '9']) {
      assert.ok(t.includes(s), s);
    }
  });

  it('keeps run colours fixed by the runs option whatever the row order', () => {
    const a = groupRecallPlot(groupRows, { runs: ['onebp', 'twobp'] });
    const b = groupRecallPlot([...groupRows].reverse(), { runs: ['onebp', 'twobp'] });
    assert.deepEqual(JSON.stringify(a).match(/"domain":\[[^\]]*\]/g), JSON.stringify(b).match(/"domain":\[[^\]]*\]/g));
    assert.match(JSON.stringify(a), /"domain":\["onebp","twobp"\]/);
  });

  it('itemScatter: 1,700 items as circles, the user items as squares, the user as a cross', async () => {
    const points = scatterPoints(1700);
    const userItems = points.filter((p) => p.isUserItem).length;
    const svg = await renderSvg(itemScatter(points, { x: 0, y: 0 }));
    assertWellFormedSvg(svg);
    assert.equal(countMarks(svg, 'mark-symbol role-mark layer_0'), 1700 - userItems);
    assert.equal(countMarks(svg, 'mark-symbol role-mark layer_1'), userItems);
    assert.equal(countMarks(svg, 'mark-symbol role-mark layer_2'), 1);
    const t = texts(svg);
    for (const s of ['Item embeddings by latent type', "squares: the user's training items; cross: the user", 'latent type', 'dimension 1', 'dimension 2']) {
      assert.ok(t.includes(s), s);
    }
    const noUser = await renderSvg(itemScatter(points, null));
    assert.equal(countGroups(noUser, 'mark-symbol role-mark layer_2'), 0);
  });

  it('typeSharePlot: stacked majority and ranked minority parts per K and run', async () => {
    const series = [
      { run: 'twobp', shares: [shares(5, 0.7), shares(10, 0.6), shares(20, 0.5)] },
      { run: 'onebp', shares: [shares(5, 0.6), shares(10, 0.5), shares(20, 0.4)] },
    ];
    const spec = typeSharePlot(series, { title: 'Majority and minority types' });
    const svg = await renderSvg(spec);
    assertWellFormedSvg(svg);
    assert.equal(countMarks(svg, 'mark-rect role-mark'), 2 * 3 * 3);
    const t = texts(svg);
    for (const s of ['Majority and minority types', 'list length K', 'share of list slots', 'majority type', '2nd type', '3rd type']) {
      assert.ok(t.includes(s), s);
    }
    assert.deepEqual(typeShareParts(4), ['majority type', '2nd type', '3rd type', '4th type']);
  });

  it('renders byte-identical SVG for the same spec, whatever was rendered in between', async () => {
    const spec = sweepPlot(sweepRows, { parameterTitle: '1 - beta', transform: (b) => 1 - b });
    const first = await renderSvg(spec);
    await renderSvg(curvesPlot(curveRows));
    await renderSvg(itemScatter(scatterPoints(50), { x: 1, y: 1 }));
    assert.equal(await renderSvg(spec), first);
    assert.match(first, /font-family="sans-serif"/);
    assert.doesNotMatch(first, /font-family="(?!sans-serif")/);
  });

  it('numbers clip paths from 1 in every SVG, also when renders run concurrently', async () => {
    const clipped = (n: number): TopLevelSpec => ({
      data: { values: Array.from({ length: n }, (_, i) => ({ a: i, b: i * i })) },
      mark: { type: 'line', clip: true },
      encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative', scale: { domain: [0, 4] } } },
    });
    const alone = await renderSvg(clipped(5));
    assert.match(alone, /clip-path="url\(#clip1\)"/);
    const [a, , c] = await Promise.all([renderSvg(clipped(5)), renderSvg(clipped(7)), renderSvg(clipped(5))]);
    assert.equal(a, alone);
    assert.equal(c, alone);
  });
});
