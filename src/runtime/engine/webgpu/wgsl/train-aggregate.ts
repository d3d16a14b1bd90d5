import { declare, fRW, FLAT_INDEX, u, WORKGROUP, type Kernel } from './common.js';
import { constsWgsl, type TrainConsts } from './train-consts.js';

/**
 * The moving aggregation after the step, one thread per (moved row, component):
 *   onebp:     user row u  <- beta u + (1 - beta) v_pos(b)   for the samples b of u
 *   user_only: item row i  <- beta v_i + (1 - beta) u_user(b) for the samples b whose positive is i
 * duplicates 'last': only the row's last sample in batch order, from the row as it was;
 * 'sequential': every one of its samples, in batch order. The partner table is not written here.
 */
export function trainAggregateKernel(c: TrainConsts): Kernel {
  const bindings = [u('bUsers'), u('bItems'), fRW('user'), fRW('item'), u('itemStart'), u('itemEntries'), u('userStart'), u('userEntries')];
  const code = /* wgsl */ `
${constsWgsl(c)}
${declare(bindings)}
${FLAT_INDEX}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = flatIndex(gid, nwg);
  if (ONEBP) {
    if (t >= NUM_USERS * D) { return; }
    let r = t / D;
    let k = t % D;
    let lo = userStart[r];
    let hi = userStart[r + 1u];
    if (lo == hi) { return; }
    var x = user[t];
    if (DUP_SEQUENTIAL) {
      for (var q = lo; q < hi; q++) { x = BETA * x + OMB * item[bItems[userEntries[q] * M] * D + k]; }
    } else {
      x = BETA * x + OMB * item[bItems[userEntries[hi - 1u] * M] * D + k];
    }
    user[t] = x;
  } else if (USER_ONLY) {
    if (t >= NUM_ITEMS * D) { return; }
    let r = t / D;
    let k = t % D;
    let lo = itemStart[r];
    let hi = itemStart[r + 1u];
    if (lo == hi) { return; }
    // under user_only the item index holds positives only: entry b * M
    var x = item[t];
    if (DUP_SEQUENTIAL) {
      for (var q = lo; q < hi; q++) { x = BETA * x + OMB * user[bUsers[itemEntries[q] / M] * D + k]; }
    } else {
      x = BETA * x + OMB * user[bUsers[itemEntries[hi - 1u] / M] * D + k];
    }
    item[t] = x;
  }
}
`;
  return { label: 'train-aggregate', code, bindings, workgroup: WORKGROUP };
}
