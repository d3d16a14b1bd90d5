// f32x4 row primitives. Rows are `s` floats with s a multiple of 4 (padding lanes are zero).

@inline
export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** a . b */
export function dot(a: usize, b: usize, s: i32): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  const bytes = <usize>s << 2;
  let o: usize = 0;
  for (; o + 32 <= bytes; o += 32) {
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
  }
  if (o < bytes) acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  return hsum(f32x4.add(acc0, acc1));
}

/** out = c * a */
export function scaleTo(out: usize, a: usize, c: f32, s: i32): void {
  const cv = f32x4.splat(c);
  const bytes = <usize>s << 2;
  for (let o: usize = 0; o < bytes; o += 16) v128.store(out + o, f32x4.mul(cv, v128.load(a + o)));
}

/** out += c * a */
export function axpy(out: usize, a: usize, c: f32, s: i32): void {
  const cv = f32x4.splat(c);
  const bytes = <usize>s << 2;
  for (let o: usize = 0; o < bytes; o += 16) v128.store(out + o, f32x4.add(v128.load(out + o), f32x4.mul(cv, v128.load(a + o))));
}

/** out = ca * a + cb * b */
export function lincombTo(out: usize, a: usize, ca: f32, b: usize, cb: f32, s: i32): void {
  const av = f32x4.splat(ca);
  const bv = f32x4.splat(cb);
  const bytes = <usize>s << 2;
  for (let o: usize = 0; o < bytes; o += 16) v128.store(out + o, f32x4.add(f32x4.mul(av, v128.load(a + o)), f32x4.mul(bv, v128.load(b + o))));
}
