// Scores seam: a sample's scores against its candidates (dot, or cosine with clamped norms).
import { gCos, gRowBytes, gS, itemOf, pItem } from './train-context';
import { dot } from './vec';

export const NORM_FLOOR: f64 = 1e-12;

/** Whether the last scoreSample() call clamped the user's norm (its derivative is then zero). */
export let uClamped = false;

/**
 * Scores of sample b (user row `urow`) against its m candidates into `scores`, and under cosine
 * the item norms into `norms` (a clamped norm stored negative); returns the user's norm (1 for dot).
 */
@inline
export function scoreSample(b: i32, urow: usize, m: i32, scores: usize, norms: usize): f64 {
  const rowBytes = gRowBytes;
  const s = gS;
  let nu: f64 = 1;
  uClamped = false;
  if (gCos) {
    nu = Math.sqrt(<f64>dot(urow, urow, s));
    if (!(nu > NORM_FLOOR)) {
      nu = NORM_FLOOR;
      uClamped = true;
    }
  }
  for (let j = 0; j < m; j++) {
    const irow = pItem + <usize>itemOf(b, j) * rowBytes;
    let sc = <f64>dot(urow, irow, s);
    if (gCos) {
      let nv = Math.sqrt(<f64>dot(irow, irow, s));
      // a clamped norm is stored negative: its derivative is zero
      if (!(nv > NORM_FLOOR)) nv = -NORM_FLOOR;
      store<f64>(norms + (<usize>j << 3), nv);
      sc = sc / (nu * Math.abs(nv));
    }
    store<f64>(scores + (<usize>j << 3), sc);
  }
  return nu;
}
