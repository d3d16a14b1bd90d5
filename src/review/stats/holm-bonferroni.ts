/**
 * Holm-Bonferroni step-down adjusted p-values, as statsmodels
 * multipletests(p, method='holm')[1]: sort ascending, multiply the i-th smallest (0-based) by
 * m - i, take the running maximum (monotone), cap at 1, return in input order. Tied p-values get
 * the same adjusted value whatever order they are sorted in.
 *
 * NaN entries (a test that could not be computed) stay NaN and are left out of the family, so m
 * counts only the finite p-values, as R's p.adjust does; statsmodels has no such rule.
 */
export function holmBonferroni(pValues: readonly number[]): number[] {
  for (const p of pValues) {
    if (p < 0 || p > 1) throw new RangeError(`holmBonferroni: p-value ${p} is outside [0, 1]`);
  }
  const out = pValues.map(() => NaN);
  const idx = pValues.map((_, i) => i).filter((i) => !Number.isNaN(pValues[i]!));
  idx.sort((i, j) => pValues[i]! - pValues[j]! || i - j);
  const m = idx.length;
  let running = 0;
  for (let r = 0; r < m; r++) {
    const i = idx[r]!;
    running = Math.max(running, (m - r) * pValues[i]!);
    out[i] = Math.min(1, running);
  }
  return out;
}
