import type { ExperimentModel } from '../contract/model.js';
import type { ProtocolDescription } from './review-data.js';

/** Metric definitions as in DESIGN.md and src/runtime/evaluation/metrics.ts (n relevant test items, h hits in the top K). */
const FORMULAS: Record<string, string> = {
  precision: 'P@K = h / K',
  recall: 'R@K = h / n',
  f1: 'F1@K = 2h / (n + K) (harmonic mean of P@K and R@K)',
  ndcg: 'NDCG@K = DCG / IDCG, binary gains, DCG = sum over hit positions i (1-based) of 1 / log2(i + 1), IDCG over the first min(n, K) positions',
  hr: 'HR@K = 1 if h > 0 else 0',
  mrr: 'MRR@K = 1 / (position of the first hit), 0 without a hit',
  map: 'MAP@K = (1 / min(n, K)) * sum over hit positions i of P@i',
  recall_calibrated: 'Rc@K = h / min(n, K) (recall that reaches 1 for a perfect list; `recall` is h / n, as the OneBP and LightGCN codes report)',
  avg_pop: "Pop@K = mean over users of the mean number of training interactions of the items in the user's top-K list",
  coverage: "Cov@K = share of all items that appear in at least one user's top-K list (corpus-level: one value per trial, no significance test)",
  gini: "Gini@K = sum over j = 1..N of (2j - N - 1) x_(j) / (N sum x), x_i = number of top-K lists holding item i over all N items (0 if never recommended), sorted ascending; 0 = equal exposure (corpus-level: no significance test)",
};

export const PAPER_PROTOCOL_NOTE = 'PAPER PROTOCOL: best test value per metric over epochs';

/** How the model of a trial was selected on a dataset, in words. */
export function selectionText(model: ExperimentModel, dataset: string): string {
  const ds = model.datasets.find((d) => d.name === dataset)!;
  const trial = model.trials.find((t) => t.dataset === dataset);
  const es = trial?.config.training.early_stop;
  if (ds.protocol === 'paper')
    return (
      `${PAPER_PROTOCOL_NOTE} (the OneBP reference code's reporting: the test split is evaluated during training and each metric's best value over the evaluated epochs is reported, ` +
      `each possibly from a different epoch; no validation-based selection). The kept embeddings (used for significance tests and analyses) are those of the epoch with the best test ${es ? `${es.metric}@${es.k}` : 'ndcg@20'}`
    );
  if (!ds.hasValidation || !es) return 'no validation split: the last epoch is kept and evaluated on test';
  const patience = trial?.config.training.patience;
  return (
    `the epoch with the best validation ${es.metric}@${es.k} (evaluated every ${trial!.config.training.eval_every} epoch(s)` +
    `${patience ? `, training stops after ${patience} evaluations without improvement` : ''}) is kept and evaluated once on test`
  );
}

/** The evaluation protocol of an experiment written out (every review header carries it). */
export function describeProtocol(model: ExperimentModel): ProtocolDescription {
  const { tests, correction, alpha } = model.review.significance;
  const names = { paired_t: 'paired t-test', wilcoxon: 'Wilcoxon signed-rank test (zero differences dropped, exact for up to 50 pairs without zeros, else normal approximation)' };
  return {
    ranking: 'full ranking over all items (no sampled candidates)',
    masking: "a user's training items are excluded from the ranking, and when testing also the user's validation items",
    ties: 'equal scores are ordered by item id, lowest first',
    averaging: 'metrics are averaged over the users with at least one test item',
    metrics: model.evaluate.metrics.map((m) => ({ name: m, formula: FORMULAS[m] ?? m })),
    selection: model.datasets.map((d) => ({ dataset: d.name, protocol: d.protocol, text: selectionText(model, d.name) })),
    significance: tests.length
      ? `${tests.map((t) => names[t]).join(' and ')} on per-user test values (matched by user id, averaged over seeds) of each compared run against the baseline, two-sided, ` +
        `${correction === 'holm' ? 'Holm-Bonferroni corrected across the metrics of a comparison (per test), ' : 'no correction for multiple comparisons, '}alpha = ${alpha}`
      : 'none declared',
  };
}
