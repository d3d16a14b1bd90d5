import { declare, uRW, u, WORKGROUP, type Kernel } from './common.js';

/**
 * Pass 4 of the transposed indexes: one thread per row (items, then users) sorts its segment
 * entries[start[r], start[r + 1]) ascending (insertion sort: a segment holds the few
 * occurrences of one row in a batch), which is batch order, and clears the row's count for the
 * next batch (pass 1 counts into zeros).
 */
export function indexSortKernel(numItems: number, numUsers: number): Kernel {
  const bindings = [u('itemStart'), uRW('itemEntries'), uRW('itemCount'), u('userStart'), uRW('userEntries'), uRW('userCount')];
  const code = /* wgsl */ `
${declare(bindings)}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r < ${numItems}u) {
    let lo = itemStart[r];
    let hi = itemStart[r + 1u];
    for (var i = lo + 1u; i < hi; i++) {
      let x = itemEntries[i];
      var k = i;
      while (k > lo && itemEntries[k - 1u] > x) { itemEntries[k] = itemEntries[k - 1u]; k -= 1u; }
      itemEntries[k] = x;
    }
    itemCount[r] = 0u;
  } else if (r < ${numItems + numUsers}u) {
    let ur = r - ${numItems}u;
    let lo = userStart[ur];
    let hi = userStart[ur + 1u];
    for (var i = lo + 1u; i < hi; i++) {
      let x = userEntries[i];
      var k = i;
      while (k > lo && userEntries[k - 1u] > x) { userEntries[k] = userEntries[k - 1u]; k -= 1u; }
      userEntries[k] = x;
    }
    userCount[ur] = 0u;
  }
}
`;
  return { label: 'index-sort', code, bindings, workgroup: WORKGROUP };
}
