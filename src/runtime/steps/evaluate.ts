import { paramsOf } from '../../contract/steps.js';
import type { Json } from '../../core/json.js';
import { jsonFile, npyFile } from '../cache/artifact-store.js';
import type { UserItems } from '../../core/user-items.js';
import { catalogueOf, computeMetrics } from '../evaluation/metrics.js';
import { evaluatedColumns } from '../../contract/evaluate-schema.js';
import { isBeyondAccuracyColumn } from '../../contract/training-schema.js';
import { checkRankingFits } from '../resources/memory-estimate.js';
import type { Step } from '../executor/step.js';
import { type Curves, decodeModel, decodeSplit, decodeTables } from './artifact-codecs.js';

/**
 * Full-ranking evaluation of the kept embeddings on the test split: every item is ranked except
 * the user's training (and validation) items; ties by item id. Per-user values are kept for
 * significance tests. Under the paper protocol it also reports, per metric, the best test value
 * over the evaluated epochs (what the OneBP reference code reports), labelled as such.
 */
export const evaluateStep: Step = {
  async run({ node, inputs, services }) {
    const p = paramsOf({ kind: 'evaluate', params: node.params });
    const trainArtifact = inputs.get(node.inputs[0]!)!;
    const split = decodeSplit(inputs.get(node.inputs[1]!)!);
    const tables = decodeTables(trainArtifact);
    const similarity = decodeModel(trainArtifact).scorer;
    const users = split.test.activeUsers();
    const exclude: UserItems[] = split.valid ? [split.train, split.valid] : [split.train];
    const k = Math.max(...p.cutoffs);
    if (!(await services.backend()).gpu) checkRankingFits(users.length, split.numItems, exclude.reduce((a, e) => a + e.nnz, 0), tables.dim, k, services.options.threads);
    const ranker = await services.ranker();
    const t0 = performance.now();
    const topK = await ranker.topK({ tables, users, exclude, k, similarity });
    const all = computeMetrics(topK, k, users, split.test, p.metrics, p.cutoffs, catalogueOf(split.train));
    const seconds = (performance.now() - t0) / 1000;
    // The grid of the named metrics and cutoffs, narrowed to the pairs written (`recall@20, ndcg@10`).
    const wanted = new Set(evaluatedColumns(p));
    const result = {
      users: all.users,
      perUser: Object.fromEntries(Object.entries(all.perUser).filter(([c]) => wanted.has(c))),
      mean: Object.fromEntries(Object.entries(all.mean).filter(([c]) => wanted.has(c))),
      corpus: all.corpus.filter((c) => wanted.has(c)),
    };
    // per_user.npy holds the per-user metrics; corpus-level ones (coverage, gini) are in `mean` only
    const columns = Object.keys(result.perUser);
    const perUser = new Float64Array(result.users.length * columns.length);
    columns.forEach((c, j) => {
      const v = result.perUser[c]!;
      for (let i = 0; i < v.length; i++) perUser[i * columns.length + j] = v[i]!;
    });
    const meta: Record<string, Json> = {
      protocol: p.protocol,
      columns,
      mean: result.mean,
      ...(result.corpus.length ? { corpus: result.corpus } : {}),
      users: result.users.length,
      keptEpoch: (trainArtifact.meta['keptEpoch'] as number) ?? null,
      selection: (trainArtifact.meta['selection'] as string) ?? null,
      seconds,
      ranker: ranker.name,
    };
    if (p.protocol === 'paper') meta['paperBest'] = bestOverEpochs(trainArtifact.json<Curves>('curves.json'), columns.filter((c) => !isBeyondAccuracyColumn(c)));
    return {
      files: {
        'per_user.npy': npyFile(perUser, [result.users.length, columns.length]),
        'users.npy': npyFile(result.users),
        'top_k.npy': npyFile(topK, [users.length, k]),
        'metrics.json': jsonFile({ mean: result.mean, columns, ...(result.corpus.length ? { corpus: result.corpus } : {}) }),
      },
      meta,
    };
  },
  summarize: ({ meta }) => {
    const mean = meta['mean'] as Record<string, number>;
    const show = ['precision@5', 'recall@20', 'ndcg@20'].filter((c) => c in mean);
    const cols = show.length ? show : Object.keys(mean).slice(0, 3);
    return cols.map((c) => `${c} ${mean[c]!.toFixed(4)}`).join(', ');
  },
};

/**
 * Per accuracy metric, the best test value over evaluated epochs and the epoch it came from.
 * Beyond-accuracy metrics have no "best" direction: the paper protocol reports them from the kept epoch.
 */
function bestOverEpochs(curves: Curves, columns: string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const c of columns) {
    let best: { value: number; epoch: number } | null = null;
    for (const e of curves.epochs) {
      const v = e.metrics?.[c];
      if (v !== undefined && (best === null || v > best.value)) best = { value: v, epoch: e.epoch };
    }
    if (best) out[c] = best;
  }
  return out;
}
