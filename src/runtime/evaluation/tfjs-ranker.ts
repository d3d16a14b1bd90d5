import type * as TF from '@tensorflow/tfjs-core';
import { activate, type Backend } from '../backend/select-backend.js';
import { checkRankRequest, NORM_FLOOR } from './js-ranker.js';
import type { RankRequest, Ranker } from './rank.js';

/** Score cells per block (users x items): about 16 MB of float32, far below tfjs's unblocked peak. */
const BLOCK_CELLS = 4 * 1024 * 1024;

/**
 * The score of an excluded item: the most negative finite float32. Not -Infinity: tfjs-cpu's
 * TopK compares by `b - a`, which is NaN for two infinities and leaves their order undefined.
 * Every finite score is above it, so excluded items can only fill the tail of a row, where
 * they are replaced by -1.
 */
const MASKED = -3.4028234663852886e38;

/**
 * Full ranking with tfjs: the item table (row-normalised for cosine) is transposed once per
 * request (matMul(a, b, false, true) is 8-10x slower on wasm), users are scored in blocks with
 * tf.matMul, each block's excluded cells are overwritten with tensorScatterUpdate, and tf.topk
 * selects the k + 1 best. Ties do not rely on tf.topk's order (backends differ): the k + 1 are
 * re-sorted by (score desc, id asc), and when the k-th and (k+1)-th scores are equal the tie
 * group is completed from the block's score row, lowest ids first.
 */
export function createTfjsRanker(backend: Backend, options: { blockCells?: number } = {}): Ranker {
  const tf = backend.tf;
  return {
    name: `tfjs-${backend.name}`,
    async topK(req: RankRequest): Promise<Int32Array> {
      const { numItems } = checkRankRequest(req);
      await activate(backend);
      const { tables, users, k, exclude } = req;
      const d = tables.dim;
      const numUsers = tables.user.length / d;
      const out = new Int32Array(users.length * k).fill(-1);
      if (users.length === 0) return out;
      const kk = Math.min(k, numItems);
      // One extra column tells whether the k-th place is tied with the first one left out.
      const kq = Math.min(kk + 1, numItems);
      const userT = tf.tensor2d(tables.user, [numUsers, d]);
      const itemT = tf.tidy(() => {
        let it: TF.Tensor2D = tf.tensor2d(tables.item, [numItems, d]);
        if (req.similarity === 'cosine') it = tf.div(it, tf.maximum(tf.norm(it, 'euclidean', 1, true), NORM_FLOOR));
        return tf.transpose(it);
      });
      const block = Math.max(1, Math.floor((options.blockCells ?? BLOCK_CELLS) / numItems));
      try {
        for (let b0 = 0; b0 < users.length; b0 += block) {
          const nb = Math.min(block, users.length - b0);
          const ids = users.subarray(b0, b0 + nb);
          // Flat (row, item) coordinates of the block's excluded cells.
          const coords: number[] = [];
          for (let q = 0; q < nb; q++) for (const e of exclude) for (const i of e.row(ids[q]!)) coords.push(q, i);
          const [scoresT, vals, idx] = tf.tidy(() => {
            let scores: TF.Tensor2D = tf.matMul(tf.gather(userT, tf.tensor1d(ids, 'int32')), itemT);
            if (coords.length > 0) {
              const n = coords.length / 2;
              scores = tf.tensorScatterUpdate(scores, tf.tensor2d(coords, [n, 2], 'int32'), tf.fill([n], MASKED));
            }
            const t = tf.topk(scores, kq, true);
            return [scores, t.values, t.indices];
          });
          const v = (await vals.data()) as Float32Array;
          const ix = (await idx.data()) as Int32Array;
          vals.dispose();
          idx.dispose();
          try {
            for (let q = 0; q < nb; q++) {
              const row = resolveRow(v.subarray(q * kq, (q + 1) * kq), ix.subarray(q * kq, (q + 1) * kq), kk, kq < numItems, async () => {
                // The k-th place ties with a value beyond the fetched ones: read this user's masked row.
                const s = tf.slice(scoresT, [q, 0], [1, numItems]);
                const all = (await s.data()) as Float32Array;
                s.dispose();
                return all;
              });
              const items = row instanceof Promise ? await row : row;
              const o = (b0 + q) * k;
              for (let j = 0; j < kk; j++) {
                const item = items[j]!;
                out[o + j] = exclude.some((e) => e.has(ids[q]!, item)) ? -1 : item;
              }
            }
          } finally {
            scoresT.dispose();
          }
        }
      } finally {
        userT.dispose();
        itemT.dispose();
      }
      return out;
    },
  };
}

/**
 * The k best items of one row from tf.topk's k+1 (value, index) pairs, re-sorted by (value
 * desc, index asc). If the k-th value equals the (k+1)-th, the cut may have split a group of
 * equal scores arbitrarily, so the whole row is fetched and the tie group resolved by id.
 */
function resolveRow(
  vals: Float32Array,
  idx: Int32Array,
  kk: number,
  hasExtra: boolean,
  fullRow: () => Promise<Float32Array>,
): Int32Array | Promise<Int32Array> {
  const order = Array.from({ length: vals.length }, (_, j) => j);
  order.sort((a, b) => (vals[b]! !== vals[a]! ? vals[b]! - vals[a]! : idx[a]! - idx[b]!));
  const kth = vals[order[kk - 1]!]!;
  const tiedAtCut = hasExtra && vals[order[kk]!]! === kth && kth !== MASKED;
  if (!tiedAtCut) return Int32Array.from(order.slice(0, kk).map((j) => idx[j]!));
  return fullRow().then((all) => {
    // Items strictly above the tie value, then the tie group in id order.
    const above: number[] = [];
    for (const j of order) if (vals[j]! > kth) above.push(idx[j]!);
    const res = above.slice();
    for (let i = 0; i < all.length && res.length < kk; i++) if (all[i] === kth) res.push(i);
    return Int32Array.from(res);
  });
}
