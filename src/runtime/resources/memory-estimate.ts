import { totalmem } from 'node:os';
import { UserError } from '../../core/errors.js';

/**
 * Memory estimates made before anything large is allocated, so that a configuration that cannot
 * fit is refused with the parameter to change instead of failing deep inside the kernels (an
 * internal error: WebAssembly memory is limited to 4 GiB) or in tfjs. The formulas are the
 * allocations the fused trainer and the ranker make; the host side counts the tables and
 * optimizer state that JavaScript keeps.
 */

/** wasm32: 65536 pages of 64 KiB, less room for the kernels' own data and stacks. */
export const KERNEL_MEMORY_LIMIT = 65536 * 65536 - (32 << 20);

/** The positives as a bitset (fused sampler) up to this size (mirrors fused-trainer). */
export const BITSET_MAX_BYTES = 64 << 20;

export interface TrainingShape {
  numUsers: number;
  numItems: number;
  numPairs: number;
  /** Positives in the training split (CSR indices). */
  nnz: number;
  dim: number;
  negatives: number;
  batch: number;
  threads: number;
  excludePositives: boolean;
  adam: boolean;
  targets: { user: boolean; item: boolean };
}

const strideOf = (dim: number): number => Math.ceil(dim / 4) * 4;

/** Bytes of kernel memory the fused trainer allocates for one trial. */
export function fusedTrainingBytes(s: TrainingShape, chunk = 16): number {
  const S = strideOf(s.dim);
  const rowU = s.numUsers * S * 4;
  const rowI = s.numItems * S * 4;
  const words = Math.ceil(s.numItems / 32);
  const bitsetBytes = s.excludePositives && s.numUsers * words * 4 <= BITSET_MAX_BYTES ? s.numUsers * words * 4 : 0;
  const n = s.negatives;
  const B = s.batch;
  // bucket lists: one per (chunk of the batch, thread)
  const lists = Math.ceil(B / chunk) * s.threads;
  const bucketBytes = lists * chunk * ((n + 1) * 16 + 8) + lists * 12;
  return (
    bitsetBytes +
    bucketBytes +
    (rowU + rowI) * (1 + (s.targets.user ? (s.adam ? 3 : 1) : 0)) +
    (s.targets.item ? rowI * (s.adam ? 3 : 1) : 0) +
    s.numPairs * 16 +
    (s.numUsers + 1 + s.nnz) * 4 +
    s.numUsers * 5 +
    s.numItems * 5 +
    B * (8 + n * 4 + 8 + (2 * n + 3) * 4 + (n + 1) * 24) +
    64 * 40
  );
}

/** Bytes JavaScript holds while training: initial, current (tfjs: plus optimizer slots) and best tables, pairs, checkpoint buffers. */
export function hostTrainingBytes(s: TrainingShape, engine: 'fused' | 'tfjs'): number {
  const table = (s.numUsers + s.numItems) * s.dim * 4;
  const slots = engine === 'tfjs' ? (s.adam ? 2 : 0) + 1 /* gradients */ : 0;
  return table * (3 + slots + 1) + s.numPairs * 8 * 3;
}

/** Bytes of kernel memory one full-ranking call takes (users in one call; the ranker's layout). */
export function rankingBytes(numUsers: number, numItems: number, nnzExcluded: number, dim: number, k: number, threads: number): number {
  const nip = Math.ceil(numItems / 8) * 8;
  const scratch = Math.ceil((4 * nip * 4 + 2 * k * 4 + 3 * 8 * 4) / 64) * 64;
  return numUsers * dim * 4 + dim * nip * 4 + (numUsers + 1) * 8 + nnzExcluded * 4 + numUsers * 4 + numUsers * k * 4 + threads * scratch + (1 << 20);
}

const gib = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;

/** The largest dim at which `bytes(dim)` fits `limit` (at least 1 when anything fits). */
function largestDim(bytes: (dim: number) => number, limit: number, maxDim: number): number {
  let lo = 0;
  let hi = maxDim;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bytes(mid) <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Refuses a training configuration whose kernel or host memory cannot fit, naming what to change. */
export function checkTrainingFits(s: TrainingShape, engine: 'fused' | 'tfjs', hostLimit = totalmem()): void {
  const what = `${s.numUsers} users and ${s.numItems} items at dim ${s.dim}${s.adam ? ' with Adam state' : ''}`;
  if (engine === 'fused') {
    const need = fusedTrainingBytes(s);
    if (need > KERNEL_MEMORY_LIMIT) {
      const dim = largestDim((d) => fusedTrainingBytes({ ...s, dim: d }), KERNEL_MEMORY_LIMIT, s.dim);
      throw new UserError(`training needs about ${gib(need)} of kernel memory for ${what}, more than the 4 GiB WebAssembly allows`, {
        hint: dim > 0 ? `lower encoder.dim to at most ${dim}` : 'lower encoder.dim and training.batch, or use fewer users and items',
      });
    }
  }
  const host = hostTrainingBytes(s, engine) + (engine === 'fused' ? fusedTrainingBytes(s) : 0);
  if (host > hostLimit) {
    const dim = largestDim((d) => hostTrainingBytes({ ...s, dim: d }, engine) + (engine === 'fused' ? fusedTrainingBytes({ ...s, dim: d }) : 0), hostLimit, s.dim);
    throw new UserError(`training needs about ${gib(host)} of memory for ${what}; this machine has ${gib(hostLimit)}`, {
      hint: dim > 0 ? `lower encoder.dim to at most ${dim}` : 'use fewer users and items',
    });
  }
}

/** Refuses an evaluation whose ranking call cannot fit in kernel memory. */
export function checkRankingFits(numUsers: number, numItems: number, nnzExcluded: number, dim: number, k: number, threads: number): void {
  const need = rankingBytes(numUsers, numItems, nnzExcluded, dim, k, threads);
  if (need <= KERNEL_MEMORY_LIMIT) return;
  const dimFit = largestDim((d) => rankingBytes(numUsers, numItems, nnzExcluded, d, k, threads), KERNEL_MEMORY_LIMIT, dim);
  throw new UserError(`full-ranking evaluation needs about ${gib(need)} of kernel memory (${numUsers} users x ${numItems} items at dim ${dim}, top ${k}), more than the 4 GiB WebAssembly allows`, {
    hint: dimFit > 0 ? `lower encoder.dim to at most ${dimFit}, or the largest cutoff` : 'evaluate fewer users, or lower the largest cutoff',
  });
}

/** Interactions a synthetic dataset may generate: pairs, ids and the split fit in memory many times over. */
export const MAX_SYNTHETIC_INTERACTIONS = 50_000_000;
