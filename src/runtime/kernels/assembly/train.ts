// The MF training epoch (trainRun): the orchestration of its seams, each in a file of its own:
// train-sampling.ts (order, candidates), train-scores.ts, train-loss.ts, train-gradients.ts
// (coefficients, routing to row owners, accumulation), train-optimizer.ts, train-aggregation.ts
// (onebp / user_only); train-context.ts holds the context they all read (TrainCtx).
import {
  BACKPROP_BOTH, CHUNK, F_LAST_LOSS, F_LOSS_SUM, MODE_EPOCH, P_SYNC, S_TICKET0, S_TICKET1,
  T_BATCHES_DONE, T_DROP_LAST, T_EPOCH, T_EXPLICIT_SIZE, T_NUM_PAIRS, T_SHUFFLE, T_STEP,
} from './layout';
import { barrier } from './sync';
import { aggregate, postMove } from './train-aggregation';
import { gBackprop, gBatch, gMode, gN, gRowBytes, loadCtx, pCoef, pCounts, pUser } from './train-context';
import { accumulate, coefficients, postGradientWork } from './train-gradients';
import { sampleLoss, batchLoss } from './train-loss';
import { optimize } from './train-optimizer';
import { drawSample, fillOrder, touchAhead } from './train-sampling';
import { scoreSample, uClamped } from './train-scores';

/**
 * The forward pass of one sample and its gradient coefficients: scores, loss, d(batch mean
 * loss)/d(score), and (a_j, c_j, e) such that d/d item row j = a_j u + c_j v_j and
 * d/d user row = sum_j a_j v_j + e u. Written to the sample's own slots, so samples can be
 * computed by any thread in any order; the rows themselves are accumulated by their owners.
 */
function sample(b: i32, position: i32, size: i32): void {
  const m = gN + 1;
  const u = drawSample(b, position);
  const urow = pUser + <usize>u * gRowBytes;
  const scores = pCoef + (<usize>(b * m * 3) << 3);
  const norms = scores + (<usize>m << 3);
  const dS = norms + (<usize>m << 3);
  const nu = scoreSample(b, urow, m, scores, norms);
  sampleLoss(b, size, m, scores, dS);
  const co = coefficients(b, m, nu, uClamped, scores, norms, dS);
  postGradientWork(b, u, m, co);
  if (gBackprop != BACKPROP_BOTH) postMove(b, u);
}

/**
 * Trains a whole epoch (mode epoch: order, batches and negatives computed here) or one explicit
 * batch (mode batch), on `nthreads` threads that all call this with their own tid. Per batch:
 * forward pass and gradient coefficients per sample (claimed dynamically), barrier, gradient
 * accumulation per owned row range, (barrier, under both), the optimiser step on the owned rows,
 * barrier, then the moving aggregation on the owned rows and a barrier.
 * Every row is computed by one thread in batch order, so the result does not depend on
 * nthreads; the loss is summed by thread 0 in batch order.
 */
export function trainRun(tid: i32, nthreads: i32, ctx: usize): void {
  loadCtx(ctx, nthreads);
  const sync = <usize>load<u32>(ctx + P_SYNC);
  const step0 = load<i32>(ctx + T_STEP);
  const numPairs = load<i32>(ctx + T_NUM_PAIRS);
  if (tid == 0) {
    if (gMode == MODE_EPOCH) fillOrder(numPairs, load<i32>(ctx + T_SHUFFLE) != 0, load<u32>(ctx + T_EPOCH));
    atomic.store<i32>(sync + S_TICKET0, 0);
    atomic.store<i32>(sync + S_TICKET1, 0);
  }
  barrier(sync, nthreads);
  const B = gBatch;
  let nb = 1;
  if (gMode == MODE_EPOCH) nb = load<i32>(ctx + T_DROP_LAST) != 0 ? numPairs / B : (numPairs + B - 1) / B;
  let lossSum: f64 = 0;
  let lastLoss: f64 = 0;
  for (let bi = 0; bi < nb; bi++) {
    const start = bi * B;
    const size = gMode == MODE_EPOCH ? min(B, numPairs - start) : load<i32>(ctx + T_EXPLICIT_SIZE);
    const t = step0 + bi + 1;
    const ticket = sync + ((bi & 1) != 0 ? S_TICKET1 : S_TICKET0);
    for (;;) {
      const b0 = atomic.add<i32>(ticket, 1) * CHUNK;
      if (b0 >= size) break;
      const b1 = min(b0 + CHUNK, size);
      // this thread fills all of the chunk's lists
      memory.fill(pCounts + (<usize>((b0 / CHUNK) * nthreads * 3) << 2), 0, <usize>(nthreads * 3) << 2);
      for (let b = b0; b < b1; b++) {
        if (gMode == MODE_EPOCH && b + 1 < b1) touchAhead(start + b + 1);
        sample(b, start + b, size);
      }
    }
    barrier(sync, nthreads);
    if (tid == 0) {
      // the other ticket is next used after two more barriers
      atomic.store<i32>(sync + ((bi & 1) != 0 ? S_TICKET0 : S_TICKET1), 0);
      lastLoss = batchLoss(size);
      lossSum += lastLoss;
    }
    accumulate(tid, size);
    // Under both, item gradients read user rows that other threads' optimiser steps change (and
    // vice versa). Under onebp / user_only, accumulation reads only rows no step changes or the
    // thread's own rows, so each thread steps its rows right away.
    if (gBackprop == BACKPROP_BOTH) barrier(sync, nthreads);
    optimize(tid, nthreads, t);
    barrier(sync, nthreads);
    if (gBackprop != BACKPROP_BOTH) {
      aggregate(tid, size, t);
      barrier(sync, nthreads);
    }
  }
  if (tid == 0) {
    store<i32>(ctx + T_STEP, step0 + nb);
    store<i32>(ctx + T_BATCHES_DONE, nb);
    store<f64>(ctx + F_LOSS_SUM, lossSum);
    store<f64>(ctx + F_LAST_LOSS, lastLoss);
  }
}
