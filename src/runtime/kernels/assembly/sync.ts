import { S_BARRIER_COUNT, S_BARRIER_GEN } from './layout';

/**
 * Spins before sleeping in atomic.wait, adapted per thread: a spin that sees the barrier open
 * doubles the budget (a quiet machine: the others arrive within microseconds, and a sleep would
 * add a wake-up to every barrier), a spin that runs out shrinks it by an eighth (a busy machine:
 * the others are descheduled, and spinning only takes their CPU; one late arrival barely
 * matters). An iteration takes a few cycles, so a full budget is about a millisecond.
 */
const SPIN_MIN: i32 = 256;
const SPIN_MAX: i32 = 1 << 20;
let spinBudget: i32 = 1 << 16;

/**
 * A generation barrier for `nthreads` threads on the block at `sync`. The last to arrive resets
 * the count and bumps the generation; the others spin, then wait on the generation word.
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
  for (let i = 0; i < spinBudget; i++) {
    if (atomic.load<i32>(sync + S_BARRIER_GEN) != gen) {
      if (spinBudget < SPIN_MAX) spinBudget <<= 1;
      return;
    }
  }
  spinBudget = max(SPIN_MIN, spinBudget - (spinBudget >> 3));
  while (atomic.load<i32>(sync + S_BARRIER_GEN) == gen) {
    atomic.wait<i32>(sync + S_BARRIER_GEN, gen, -1);
  }
}
