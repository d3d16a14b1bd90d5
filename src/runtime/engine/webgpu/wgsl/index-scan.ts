import { declare, uRW, type Kernel } from './common.js';

const THREADS = 128;

/**
 * Pass 2 of the batch's transposed indexes (CSR of entries by row, built without float atomics):
 * start[r] = sum_{r' < r} count[r'] (exclusive prefix sum, start[rows] = total), and count[r] is
 * reset to start[r], the cursor that pass 3 (index-fill) bumps. Workgroup 0 scans the item
 * counts, workgroup 1 the user counts; each thread sums a contiguous chunk, thread 0 scans the
 * chunk sums, then each thread writes its chunk's prefixes.
 */
export function indexScanKernel(numItems: number, numUsers: number): Kernel {
  const bindings = [uRW('itemCount'), uRW('itemStart'), uRW('userCount'), uRW('userStart')];
  const code = /* wgsl */ `
${declare(bindings)}
var<workgroup> partial: array<u32, ${THREADS}>;

fn chunkBounds(rows: u32, t: u32) -> vec2u {
  let chunk = (rows + ${THREADS - 1}u) / ${THREADS}u;
  return vec2u(min(rows, t * chunk), min(rows, (t + 1u) * chunk));
}

@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let items = wid.x == 0u;
  var rows = ${numUsers}u;
  if (items) { rows = ${numItems}u; }
  let r = chunkBounds(rows, lid.x);
  var s = 0u;
  for (var i = r.x; i < r.y; i++) {
    if (items) { s += itemCount[i]; } else { s += userCount[i]; }
  }
  partial[lid.x] = s;
  workgroupBarrier();
  if (lid.x == 0u) {
    var acc = 0u;
    for (var t = 0u; t < ${THREADS}u; t++) { let x = partial[t]; partial[t] = acc; acc += x; }
    if (items) { itemStart[rows] = acc; } else { userStart[rows] = acc; }
  }
  workgroupBarrier();
  var acc = partial[lid.x];
  for (var i = r.x; i < r.y; i++) {
    if (items) { let x = itemCount[i]; itemStart[i] = acc; itemCount[i] = acc; acc += x; }
    else { let x = userCount[i]; userStart[i] = acc; userCount[i] = acc; acc += x; }
  }
}
`;
  return { label: 'index-scan', code, bindings, workgroup: THREADS };
}
