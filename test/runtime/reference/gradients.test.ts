import assert from 'node:assert/strict';
import { referenceGradients } from '../../../src/runtime/engine/reference/reference-step.js';
import { BACKPROPS, batchOf, config, gradientBatch, gradientFixture, LOSSES, OPTIMIZERS, prep, finiteDifferenceError } from './configs.js';

describe('reference gradients', () => {
  for (const [name, loss] of Object.entries(LOSSES)) {
    it(`${name}: analytic gradients equal central finite differences (relative error < 1e-6)`, () => {
      const cfg = config(loss, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 4);
      const t = gradientFixture();
      const { loss: l0, gUser, gItem } = referenceGradients(t, gradientBatch, cfg, prep(cfg));
      assert.ok(Number.isFinite(l0) && l0 > 0);
      const { worst, scale } = finiteDifferenceError(t, { gUser, gItem }, () => referenceGradients(t, gradientBatch, cfg, prep(cfg)).loss);
      assert.ok(scale > 1e-3, `gradient too small to test: ${scale}`);
      assert.ok(worst / scale < 1e-6, `${name}: max |analytic - fd| / max |fd| = ${worst / scale}`);
      // Item 0 is only a negative of sample 1, item 1 only of sample 0: both must get gradient.
      assert.ok(Math.abs(gItem[0]!) > 0 && Math.abs(gItem[4]!) > 0);
    });
  }

  it('infonce dot loss of a hand-made sample: log(e^1 + e^0) - 1 with one negative', () => {
    const cfg = config(LOSSES['infonce dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 1, 2);
    const t = { user: Float64Array.from([1, 0]), item: Float64Array.from([1, 0, 0, 1]), dim: 2 };
    const r = referenceGradients(t, batchOf([0], [0], [1]), cfg, prep(cfg));
    assert.ok(Math.abs(r.loss - (Math.log(Math.E + 1) - 1)) < 1e-15);
    // dL/ds0 = sigma(0-1)... = e/(e+1) - 1, dL/ds1 = 1/(e+1); ds/du = v, ds/dv = u
    const p0 = Math.E / (Math.E + 1);
    assert.ok(Math.abs(r.gUser[0]! - (p0 - 1)) < 1e-15 && Math.abs(r.gUser[1]! - (1 - p0)) < 1e-15);
    assert.deepEqual(Array.from(r.gItem).map((x) => Math.round(x * 1e12) / 1e12), [Math.round((p0 - 1) * 1e12) / 1e12, 0, Math.round((1 - p0) * 1e12) / 1e12, 0]);
  });

  it('bpr loss is the mean of softplus(s- - s+) over the negatives', () => {
    const cfg = config(LOSSES['bpr dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 2, 1);
    // u = 2, v_pos = 1, v_neg = [0.5, -1]: s+ = 2, s- = [1, -2]
    const t = { user: Float64Array.from([2]), item: Float64Array.from([1, 0.5, -1]), dim: 1 };
    const r = referenceGradients(t, batchOf([0], [0], [1, 2]), cfg, prep(cfg));
    const expected = (Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(-4))) / 2;
    assert.ok(Math.abs(r.loss - expected) < 1e-15, `${r.loss} vs ${expected}`);
  });
});
