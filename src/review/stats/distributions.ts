import { erfc, incompleteBetaFromLogs } from './special-functions.js';

/**
 * Two-sided tail probability of Student's t with `df` degrees of freedom: P(|T| >= |t|) =
 * I_x(df/2, 1/2) with x = df / (df + t^2). x and 1 - x are formed from t directly (not by
 * subtraction), so tiny p-values keep full relative accuracy down to underflow (~1e-308).
 */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  const t2 = t * t;
  if (t2 === 0) return 1;
  if (!Number.isFinite(t2)) return 0;
  const s = df + t2;
  const lnS = Math.log(s);
  return incompleteBetaFromLogs(df / 2, 0.5, df / s, t2 / s, Math.log(df) - lnS, Math.log(t2) - lnS);
}

/** P(T >= t) for Student's t (one-sided upper tail). */
export function studentTSf(t: number, df: number): number {
  const p = studentTTwoSidedP(t, df) / 2;
  return t >= 0 ? p : 1 - p;
}

/** Standard normal upper tail P(Z >= z) = erfc(z / sqrt 2) / 2. */
export function normalSf(z: number): number {
  return erfc(z / Math.SQRT2) / 2;
}

/** Two-sided standard normal tail P(|Z| >= |z|) = erfc(|z| / sqrt 2). */
export function normalTwoSidedP(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}
