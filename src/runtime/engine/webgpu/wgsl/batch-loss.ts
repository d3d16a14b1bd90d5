import { BATCH_STRUCT, batchBinding, declare, f, fRW, type Kernel } from './common.js';

/**
 * The batch's mean loss, (1/B) sum_b loss_b, summed by one thread in batch order (so it does not
 * depend on scheduling) into the call's loss slot batch.index; the host sums the slots in float64.
 */
export function batchLossKernel(): Kernel {
  const bindings = [batchBinding, f('sLoss'), fRW('losses')];
  const code = /* wgsl */ `
${BATCH_STRUCT}
${declare(bindings)}

@compute @workgroup_size(1)
fn main() {
  var s = 0.0f;
  for (var b = 0u; b < batch.size; b++) { s += sLoss[b]; }
  losses[batch.index] = s / f32(batch.size);
}
`;
  return { label: 'batch-loss', code, bindings, workgroup: 1 };
}
