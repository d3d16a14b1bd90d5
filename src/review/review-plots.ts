import type { TopLevelSpec } from 'vega-lite';
import type { Json } from '../core/json.js';
import type { TypeSharesAtK } from './analysis/type-shares.js';
import { curvesPlot, type CurveRow } from './plots/curves-plot.js';
import { groupRecallPlot } from './plots/group-recall-plot.js';
import { itemScatter, type ScatterPoint } from './plots/item-scatter.js';
import { sweepPlot, type SweepRow as SweepPlotRow } from './plots/sweep-plot.js';
import { typeSharePlot } from './plots/type-share-plot.js';
import type { DatasetSection, ItemClustersRun, ReviewDocument, SweepSection } from './review-data.js';

/** One figure of a review: a Vega-Lite spec and the words around it. */
export interface ReviewFigure {
  /** Unique within the review, usable as an HTML id: `ml100k-sweep-beta`. */
  id: string;
  dataset: string;
  /** The declared plot it belongs to (curves, sweep, popularity_groups, item_clusters). */
  kind: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

/** The metrics a sweep plot shows: precision, recall and NDCG at the largest cutoff (those declared). */
export function sweepMetrics(columns: readonly string[], cutoffs: readonly number[]): string[] {
  const K = Math.max(...cutoffs);
  const preferred = ['precision', 'recall', 'ndcg'].map((m) => `${m}@${K}`).filter((c) => columns.includes(c));
  return preferred.length ? preferred : columns.filter((c) => c.endsWith(`@${K}`)).slice(0, 3);
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-');

function sweepFigure(doc: ReviewDocument, ds: DatasetSection, s: SweepSection): ReviewFigure | { skipped: string } {
  // x: the first numeric axis; further axes make one line per combination of their values.
  const xAxis = s.axes.find((a) => a.values.every((v) => typeof v === 'number'));
  if (!xAxis) return { skipped: `sweep ${s.name}: no numeric axis to plot against (the table lists its points)` };
  const others = s.axes.filter((a) => a !== xAxis).map((a) => a.path);
  const metrics = sweepMetrics(ds.columns, doc.content.config.evaluate.cutoffs);
  const rows: SweepPlotRow[] = [];
  for (const r of s.rows) {
    const series = others.length ? `${s.run} ${others.map((p) => `${p}=${String(r.values[p] as Json)}`).join(', ')}` : s.run;
    for (const m of metrics) {
      const v = r.metrics[m]?.mean;
      if (typeof v === 'number') rows.push({ param: r.values[xAxis.path] as number, metric: m, value: v, run: series });
    }
  }
  const beta = xAxis.path === 'backprop.beta';
  const paper = ds.protocol === 'paper' ? ' (paper protocol: best test value per metric over epochs)' : '';
  const baseRow = ds.table.find((r) => r.run === ds.baseline);
  const baseValues = Object.fromEntries(metrics.flatMap((m) => (typeof baseRow?.metrics[m]?.mean === 'number' ? [[m, baseRow.metrics[m]!.mean!]] : [])));
  const baseline = baseRow ? { run: ds.baseline, values: baseValues } : undefined;
  const spec = sweepPlot(rows, beta ? { parameterTitle: '1 - beta', transform: (b) => 1 - b, logX: true, title: `${ds.name}: sweep ${s.name}`, baseline } : { parameterTitle: xAxis.path, title: `${ds.name}: sweep ${s.name}`, baseline });
  return {
    id: `${slug(ds.name)}-sweep-${slug(s.name)}`,
    dataset: ds.name,
    kind: 'sweep',
    title: `Sweep ${s.name}: ${metrics.join(', ')} vs ${beta ? '1 - beta (log scale, as OneBP Fig. 4)' : xAxis.path}`,
    caption: `Test metrics of each point of sweep ${s.name} of run ${s.run} on ${ds.name}${paper}; mean over seeds.${others.length ? ` One line per value of ${others.join(', ')}.` : ''}${baseline ? ` The dashed line is the baseline ${ds.baseline}.` : ''}`,
    spec,
  };
}

function shareSeries(r: ItemClustersRun): TypeSharesAtK[] {
  const n = (x: number | null) => x ?? NaN;
  return r.atK.map((a) => ({
    K: a.K,
    users: 0,
    slots: 0,
    majorityShare: n(a.majorityShare),
    minorityShare: n(a.minorityShare),
    minorityByRank: Float64Array.from(a.minorityByRank, n),
    minorityByType: new Float64Array(0),
    minorityUnseenShare: NaN,
    minorityEvenness: n(a.minorityEvenness),
    trainingMajorityShare: n(a.trainingMajorityShare),
    majorityPrecision: n(a.majorityPrecision),
    minorityPrecision: n(a.minorityPrecision),
    majorityRecall: n(a.majorityRecall),
    minorityRecall: n(a.minorityRecall),
  }));
}

/** The figures of one dataset, in the order the review block declares its plots. */
export function datasetFigures(doc: ReviewDocument, ds: DatasetSection): { figures: ReviewFigure[]; notes: string[] } {
  const figures: ReviewFigure[] = [];
  const notes: string[] = [];
  const runs = ds.table.map((r) => r.run);
  const seen = new Set<string>();
  for (const plot of doc.content.config.review.plots) {
    const tag = `${plot.kind}:${JSON.stringify(plot.args)}`;
    if (seen.has(tag)) continue;
    seen.add(tag);
    switch (plot.kind) {
      case 'curves': {
        const rows: CurveRow[] = [];
        const ids = ds.table.flatMap((r) => r.trials);
        for (const id of ids) {
          const t = ds.trials.find((x) => x.id === id)!;
          for (const p of t.curves) {
            rows.push({ run: t.id, epoch: p.epoch, series: 'loss', value: p.loss });
            if (p.metric !== null && t.monitored) rows.push({ run: t.id, epoch: p.epoch, series: t.monitored, value: p.metric });
          }
        }
        if (!rows.length) {
          notes.push('curves: no compared run has trials on this dataset');
          break;
        }
        figures.push({
          id: `${slug(ds.name)}-curves`,
          dataset: ds.name,
          kind: 'curves',
          title: 'Training curves',
          caption: `Training loss per epoch and the monitored metric on the evaluated epochs, one line per trial of the compared runs; the dashed rules mark the epoch each trial kept.`,
          spec: curvesPlot(rows, { title: `${ds.name}: training curves`, runs: ids, kept: ids.map((id) => ({ run: id, epoch: ds.trials.find((x) => x.id === id)!.keptEpoch })) }),
        });
        break;
      }
      case 'sweep': {
        const s = ds.sweeps.find((x) => x.name === plot.args['sweep']);
        if (!s) {
          notes.push(`sweep ${String(plot.args['sweep'])}: no trials on this dataset`);
          break;
        }
        const f = sweepFigure(doc, ds, s);
        if ('skipped' in f) notes.push(f.skipped);
        else figures.push(f);
        break;
      }
      case 'popularity_groups': {
        const pg = ds.popularityGroups;
        if (!pg) break;
        const rows = pg.runs.flatMap((r) => r.perGroup.map((recall, group) => ({ run: r.run, group, recall })));
        figures.push({
          id: `${slug(ds.name)}-popularity-groups`,
          dataset: ds.name,
          kind: 'popularity_groups',
          title: `Recall@${pg.k} by popularity group`,
          caption: `Items in ${pg.groups} groups of equal training-interaction mass (0 = least popular); each bar is the group's part of Recall@${pg.k} (SSM eq. 29), the parts of a run add up to its Recall@${pg.k}.`,
          spec: groupRecallPlot(rows, { K: pg.k, runs, title: `${ds.name}: Recall@${pg.k} by popularity group` }),
        });
        break;
      }
      case 'item_clusters': {
        const ic = ds.itemClusters;
        if (!ic) break;
        figures.push({
          id: `${slug(ds.name)}-type-shares`,
          dataset: ds.name,
          kind: 'item_clusters',
          title: 'Majority and minority types in the top-K lists',
          caption: `Share of list slots holding items of each user's majority latent type and of the minority types (ranked by the user's training items), pooled over test users, for K = ${ic.cutoffs.join(', ')} (OneBP Fig. 8). Types: k-means (k = ${ic.k}) on each run's item embeddings.`,
          spec: typeSharePlot(
            ic.runs.map((r) => ({ run: r.run, shares: shareSeries(r) })),
            { title: `${ds.name}: majority/minority type shares` },
          ),
        });
        for (const r of ic.runs) {
          const mine = new Set(ic.user.trainingItems);
          const shown = ic.projectionSample?.items ?? r.labels.map((_, i) => i);
          const points: ScatterPoint[] = shown.map((item, row) => ({ x: r.coords[row]![0], y: r.coords[row]![1], type: r.labels[item]!, isUserItem: mine.has(item) }));
          const u = r.coords[shown.length];
          figures.push({
            id: `${slug(ds.name)}-items-${slug(r.run)}`,
            dataset: ds.name,
            kind: 'item_clusters',
            title: `Item embeddings of ${r.run} (${ic.projection === 'tsne' ? 't-SNE' : 'PCA'})`,
            caption: `${r.trial}: items coloured by latent type (k-means, k = ${ic.k}); user ${ic.user.label ?? ic.user.id} as a cross and their ${ic.user.trainingItems.length} training items as squares (OneBP Fig. 5).${ic.projectionSample ? ` ${ic.projectionSample.rule}.` : ''}`,
            spec: itemScatter(points, u ? { x: u[0], y: u[1] } : null, { title: `${ds.name}: ${r.run} item embeddings by latent type` }),
          });
        }
        break;
      }
    }
  }
  return { figures, notes };
}
