/** Summary statistics over plain number arrays or typed arrays (NaN for empty input). */

export type Numbers = ArrayLike<number>;

export function mean(values: Numbers): number {
  const n = values.length;
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i]!;
  return s / n;
}

/** Variance with `ddof` delta degrees of freedom (two-pass: mean first, then squared deviations). */
export function variance(values: Numbers, ddof = 1): number {
  const n = values.length;
  if (n - ddof <= 0) return NaN;
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - m;
    s += d * d;
  }
  return s / (n - ddof);
}

/** Sample standard deviation (ddof = 1), as numpy.std(x, ddof=1). */
export function sampleStd(values: Numbers): number {
  return Math.sqrt(variance(values, 1));
}

/** Median with the mean of the two middle values for even n. */
export function median(values: Numbers): number {
  const n = values.length;
  if (n === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const h = n >> 1;
  return n % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

export interface Description {
  n: number;
  mean: number;
  /** sample standard deviation, ddof = 1 (NaN for n < 2) */
  std: number;
  /** standard error of the mean, std / sqrt(n) */
  sem: number;
  min: number;
  median: number;
  max: number;
}

export function describe(values: Numbers): Description {
  const n = values.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const std = sampleStd(values);
  return {
    n,
    mean: mean(values),
    std,
    sem: std / Math.sqrt(n),
    min: n === 0 ? NaN : min,
    median: median(values),
    max: n === 0 ? NaN : max,
  };
}
