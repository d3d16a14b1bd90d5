import { declare, f, fRW, FLAT_INDEX, u, WORKGROUP, type Kernel } from './common.js';
import { constsWgsl, type TrainConsts } from './train-consts.js';

/**
 * The batch's gradients by gather, one thread per (row, component k), from the tables as they
 * were before the step (no thread writes a table here), summing the row's entries in batch order
 * (its sorted segment of the transposed index) — no float atomics:
 *   item row i:  g_i[k] = sum over entries (b, j) of i: a_bj u_b[k] + c_bj v_i[k]
 *   user row u:  g_u[k] = sum over samples b of u: sum_j a_bj v_{item(b, j)}[k] + e_b u[k]
 * Threads first cover the item rows (when items get gradients), then the user rows.
 */
export function trainGatherKernel(c: TrainConsts): Kernel {
  const bindings = [
    u('bUsers'), u('bItems'), f('coef'), f('user'), f('item'),
    u('itemStart'), u('itemEntries'), u('userStart'), u('userEntries'), fRW('gUser'), fRW('gItem'),
  ];
  const code = /* wgsl */ `
${constsWgsl(c)}
${declare(bindings)}
${FLAT_INDEX}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  var t = flatIndex(gid, nwg);
  if (ITEM_GRAD) {
    if (t < NUM_ITEMS * D) {
      let r = t / D;
      let k = t % D;
      var g = 0.0f;
      for (var q = itemStart[r]; q < itemStart[r + 1u]; q++) {
        let ent = itemEntries[q];
        let b = ent / M;
        let j = ent % M;
        g += coef[b * COEF + j] * user[bUsers[b] * D + k];
        if (COSINE) { g += coef[b * COEF + M + j] * item[t]; }
      }
      gItem[t] = g;
      return;
    }
    t -= NUM_ITEMS * D;
  }
  if (USER_GRAD && t < NUM_USERS * D) {
    let r = t / D;
    let k = t % D;
    var g = 0.0f;
    for (var q = userStart[r]; q < userStart[r + 1u]; q++) {
      let b = userEntries[q];
      for (var j = 0u; j < M; j++) { g += coef[b * COEF + j] * item[bItems[b * M + j] * D + k]; }
      if (COSINE) { g += coef[b * COEF + 2u * M] * user[t]; }
    }
    gUser[t] = g;
  }
}
`;
  return { label: 'train-gather', code, bindings, workgroup: WORKGROUP };
}

/** Threads the gather and the optimiser step run on: item rows x D (if trained) + user rows x D (if trained). */
export function trainedThreads(c: TrainConsts): number {
  return (c.plan.backprop !== 'user_only' ? c.numItems * c.dim : 0) + (c.plan.backprop !== 'onebp' ? c.numUsers * c.dim : 0);
}
