// Loss seam: a sample's loss from its scores and d(batch mean loss)/d(score_j); the batch's mean.
import { fTemp, gBpr, gN, pSLoss } from './train-context';

/**
 * The loss of sample b from its m = negatives + 1 scores into its pSLoss slot, and
 * d(mean loss over a batch of `size`)/d(score_j) into `dS`.
 */
@inline
export function sampleLoss(b: i32, size: i32, m: i32, scores: usize, dS: usize): void {
  const n = gN;
  const invB = 1.0 / <f64>size;
  let loss: f64 = 0;
  if (!gBpr) {
    // infonce: logsumexp_j(s_j / t) - s_0 / t; d/ds_j = (softmax_j - [j = 0]) / t
    const invT = 1.0 / fTemp;
    let mx = -Infinity;
    for (let j = 0; j < m; j++) mx = Math.max(mx, load<f64>(scores + (<usize>j << 3)) * invT);
    let sum: f64 = 0;
    for (let j = 0; j < m; j++) {
      const e = Math.exp(load<f64>(scores + (<usize>j << 3)) * invT - mx);
      store<f64>(dS + (<usize>j << 3), e);
      sum += e;
    }
    loss = mx + Math.log(sum) - load<f64>(scores) * invT;
    const c = invT * invB;
    for (let j = 0; j < m; j++) {
      let p = load<f64>(dS + (<usize>j << 3)) / sum;
      if (j == 0) p -= 1;
      store<f64>(dS + (<usize>j << 3), p * c);
    }
  } else {
    // bpr: (1/n) sum_k softplus(s_k - s_0); d/ds_k = sigmoid(s_k - s_0) / n, d/ds_0 = -sum of those
    const s0 = load<f64>(scores);
    const invN = 1.0 / <f64>n;
    let g0: f64 = 0;
    for (let j = 1; j < m; j++) {
      const x = load<f64>(scores + (<usize>j << 3)) - s0;
      const e = Math.exp(-Math.abs(x));
      loss += Math.max(x, 0) + Math.log1p(e);
      const sig = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
      const g = sig * invN * invB;
      store<f64>(dS + (<usize>j << 3), g);
      g0 -= g;
    }
    store<f64>(dS, g0);
    loss *= invN;
  }
  store<f64>(pSLoss + (<usize>b << 3), loss);
}

/** The batch's mean loss: its samples' losses summed in batch order (one thread, so any thread count gives the same sum). */
export function batchLoss(size: i32): f64 {
  let sum: f64 = 0;
  for (let b = 0; b < size; b++) sum += load<f64>(pSLoss + (<usize>b << 3));
  return sum / <f64>size;
}
