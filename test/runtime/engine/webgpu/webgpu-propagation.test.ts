import assert from 'node:assert/strict';
import { CounterRng } from '../../../../src/core/rng.js';
import { buildNormalizedAdjacency } from '../../../../src/components/encoders/graph/normalized-adjacency.js';
import { propagateBackwardReference, propagateForwardReference } from '../../../../src/components/encoders/graph/propagation-reference.js';
import type { GpuContext } from '../../../../src/runtime/engine/webgpu/gpu-device.js';
import { WebgpuPropagation } from '../../../../src/runtime/engine/webgpu/webgpu-propagation.js';
import { maxAbsDiff, randomProblem } from '../../reference/configs.js';
import { gpuOrSkip } from './gpu-for-tests.js';

describe('webgpu propagation: LightGCN spmm in WGSL vs the float64 reference', function () {
  this.timeout(120000);
  let gpu: GpuContext;
  before(async function () {
    gpu = await gpuOrSkip(this);
  });

  for (const [layers, dim] of [[0, 4], [1, 8], [3, 13]] as const)
    it(`K = ${layers}, dim ${dim}: forward and backward (Â^T, computed as a scatter by the reference)`, async () => {
      const p = randomProblem(30, 45, 5, 3);
      const a = buildNormalizedAdjacency(p.numUsers, p.numItems, p.pairUsers, p.pairItems);
      const rng = new CounterRng(17, 1);
      const x = Float32Array.from({ length: a.n * dim }, () => rng.normal());
      const prop = await WebgpuPropagation.create(gpu, a, dim, layers);
      try {
        const fw = await prop.forward(x);
        assert.ok(maxAbsDiff(fw, propagateForwardReference(a, x, dim, layers)) < 1e-5, `forward differs by ${maxAbsDiff(fw, propagateForwardReference(a, x, dim, layers))}`);
        const bw = await prop.backward(x);
        assert.ok(maxAbsDiff(bw, propagateBackwardReference(a, x, dim, layers)) < 1e-5, `backward differs by ${maxAbsDiff(bw, propagateBackwardReference(a, x, dim, layers))}`);
        if (layers === 0) assert.deepEqual(Array.from(fw), Array.from(x));
        else assert.ok(maxAbsDiff(fw, x) > 0.1, 'propagation changed nothing');
      } finally {
        prop.dispose();
      }
    });

  it('refuses a table of the wrong size', async () => {
    const p = randomProblem(4, 5, 2, 1);
    const a = buildNormalizedAdjacency(p.numUsers, p.numItems, p.pairUsers, p.pairItems);
    const prop = await WebgpuPropagation.create(gpu, a, 2, 1);
    try {
      await assert.rejects(prop.forward(new Float32Array(5)), /a table of 5 values is not 9 x 2/);
    } finally {
      prop.dispose();
    }
  });
});
