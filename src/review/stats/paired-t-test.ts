import { mean, variance, type Numbers } from './describe.js';
import { studentTTwoSidedP } from './distributions.js';

export interface PairedTTestResult {
  /** t = mean(d) / (sd(d) / sqrt(n)), d = a - b */
  statistic: number;
  /** n - 1 */
  df: number;
  /** two-sided */
  pValue: number;
  /** mean(a - b) */
  meanDiff: number;
}

/**
 * Two-sided paired t-test, as scipy.stats.ttest_rel(a, b) (scipy 1.10.1, which
 * test/fixtures/stats/reference.json pins). Degenerate input follows scipy: when every difference
 * is equal, sd(d) = 0 and t = mean(d) / 0, i.e. +-Infinity with p = 0 for a non-zero constant
 * shift and NaN with p = NaN when all differences are zero (a and b identical); n < 2 gives NaN.
 */
export function pairedTTest(a: Numbers, b: Numbers): PairedTTestResult {
  if (a.length !== b.length) throw new RangeError(`pairedTTest: samples differ in length (${a.length} vs ${b.length})`);
  const n = a.length;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = a[i]! - b[i]!;
  const meanDiff = mean(d);
  const df = n - 1;
  const denom = Math.sqrt(variance(d, 1) / n);
  const statistic = meanDiff / denom;
  return { statistic, df, pValue: studentTTwoSidedP(statistic, df), meanDiff };
}
