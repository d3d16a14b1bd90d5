import assert from 'node:assert/strict';
import { ccl } from '../../../src/components/losses/ccl.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';

describe('ccl loss', () => {
  const loss = ccl.bind({ margin: 0.5, weight: 2 });

  it('a hand-worked matrix: (1 - s0) + w mean_k max(0, s_k - m), masked candidates left out', () => {
    // row 0: s = (0.8, 0.9, 0.1, 0.6): 0.2 + 2 (0.4 + 0 + 0.1) / 3 = 0.5333...
    // row 1: s = (0.3, 0.7, 0.9, -1) with column 2 masked: 0.7 + 2 (0.2 + 0) / 2 = 0.9
    const S = Float64Array.from([0.8, 0.9, 0.1, 0.6, 0.3, 0.7, 0.9, -1]);
    const mask = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 0]);
    const dS = new Float64Array(8);
    const l = loss.reference(S, 2, 4, mask, dS);
    assert.ok(Math.abs(l - (0.2 + 1 / 3 + 0.9) / 2) < 1e-15, `${l}`);
    const want = [-0.5, 2 / 6, 0, 2 / 6, -0.5, 2 / 4, 0, 0];
    for (let i = 0; i < 8; i++) assert.ok(Math.abs(dS[i]! - want[i]!) < 1e-15, `dS[${i}] ${dS[i]} vs ${want[i]}`);
  });

  it('dL/dS equals central finite differences away from the hinge', () => {
    const S = Float64Array.from([0.2, 0.7, -0.3, 0.55, 0.1, 0.9]);
    const dS = new Float64Array(6);
    loss.reference(S, 2, 3, null, dS);
    const h = 1e-7;
    for (let i = 0; i < 6; i++) {
      const up = S.slice();
      const down = S.slice();
      up[i]! += h;
      down[i]! -= h;
      const fd = (loss.reference(up, 2, 3, null, new Float64Array(6)) - loss.reference(down, 2, 3, null, new Float64Array(6))) / (2 * h);
      assert.ok(Math.abs(fd - dS[i]!) < 1e-7, `entry ${i}: ${dS[i]} vs ${fd}`);
    }
  });

  it('the tfjs forward gives the same loss, mask included', async () => {
    const { tf } = await selectBackend('cpu');
    const S = [0.8, 0.9, 0.1, 0.6, 0.3, 0.7, 0.9, -1];
    const got = (await loss.tf(tf, tf.tensor2d(S, [2, 4]), tf.tensor2d([0, 0, 0, 0, 0, 0, 1, 0], [2, 4])).data())[0]!;
    assert.ok(Math.abs(got - (0.2 + 1 / 3 + 0.9) / 2) < 1e-6, `${got}`);
  });

  it('defaults to cosine similarity, as the paper defines it', () => {
    assert.equal(ccl.bind({}).similarity, 'cosine');
  });
});
