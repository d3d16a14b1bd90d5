// Aggregation seam (onebp, user_only): after the optimiser step, each moved row goes towards
// its partner row, u <- beta u + (1 - beta) v+ (or the flip), on the rows' owner threads.
import { BACKPROP_ONEBP, CHUNK } from './layout';
import {
  bump, fBeta, gBackprop, gDupSeq, gNumItems, gNumUsers, gRowBytes, gS, gThreads, listOf, ownerOf,
  pBPos, pBUsers, pCounts, pItem, pMoveBuckets, pStampI, pStampU, pUser,
} from './train-context';
import { lincombTo } from './vec';

/** The moved-row entry of sample b (user u) for the moved row's owner: onebp moves the user, user_only the positive item. */
@inline
export function postMove(b: i32, u: i32): void {
  const list = gBackprop == BACKPROP_ONEBP ? listOf(b, ownerOf(u, gNumUsers)) : listOf(b, ownerOf(load<i32>(pBPos + (<usize>b << 2)), gNumItems));
  store<i32>(pMoveBuckets + (<usize>(list * CHUNK + bump(list, 2)) << 2), b);
}

/**
 * Moving aggregation after the optimiser step (onebp: user rows towards their positive item's
 * row; user_only: positive item rows towards their user's row), on the owned rows, from the
 * owner's bucket lists. `last`: walking the batch backwards, the first (= last in batch order)
 * occurrence of a row is the only one applied, from the row as it was; `sequential`: every
 * occurrence, in batch order.
 */
export function aggregate(tid: i32, size: i32, t: i32): void {
  const rowBytes = gRowBytes;
  const s = gS;
  const beta = <f32>fBeta;
  const omb = <f32>(1.0 - fBeta);
  const onebp = gBackprop == BACKPROP_ONEBP;
  const moved = onebp ? pBUsers : pBPos;
  const towards = onebp ? pBPos : pBUsers;
  const movedTable = onebp ? pUser : pItem;
  const towardsTable = onebp ? pItem : pUser;
  const stamp = onebp ? pStampU : pStampI;
  const chunks = (size + CHUNK - 1) / CHUNK;
  if (gDupSeq) {
    for (let c = 0; c < chunks; c++) {
      const list = c * gThreads + tid;
      const count = load<i32>(pCounts + (<usize>(list * 3 + 2) << 2));
      for (let k = 0; k < count; k++) {
        const b = load<i32>(pMoveBuckets + (<usize>(list * CHUNK + k) << 2));
        const row = movedTable + <usize>load<i32>(moved + (<usize>b << 2)) * rowBytes;
        lincombTo(row, row, beta, towardsTable + <usize>load<i32>(towards + (<usize>b << 2)) * rowBytes, omb, s);
      }
    }
  } else {
    for (let c = chunks - 1; c >= 0; c--) {
      const list = c * gThreads + tid;
      const count = load<i32>(pCounts + (<usize>(list * 3 + 2) << 2));
      for (let k = count - 1; k >= 0; k--) {
        const b = load<i32>(pMoveBuckets + (<usize>(list * CHUNK + k) << 2));
        const r = load<i32>(moved + (<usize>b << 2));
        const sp = stamp + (<usize>r << 2);
        if (load<i32>(sp) == t) continue;
        store<i32>(sp, t);
        const row = movedTable + <usize>r * rowBytes;
        lincombTo(row, row, beta, towardsTable + <usize>load<i32>(towards + (<usize>b << 2)) * rowBytes, omb, s);
      }
    }
  }
}
