import assert from 'node:assert/strict';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import { adamTf, referenceAdam, type AdamParams } from '../../../src/components/optimizers/adam.js';
import { referenceSgd, sgdTf, type SgdParams } from '../../../src/components/optimizers/sgd.js';

/*
 * A 3 x 1 table p = [1, -2, 0.5]; Adam b1 = 0.5, b2 = 0.75, lr = 0.1, eps = 1e-8, wd = 0.1.
 * Loss gradients: step 1 G1 = [0.4, 0, -0.3], step 2 G2 = [0.2, 0, 0.1].
 * Dense, step 1 (t = 1, 1 - b1 = 0.5, 1 - b2 = 0.25):
 *   g = G1 + 0.1 p = [0.5, -0.2, -0.25]; m = 0.5 g = [0.25, -0.1, -0.125]; v = 0.25 g^2 = [0.0625, 0.01, 0.015625]
 *   m / 0.5 = [0.5, -0.2, -0.25]; sqrt(v / 0.25) = [0.5, 0.2, 0.25]: each ratio is +-1 (up to eps)
 *   p = [0.9, -1.9, 0.6]
 * Dense, step 2 (t = 2, 1 - b1^2 = 0.75, 1 - b2^2 = 0.4375):
 *   g = G2 + 0.1 p = [0.29, -0.19, 0.16]; m = 0.5 m + 0.5 g = [0.27, -0.145, 0.0175]
 *   v = 0.75 v + 0.25 g^2 = [0.0679, 0.016525, 0.01811875]
 *   p_i = p_i - 0.1 (m_i / 0.75) / sqrt(v_i / 0.4375)  ->  [0.8086188, -1.8005225, 0.5885343]
 * Lazy, step 1 touches rows {0, 2}: row 1 keeps p = -2, m = v = 0.
 * Lazy, step 2 touches rows {0, 1, 2}: rows 0 and 2 as dense; row 1's first update happens at t = 2:
 *   g = 0 + 0.1 (-2) = -0.2; m = -0.1; v = 0.01; p = -2 - 0.1 (-0.1 / 0.75) / sqrt(0.01 / 0.4375) = -1.9118083
 * SGD lr = 0.1, wd = 0.1: p = p - 0.1 (G + 0.1 p)
 *   step 1: [1 - 0.05, -2 + 0.02, 0.5 + 0.025] = [0.95, -1.98, 0.525]
 *   step 2: g = [0.295, -0.198, 0.1525] -> [0.9205, -1.9602, 0.50975]
 */
const adam: AdamParams = { lr: 0.1, beta1: 0.5, beta2: 0.75, eps: 1e-8, weight_decay: 0.1, lazy: false };
const sgd: SgdParams = { lr: 0.1, weight_decay: 0.1 };
const G1 = [0.4, 0, -0.3];
const G2 = [0.2, 0, 0.1];
const step = (p: number, m: number, v: number, bc1: number, bc2: number) => p - (0.1 * (m / bc1)) / (Math.sqrt(v / bc2) + 1e-8);
const dense1 = [0.9, -1.9, 0.6];
const dense2 = [step(0.9, 0.27, 0.0679, 0.75, 0.4375), step(-1.9, -0.145, 0.016525, 0.75, 0.4375), step(0.6, 0.0175, 0.01811875, 0.75, 0.4375)];
const lazy1 = [0.9, -2, 0.6];
const lazy2 = [dense2[0]!, step(-2, -0.1, 0.01, 0.75, 0.4375), dense2[2]!];
const sgd1 = [0.95, -1.98, 0.525];
const sgd2 = [0.9205, -1.9602, 0.50975];

const close = (a: ArrayLike<number>, b: number[], tol: number, what: string) => {
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < tol, `${what}[${i}] = ${a[i]}, expected ${b[i]}`);
};

