import assert from 'node:assert/strict';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import { bpr } from '../../../src/components/losses/bpr.js';
import { infonce } from '../../../src/components/losses/infonce.js';
import { rowScoresTf } from '../../../src/components/losses/similarity.js';

describe('loss forward passes (tfjs)', () => {
  it('infonce: mean over samples of logsumexp(s/t) - s0/t, stable for large scores', async () => {
    const { tf } = await selectBackend('cpu');
    // sample 0: s = (2, 0, 1), t = 0.5 -> z = (4, 0, 2): log(e^4 + 1 + e^2) - 4
    // sample 1: s = (300, 301, 299) -> z = (600, 602, 598): 602 + log(e^-2 + 1 + e^-4) - 600 (no overflow)
    const l = infonce.bind({ temperature: 0.5, similarity: 'dot' }).tf(tf, tf.tensor2d([2, 0, 1, 300, 301, 299], [2, 3]), null);
    const want = (Math.log(Math.exp(4) + 1 + Math.exp(2)) - 4 + (2 + Math.log(Math.exp(-2) + 1 + Math.exp(-4)))) / 2;
    const got = (await l.data())[0]!;
    assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
  });

  it('bpr: mean of softplus(s_k - s_0) over all (positive, negative) pairs', async () => {
    const { tf } = await selectBackend('cpu');
    // s = (1, 0, 3): softplus(-1), softplus(2); s = (0, -50, 60): softplus(-50) ~ e^-50, softplus(60) = 60
    const l = bpr.bind({ similarity: 'dot' }).tf(tf, tf.tensor2d([1, 0, 3, 0, -50, 60], [2, 3]), null);
    const sp = (x: number) => Math.log1p(Math.exp(x));
    const want = (sp(-1) + sp(2) + sp(-50) + 60) / 4;
    const got = (await l.data())[0]!;
    assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
  });

  it('cosine scores ignore the norms; a zero row scores 0 (the 1e-12 floor), not NaN', async () => {
    const { tf } = await selectBackend('cpu');
    const u = tf.tensor2d([3, 4, 3, 4, 0, 0, 0, 0], [4, 2]);
    const v = tf.tensor2d([6, 8, -4, 3, 1, 0, 2, 2], [4, 2]);
    const cos = Array.from(await rowScoresTf(tf, u, v, 'cosine').data());
    const dot = Array.from(await rowScoresTf(tf, u, v, 'dot').data());
    // (3,4).(6,8)/(5*10) = 1; (3,4).(-4,3) = 0; zero user -> 0, 0
    [1, 0, 0, 0].forEach((w, i) => assert.ok(Math.abs(cos[i]! - w) < 1e-6, `cos[${i}] = ${cos[i]}`));
    assert.deepEqual(dot, [50, 0, 0, 0]);
  });
});
