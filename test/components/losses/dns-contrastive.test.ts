import assert from 'node:assert/strict';
import { bindModel } from '../../../src/components/catalogue.js';
import { dnsContrastive } from '../../../src/components/losses/dns-contrastive.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import { referenceGradients } from '../../../src/runtime/engine/reference/reference-step.js';
import { batchOf, finiteDifferenceError, gradientFixture } from '../../runtime/reference/configs.js';

describe('loss dns_contrastive (DNS eq. 5)', () => {
  it('-log f(i+) / (f(i-) + f(i\'-) + f(i+)) with f = exp(s / t), float64 and tfjs (hand-computed)', async () => {
    const loss = dnsContrastive.bind({ temperature: 0.5, similarity: 'cosine' });
    // row 0: s = (0.8, -0.2, 0.1); row 1: s = (0, 0.5, -1)
    const S = Float64Array.of(0.8, -0.2, 0.1, 0, 0.5, -1);
    const f = (x: number) => Math.exp(x / 0.5);
    const want = (-Math.log(f(0.8) / (f(-0.2) + f(0.1) + f(0.8))) - Math.log(f(0) / (f(0.5) + f(-1) + f(0)))) / 2;
    const dS = new Float64Array(6);
    assert.ok(Math.abs(loss.reference(S, 2, 3, null, dS) - want) < 1e-12);
    // dL/ds_0 of row 0 = (softmax_0 - 1) / (t * rows)
    assert.ok(Math.abs(dS[0]! - (f(0.8) / (f(-0.2) + f(0.1) + f(0.8)) - 1) / (0.5 * 2)) < 1e-12);
    const { tf } = await selectBackend('cpu');
    const got = (await loss.tf(tf, tf.tensor2d(Array.from(S), [2, 3]), null).data())[0]!;
    assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
  });

  it('gradients through cosine scores agree with central finite differences', () => {
    const model = bindModel({
      encoder: { name: 'mf', params: { dim: 4 } },
      sampler: { name: 'dynamic_dissimilar', params: { k: 2, interval: 1 } },
      loss: { name: 'dns_contrastive', params: { temperature: 0.3 } },
      backprop: { name: 'both', params: {} },
      optimizer: { name: 'sgd', params: {} },
    });
    const t = gradientFixture();
    const enc = model.encoder.prepare({ numUsers: 2, numItems: 6 } as never);
    // (u, i+, i-, i'-) instances: two columns of negatives per row, as dynamic_dissimilar lays them out
    const batch = batchOf([0, 1, 0], [2, 3, 3], [1, 4, 5, 0, 2, 5]);
    const g = referenceGradients(t, batch, model, enc);
    const { worst, scale } = finiteDifferenceError(t, g, () => referenceGradients(t, batch, model, enc).loss);
    assert.ok(scale > 1e-3 && worst / scale < 1e-6, `max |analytic - fd| / max |fd| = ${worst / scale}`);
  });
});
