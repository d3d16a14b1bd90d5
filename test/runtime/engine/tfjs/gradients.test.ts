import assert from 'node:assert/strict';
import { selectBackend } from '../../../../src/runtime/backend/select-backend.js';
import { referenceGradients } from '../../../../src/runtime/engine/reference/reference-step.js';
import { tfjsGradients } from '../../../../src/runtime/engine/tfjs/tfjs-engine.js';
import { BACKPROPS, config, gradientBatch, gradientFixture, LOSSES, maxAbsDiff, OPTIMIZERS, prep } from '../../reference/configs.js';

describe('tfjs autograd gradients vs the float64 reference', () => {
  for (const backendName of ['cpu', 'wasm'] as const) {
    for (const [name, loss] of Object.entries(LOSSES)) {
      it(`${backendName}: ${name}`, async () => {
        const backend = await selectBackend(backendName);
        const cfg = config(loss, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 4);
        const t64 = gradientFixture();
        // Both sides see the same float32-representable tables.
        const t32 = { user: Float32Array.from(t64.user), item: Float32Array.from(t64.item), dim: t64.dim };
        const ref = referenceGradients({ user: Float64Array.from(t32.user), item: Float64Array.from(t32.item), dim: t32.dim }, gradientBatch, cfg, prep(cfg));
        const tfg = await tfjsGradients(backend, t32, gradientBatch, cfg, prep(cfg));
        assert.ok(Math.abs(tfg.loss - ref.loss) < 1e-5 * Math.max(1, Math.abs(ref.loss)), `loss ${tfg.loss} vs ${ref.loss}`);
        const scale = Math.max(...Array.from(ref.gUser, Math.abs), ...Array.from(ref.gItem, Math.abs));
        assert.ok(maxAbsDiff(tfg.gUser, ref.gUser) < 1e-5 * scale, `user gradient differs by ${maxAbsDiff(tfg.gUser, ref.gUser)}`);
        assert.ok(maxAbsDiff(tfg.gItem, ref.gItem) < 1e-5 * scale, `item gradient differs by ${maxAbsDiff(tfg.gItem, ref.gItem)}`);
      });
    }
  }
});
