import { BATCH_STRUCT, batchBinding, declare, f, fRW, FLAT_INDEX, u, WORKGROUP, type Kernel } from './common.js';
import { constsWgsl, type TrainConsts } from './train-consts.js';

/**
 * The optimiser step t, one thread per (trained row, component), as the fused kernels
 * (assembly/train-optimizer.ts) and torch.optim do it. A row is touched when its segment of the
 * transposed index is not empty.
 *   Adam:  g = grad + wd p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *          p -= stepSize m / (sqrt(v) / sqrt(1 - b2^t) + eps), stepSize = lr / (1 - b1^t);
 *          dense: every row (untouched ones with grad 0); lazy: touched rows only.
 *   SGD:   p -= lr (grad + wd p) on touched rows, on every row when wd != 0.
 */
export function trainOptimizerKernel(c: TrainConsts): Kernel {
  const bindings = [
    batchBinding, fRW('user'), fRW('item'), fRW('mUser'), fRW('vUser'), fRW('mItem'), fRW('vItem'),
    f('gUser'), f('gItem'), u('itemStart'), u('userStart'),
  ];
  const code = /* wgsl */ `
${constsWgsl(c)}
${BATCH_STRUCT}
${declare(bindings)}
${FLAT_INDEX}

/** New value of one parameter p with moments (m, v) in/out, gradient grad; touched: has a gradient. */
fn adam(p: f32, grad: f32, touched: bool, mv: ptr<function, vec2f>) -> f32 {
  var g = WD * p;
  if (touched) { g = grad + g; }
  let m = B1 * (*mv).x + C1 * g;
  let v = B2 * (*mv).y + C2 * (g * g);
  *mv = vec2f(m, v);
  return p - (batch.stepSize * m) / (sqrt(v) * batch.invSqrtBc2 + EPS);
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  var t = flatIndex(gid, nwg);
  if (ITEM_GRAD) {
    if (t < NUM_ITEMS * D) {
      let r = t / D;
      let touched = itemStart[r + 1u] > itemStart[r];
      if (SGD) {
        if (touched) { item[t] -= LR * (gItem[t] + WD * item[t]); }
        else if (WD != 0.0f) { item[t] -= LR * (WD * item[t]); }
      } else if (touched || !LAZY) {
        var mv = vec2f(mItem[t], vItem[t]);
        item[t] = adam(item[t], gItem[t], touched, &mv);
        mItem[t] = mv.x;
        vItem[t] = mv.y;
      }
      return;
    }
    t -= NUM_ITEMS * D;
  }
  if (USER_GRAD && t < NUM_USERS * D) {
    let r = t / D;
    let touched = userStart[r + 1u] > userStart[r];
    if (SGD) {
      if (touched) { user[t] -= LR * (gUser[t] + WD * user[t]); }
      else if (WD != 0.0f) { user[t] -= LR * (WD * user[t]); }
    } else if (touched || !LAZY) {
      var mv = vec2f(mUser[t], vUser[t]);
      user[t] = adam(user[t], gUser[t], touched, &mv);
      mUser[t] = mv.x;
      vUser[t] = mv.y;
    }
  }
}
`;
  return { label: 'train-optimizer', code, bindings, workgroup: WORKGROUP };
}
