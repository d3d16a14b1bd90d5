import type { SignificanceTest } from '../contract/model.js';
import { isCorpusColumn } from '../contract/training-schema.js';
import { holmBonferroni } from './stats/holm-bonferroni.js';
import { pairedTTest } from './stats/paired-t-test.js';
import { wilcoxonSignedRank } from './stats/wilcoxon-signed-rank.js';
import { finite, type Comparison, type MeanStd, type MetricComparison, type TestOutcome } from './review-data.js';

/** Per-user test values of one trial: users ascending, rows of `perUser`. */
export interface PerUserValues {
  users: Int32Array;
  columns: string[];
  /** users x columns, row-major. */
  perUser: Float64Array;
}

/** Mean and sample standard deviation (null with fewer than two values) of the non-null values. */
export function meanStd(values: readonly (number | null)[]): MeanStd {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return { mean: null, std: null, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  if (v.length < 2) return { mean, std: null, n: 1 };
  const ss = v.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, std: Math.sqrt(ss / (v.length - 1)), n: v.length };
}

/** One column of several seeds' per-user values, averaged per user id over the seeds that have the user. */
export function averagedByUser(trials: readonly PerUserValues[], column: string): Map<number, number> {
  const sum = new Map<number, number>();
  const count = new Map<number, number>();
  for (const t of trials) {
    const j = t.columns.indexOf(column);
    if (j < 0) continue;
    const w = t.columns.length;
    for (let i = 0; i < t.users.length; i++) {
      const u = t.users[i]!;
      sum.set(u, (sum.get(u) ?? 0) + t.perUser[i * w + j]!);
      count.set(u, (count.get(u) ?? 0) + 1);
    }
  }
  const out = new Map<number, number>();
  for (const [u, s] of sum) out.set(u, s / count.get(u)!);
  return out;
}

/** The two samples of a paired test: values of the users present in both, in user id order. */
export function pairByUser(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): { a: Float64Array; b: Float64Array; users: number[] } {
  const users = [...a.keys()].filter((u) => b.has(u)).sort((x, y) => x - y);
  return { a: Float64Array.from(users, (u) => a.get(u)!), b: Float64Array.from(users, (u) => b.get(u)!), users };
}

export interface CompareOptions {
  tests: readonly SignificanceTest[];
  correction: 'holm' | 'none';
  alpha: number;
}

/**
 * A compared run against the baseline on one dataset: per column the reported values and their
 * difference (absolute and in % of the baseline), and each declared test on the per-user values
 * (matched by user id, each run's seeds averaged per user). Holm-Bonferroni runs over the columns
 * of this comparison, separately for each test.
 */
export function compareRuns(
  run: string,
  baseline: string,
  reported: { run: Record<string, MeanStd>; baseline: Record<string, MeanStd> },
  perUser: { run: readonly PerUserValues[]; baseline: readonly PerUserValues[] },
  columns: readonly string[],
  o: CompareOptions,
): Comparison {
  const metrics: Record<string, MetricComparison> = {};
  const raw: Record<string, { statistic: number; pValue: number }[]> = {};
  let users = 0;
  // Corpus-level metrics (coverage, gini) are one number per trial: no per-user pairs, so no test
  // (and they do not count in the Holm-Bonferroni family).
  const tested = columns.filter((c) => !isCorpusColumn(c));
  for (const c of columns) {
    const value = reported.run[c]?.mean ?? null;
    const base = reported.baseline[c]?.mean ?? null;
    const delta = value !== null && base !== null ? value - base : null;
    metrics[c] = { baseline: base, value, delta, deltaPct: delta !== null && base !== null && base !== 0 ? (100 * delta) / base : null, tests: {}, ...(isCorpusColumn(c) ? { corpusLevel: true } : {}) };
    if (isCorpusColumn(c)) continue;
    const pair = pairByUser(averagedByUser(perUser.run, c), averagedByUser(perUser.baseline, c));
    users = Math.max(users, pair.users.length);
    for (const t of o.tests) {
      const r = t === 'paired_t' ? pairedTTest(pair.a, pair.b) : wilcoxonSignedRank(pair.a, pair.b);
      (raw[t] ??= []).push({ statistic: r.statistic, pValue: r.pValue });
    }
  }
  for (const t of o.tests) {
    const results = raw[t] ?? [];
    const ps = results.map((r) => r.pValue);
    const adjusted = o.correction === 'holm' ? holmBonferroni(ps) : ps;
    tested.forEach((c, i) => {
      const pAdjusted = finite(adjusted[i]);
      const outcome: TestOutcome = { statistic: finite(results[i]!.statistic), pValue: finite(ps[i]), pAdjusted, significant: pAdjusted !== null && pAdjusted < o.alpha };
      metrics[c]!.tests[t] = outcome;
    });
  }
  return { run, baseline, users, metrics };
}
