import type { Numbers } from './describe.js';
import { normalTwoSidedP } from './distributions.js';

export interface WilcoxonResult {
  /** min(W+, W-): the smaller of the rank sums of positive and negative differences */
  statistic: number;
  /** two-sided */
  pValue: number;
  method: 'exact' | 'normal';
  /** pairs with a non-zero difference (the ones ranked) */
  n: number;
}

export interface WilcoxonOptions {
  /** 'auto' (default) applies scipy 1.10.1's rule below; 'exact' still falls back to 'normal' when there are zeros, as scipy does. */
  method?: 'auto' | 'exact' | 'normal';
}

/**
 * Two-sided Wilcoxon signed-rank test on d = a - b, matching scipy.stats.wilcoxon(a, b) with its
 * defaults in scipy 1.10.1 (Debian bookworm's python3-scipy; test/fixtures/stats/reference.json
 * pins that version): zero_method='wilcox' (zero differences dropped before ranking),
 * correction=False, alternative='two-sided', mode='auto'.
 *
 * scipy 1.10.1's 'auto' rule: exact if the number of pairs (zeros included) is <= 50 and no
 * difference is zero; normal approximation otherwise. Ties without zeros still take the exact
 * branch, where scipy truncates the (half-integer) W+ to an integer: we do the same. Exact
 * two-sided p: 1 when W+ is the centre floor(n(n+1)/4), else 2 min(P(W <= W+), P(W >= W+)),
 * capped at 1. Normal: z = (T - n(n+1)/4) / sigma with
 * sigma^2 = (n(n+1)(2n+1) - sum_ties t(t^2 - 1) / 2) / 24, no continuity correction.
 * (scipy >= 1.13 changed 'auto': ties or zeros with n <= 13 use a permutation test there.)
 *
 * All differences zero: scipy 1.10.1 raises ValueError; we return statistic 0, n 0, p NaN.
 */
export function wilcoxonSignedRank(a: Numbers, b: Numbers, options: WilcoxonOptions = {}): WilcoxonResult {
  if (a.length !== b.length) throw new RangeError(`wilcoxonSignedRank: samples differ in length (${a.length} vs ${b.length})`);
  const total = a.length;
  const d: number[] = [];
  for (let i = 0; i < total; i++) {
    const v = a[i]! - b[i]!;
    if (Number.isNaN(v)) throw new RangeError(`wilcoxonSignedRank: NaN difference at index ${i}`);
    if (v !== 0) d.push(v);
  }
  const hasZeros = d.length < total;
  const requested = options.method ?? 'auto';
  let method: 'exact' | 'normal' =
    requested === 'normal' ? 'normal' : requested === 'exact' || total <= 50 ? 'exact' : 'normal';
  if (hasZeros) method = 'normal';
  const n = d.length;
  if (n === 0) return { statistic: 0, pValue: NaN, method, n };

  // average ranks of |d|, and the tie term sum t(t^2 - 1) over groups of equal |d|
  const order = d.map((_, i) => i).sort((i, j) => Math.abs(d[i]!) - Math.abs(d[j]!));
  const ranks = new Float64Array(n);
  let tieTerm = 0;
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && Math.abs(d[order[e]!]!) === Math.abs(d[order[s]!]!)) e++;
    const avg = (s + 1 + e) / 2; // mean of ranks s+1 .. e
    for (let k = s; k < e; k++) ranks[order[k]!] = avg;
    const t = e - s;
    tieTerm += t * (t * t - 1);
    s = e;
  }
  let rPlus = 0;
  let rMinus = 0;
  for (let i = 0; i < n; i++) {
    if (d[i]! > 0) rPlus += ranks[i]!;
    else rMinus += ranks[i]!;
  }
  const statistic = Math.min(rPlus, rMinus);

  if (method === 'exact') return { statistic, pValue: exactTwoSided(n, Math.trunc(rPlus)), method, n };
  const mn = (n * (n + 1)) / 4;
  const se = Math.sqrt((n * (n + 1) * (2 * n + 1) - tieTerm / 2) / 24);
  return { statistic, pValue: normalTwoSidedP((statistic - mn) / se), method, n };
}

/**
 * The null distribution of W+ for n untied non-zero differences, built as scipy does: each rank k
 * joins the positive set with probability 1/2. Entries are multiples of 2^-n, exact in float64
 * up to n = 52.
 */
export function wilcoxonNullPmf(n: number): Float64Array {
  let c = new Float64Array([1]);
  for (let k = 1; k <= n; k++) {
    const next = new Float64Array((k * (k + 1)) / 2 + 1);
    for (let j = 0; j < c.length; j++) {
      next[j]! += c[j]! * 0.5;
      next[j + k]! += c[j]! * 0.5;
    }
    c = next;
  }
  return c;
}

function exactTwoSided(n: number, rPlus: number): number {
  const pmf = wilcoxonNullPmf(n);
  const last = pmf.length - 1;
  if (rPlus === Math.floor(last / 2)) return 1;
  let less = 0;
  for (let j = 0; j <= rPlus; j++) less += pmf[j]!;
  let greater = 0;
  for (let j = rPlus; j <= last; j++) greater += pmf[j]!;
  return Math.min(1, 2 * Math.min(less, greater));
}
