import { BATCH_STRUCT, batchBinding, declare, atomicRW, u, uRW, WORKGROUP, type Kernel } from './common.js';
import { constsWgsl, type TrainConsts } from './train-consts.js';

/**
 * Pass 3 of the transposed indexes: every entry takes the next slot of its row's segment,
 * itemEntries[cursor[row]++] = b * M + j (candidate j of sample b) and userEntries[...] = b.
 * Slots within a segment come in any order; pass 4 (index-sort) restores batch order, so that
 * the gathers sum in the same order on every run. Integer atomics only.
 */
export function indexFillKernel(c: TrainConsts): Kernel {
  const bindings = [batchBinding, u('bUsers'), u('bItems'), atomicRW('itemCount'), uRW('itemEntries'), atomicRW('userCount'), uRW('userEntries')];
  const code = /* wgsl */ `
${constsWgsl(c)}
${BATCH_STRUCT}
${declare(bindings)}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let e = gid.x;
  let itemEntryCount = batch.size * M;
  if (e < itemEntryCount) {
    if (ITEM_GRAD || e % M == 0u) {
      let slot = atomicAdd(&itemCount[bItems[e]], 1u);
      itemEntries[slot] = e;
    }
  } else if (e < itemEntryCount + batch.size) {
    let b = e - itemEntryCount;
    let slot = atomicAdd(&userCount[bUsers[b]], 1u);
    userEntries[slot] = b;
  }
}
`;
  return { label: 'index-fill', code, bindings, workgroup: WORKGROUP };
}
