import type * as TF from '@tensorflow/tfjs-core';

/**
 * y = A x for a sparse A given as entries (row r_e, column c_e, value a_e) over n output rows,
 * in tfjs, with its gradient written out: dL/dx = A^T dy, the same gather and segment sum with
 * rows and columns swapped. Autograd's own gradient of unsortedSegmentSum builds a boolean mask
 * of the whole gathered tensor (nnz x d) and costs ~0.6 s per propagation of ML-100K on
 * tfjs-wasm; this one costs what the forward does. The values are a constant (no gradient).
 */
export function sparseMultiplyTf(tf: typeof TF, x: TF.Tensor2D, rows: TF.Tensor1D, cols: TF.Tensor1D, values: TF.Tensor2D, n: number): TF.Tensor2D {
  const inRows = x.shape[0];
  const f = tf.customGrad((...args: (TF.Tensor | TF.GradSaveFunc)[]) => {
    const input = args[0] as TF.Tensor;
    const save = args[1] as TF.GradSaveFunc;
    // saved, so that the tape keeps them alive until the backward pass
    save([rows, cols, values]);
    const y = tf.unsortedSegmentSum(tf.mul(tf.gather(input, cols), values), rows, n);
    return {
      value: y,
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const [r, c, v] = saved as [TF.Tensor1D, TF.Tensor1D, TF.Tensor2D];
        return tf.unsortedSegmentSum(tf.mul(tf.gather(dy, r), v), c, inRows);
      },
    };
  });
  return f(x) as TF.Tensor2D;
}
