/**
 * Optimal-string-alignment (Damerau-Levenshtein) distance: insertions, deletions, substitutions
 * and transpositions of adjacent characters each cost 1 (`datset` -> `dataset` is 1).
 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++)
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[m]![n]!;
}

/**
 * The closest candidate for a mistyped name, if it is close enough to be a plausible typo:
 * distance at most 2, and at most a third of the longer word (so `lr` does not suggest `k`).
 * Ties go to the earlier candidate. Case differences cost nothing extra beyond their edits.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    if (c === word) continue;
    const dist = editDistance(w, c.toLowerCase());
    const limit = Math.min(2, Math.max(1, Math.floor(Math.max(word.length, c.length) / 3)));
    if (dist <= limit && dist < bestD) {
      best = c;
      bestD = dist;
    }
  }
  return best;
}
