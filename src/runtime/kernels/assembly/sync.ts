import { S_BARRIER_COUNT, S_BARRIER_GEN } from './layout';

/** Spins this many times before sleeping in atomic.wait: barriers are usually met within microseconds. */
const SPIN: i32 = 4000;

/**
 * A generation barrier for `nthreads` threads on the block at `sync`. The last to arrive resets
 * the count and bumps the generation; the others spin briefly, then wait on the generation word.
 */
export function barrier(sync: usize, nthreads: i32): void {
  if (nthreads <= 1) return;
  const gen = atomic.load<i32>(sync + S_BARRIER_GEN);
  if (atomic.add<i32>(sync + S_BARRIER_COUNT, 1) == nthreads - 1) {
    atomic.store<i32>(sync + S_BARRIER_COUNT, 0);
    atomic.add<i32>(sync + S_BARRIER_GEN, 1);
    atomic.notify(sync + S_BARRIER_GEN, nthreads);
    return;
  }
  for (let i = 0; i < SPIN; i++) {
    if (atomic.load<i32>(sync + S_BARRIER_GEN) != gen) return;
  }
  while (atomic.load<i32>(sync + S_BARRIER_GEN) == gen) {
    atomic.wait<i32>(sync + S_BARRIER_GEN, gen, -1);
  }
}
