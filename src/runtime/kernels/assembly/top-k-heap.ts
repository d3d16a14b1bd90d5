// The bounded top-K heap both rankers keep per user: the worst kept entry at the root, order
// "worse" = lower score, or an equal score and a higher item id (ties go to the lower id).
// Entries are (f32 score, i32 item) in two arrays at hs and hi.

@inline
export function worse(sa: f32, ia: i32, sb: f32, ib: i32): bool {
  return sa < sb || (sa == sb && ia > ib);
}

export function heapPush(hs: usize, hi: usize, n: i32, score: f32, item: i32): void {
  let i = n;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const ps = load<f32>(hs + (<usize>p << 2));
    const pi = load<i32>(hi + (<usize>p << 2));
    if (!worse(score, item, ps, pi)) break;
    store<f32>(hs + (<usize>i << 2), ps);
    store<i32>(hi + (<usize>i << 2), pi);
    i = p;
  }
  store<f32>(hs + (<usize>i << 2), score);
  store<i32>(hi + (<usize>i << 2), item);
}

/** Puts (score, item) at the root and sifts it down among the first n entries. */
export function heapSiftRoot(hs: usize, hi: usize, n: i32, score: f32, item: i32): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    let c = l;
    let cs = load<f32>(hs + (<usize>l << 2));
    let ci = load<i32>(hi + (<usize>l << 2));
    if (r < n) {
      const rs = load<f32>(hs + (<usize>r << 2));
      const ri = load<i32>(hi + (<usize>r << 2));
      if (worse(rs, ri, cs, ci)) {
        c = r;
        cs = rs;
        ci = ri;
      }
    }
    if (!worse(cs, ci, score, item)) break;
    store<f32>(hs + (<usize>i << 2), cs);
    store<i32>(hi + (<usize>i << 2), ci);
    i = c;
  }
  store<f32>(hs + (<usize>i << 2), score);
  store<i32>(hi + (<usize>i << 2), item);
}