describe('optimizers: hand-computed Adam (dense, lazy) and SGD with weight decay', () => {
  it('the hand-derived numbers are what the comments say', () => {
    close(dense2, [0.8086188, -1.8005225, 0.5885343], 1e-7, 'dense2');
    close([lazy2[1]!], [-1.9118083], 1e-7, 'lazy2');
  });

  it('reference Adam, dense: every row moves, including the one without loss gradient', () => {
    const p = Float64Array.from([1, -2, 0.5]);
    const m = new Float64Array(3);
    const v = new Float64Array(3);
    referenceAdam(p, Float64Array.from(G1), m, v, null, 1, 1, adam);
    close(p, dense1, 1e-7, 'p after step 1');
    close(m, [0.25, -0.1, -0.125], 1e-15, 'm after step 1');
    close(v, [0.0625, 0.01, 0.015625], 1e-15, 'v after step 1');
    referenceAdam(p, Float64Array.from(G2), m, v, null, 1, 2, adam);
    // (step 1 leaves p within 2e-9 of the rounded values the expectation starts from)
    close(p, dense2, 1e-8, 'p after step 2');
  });

  it('reference Adam, lazy: untouched rows keep p, m and v; bias correction uses the global step', () => {
    const p = Float64Array.from([1, -2, 0.5]);
    const m = new Float64Array(3);
    const v = new Float64Array(3);
    referenceAdam(p, Float64Array.from(G1), m, v, [0, 2], 1, 1, adam);
    close(p, lazy1, 1e-7, 'p after step 1');
    assert.equal(m[1], 0);
    assert.equal(v[1], 0);
    referenceAdam(p, Float64Array.from(G2), m, v, [0, 1, 2], 1, 2, adam);
    close(p, lazy2, 1e-8, 'p after step 2');
  });

  it('reference SGD with coupled weight decay', () => {
    const p = Float64Array.from([1, -2, 0.5]);
    referenceSgd(p, Float64Array.from(G1), sgd);
    close(p, sgd1, 1e-15, 'p after step 1');
    referenceSgd(p, Float64Array.from(G2), sgd);
    close(p, sgd2, 1e-15, 'p after step 2');
  });

  for (const backendName of ['cpu', 'wasm'] as const) {
    it(`tfjs (${backendName}) Adam dense and lazy, SGD: the same numbers in float32`, async () => {
      const { tf } = await selectBackend(backendName);
      const before = tf.memory().numTensors;
      const run = (rows: [number[] | null, number[] | null], opt: 'adam' | 'sgd') => {
        const { p, slots } = tf.tidy(() => ({
          p: tf.variable(tf.tensor2d([1, -2, 0.5], [3, 1])),
          slots: { m: tf.variable(tf.zeros([3, 1]), false), v: tf.variable(tf.zeros([3, 1]), false) },
        }));
        const out: number[][] = [];
        [G1, G2].forEach((G, s) => {
          tf.tidy(() => {
            const g = tf.tensor2d(G, [3, 1]);
            const r = rows[s];
            if (opt === 'adam') adamTf(tf, p, g, slots, s + 1, adam, r ? tf.tensor1d(r, 'int32') : null);
            else sgdTf(tf, p, g, sgd);
          });
          out.push(Array.from(p.dataSync()));
        });
        tf.dispose([p, slots.m, slots.v]);
        return out;
      };
      const [d1, d2] = run([null, null], 'adam');
      close(d1!, dense1, 1e-6, 'dense step 1');
      close(d2!, dense2, 1e-6, 'dense step 2');
      const [l1, l2] = run([[0, 2], [0, 1, 2]], 'adam');
      close(l1!, lazy1, 1e-6, 'lazy step 1');
      close(l2!, lazy2, 1e-6, 'lazy step 2');
      const [s1, s2] = run([null, null], 'sgd');
      close(s1!, sgd1, 1e-6, 'sgd step 1');
      close(s2!, sgd2, 1e-6, 'sgd step 2');
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    });
  }
});
