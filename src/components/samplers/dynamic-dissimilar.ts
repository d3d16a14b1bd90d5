import { InternalError } from '../../core/errors.js';
import { boundedFrom, hash4, Stream } from '../../core/rng.js';
import { defineComponent } from '../../contract/component.js';
import type { EmbeddingReader, SamplerBehaviour, TrainingData } from '../../contract/training.js';
import { drawUniformNegatives, negativesStream, noNegativesReason } from './uniform.js';

/**
 * Dynamic dissimilar negatives (DNS; dns paper 3.3, eq. 4): at every checkpoint, the start of
 * epochs 0, n, 2n, ... (n = `interval`), the k items of least cosine similarity to each user
 * among the items the user has not interacted with in training are retrieved,
 *   table[u] = the k smallest of cos(e_u, e_i), i not in I_u+   (ties: the lower item id),
 * from the embeddings before that epoch's first step, and kept until the next checkpoint (the
 * previous table is dropped). Each instance (u, i+) gets two negatives (eq. 5's i- and i'-):
 *   column 1: a static uniform negative, the uniform sampler's first draw for the pair
 *             (excluding the user's positives);
 *   column 2: a contrastive one, table[u][r], r = boundedFrom(hash4(seed, dissimilarPick stream,
 *             position, 0), k): a random assignment that changes every epoch.
 * Epoch 0's table comes from the initial embeddings. The table (numUsers x k item ids) is
 * sampler state: checkpoints store it with the epoch it was built at, so a resumed run uses the
 * same table and refreshes at the same epochs. The train artifact stores the last table as
 * sampler_dissimilar_table.npy (numUsers x k item ids, int32).
 */
export interface DynamicDissimilarParams {
  k: number;
  interval: number;
}

/** Cosine similarities are computed for this many users at a time (bounded memory). */
const USER_BLOCK = 256;

/**
 * The k least cosine-similar non-positive items of every user (numUsers x k, ascending
 * similarity, ties by item id) from embedding reads.
 */
export function leastSimilarTable(data: TrainingData, k: number, read: EmbeddingReader): Int32Array {
  const { numUsers, numItems } = data;
  const allItems = new Int32Array(numItems).map((_, i) => i);
  const items = read('item', allItems, numItems);
  const d = items.length / numItems;
  const unit = (t: Float64Array, rows: number) => {
    for (let r = 0; r < rows; r++) {
      let sq = 0;
      for (let j = 0; j < d; j++) sq += t[r * d + j]! ** 2;
      const n = Math.max(Math.sqrt(sq), 1e-12);
      for (let j = 0; j < d; j++) t[r * d + j]! /= n;
    }
  };
  unit(items, numItems);
  const table = new Int32Array(numUsers * k);
  const cos = new Float64Array(numItems);
  const idx: number[] = [];
  for (let u0 = 0; u0 < numUsers; u0 += USER_BLOCK) {
    const rows = Math.min(USER_BLOCK, numUsers - u0);
    const users = read('user', new Int32Array(rows).map((_, r) => u0 + r), rows);
    unit(users, rows);
    for (let r = 0; r < rows; r++) {
      const u = u0 + r;
      idx.length = 0;
      for (let i = 0; i < numItems; i++) {
        if (data.positives.has(u, i)) continue;
        let s = 0;
        for (let j = 0; j < d; j++) s += users[r * d + j]! * items[i * d + j]!;
        cos[i] = s;
        idx.push(i);
      }
      if (idx.length < k) throw new InternalError(`dynamic_dissimilar: user ${u} has ${idx.length} non-interacted items, fewer than k = ${k} (check() refuses such data)`);
      idx.sort((a, b) => cos[a]! - cos[b]! || a - b);
      for (let c = 0; c < k; c++) table[u * k + c] = idx[c]!;
    }
  }
  return table;
}

export const dynamicDissimilar = defineComponent<DynamicDissimilarParams, SamplerBehaviour>({
  slot: 'sampler',
  name: 'dynamic_dissimilar',
  version: 1,
  summary: 'dynamic dissimilar negatives (DNS): a uniform negative plus one of the k least cosine-similar non-interacted items, refreshed every n epochs',
  schema: {
    type: 'object',
    properties: {
      k: { type: 'integer', minimum: 1, maximum: 100000, default: 100, description: 'least similar items retrieved per user at each checkpoint (the paper tunes 10..300)' },
      interval: { type: 'integer', minimum: 1, default: 5, description: 'epochs between checkpoints: the table is rebuilt at epochs 0, n, 2n, ... (the paper\'s n; 5 is its best on MovieLens)' },
    },
    additionalProperties: false,
  },
  create: (p) => {
    let table: Int32Array = new Int32Array(0);
    let builtAt = -1;
    let users = 0;
    return {
      layout: 'per_positive',
      width: () => 2,
      modelAware: false,
      readsEmbeddings: true,
      logq: false,
      check(data: TrainingData) {
        for (let u = 0; u < data.numUsers; u++) {
          const left = data.numItems - data.positives.count(u);
          if (data.positives.count(u) > 0 && left < p.k)
            return `dynamic_dissimilar retrieves k = ${p.k} non-interacted items per user, but user ${u} has only ${left} (the dataset has ${data.numItems} items)`;
        }
        return noNegativesReason(data, true);
      },
      prepare(data) {
        table = new Int32Array(0);
        builtAt = -1;
        users = data.numUsers;
      },
      fill({ data, start, end, epoch, seed, batch, embeddings }) {
        if (epoch % p.interval === 0 && builtAt !== epoch) {
          if (!embeddings) throw new InternalError('dynamic_dissimilar needs the engine to read embeddings');
          table = leastSimilarTable(data, p.k, embeddings);
          builtAt = epoch;
        }
        if (builtAt < 0) throw new InternalError(`dynamic_dissimilar: epoch ${epoch} has no table (a resumed run without its sampler state)`);
        const stream = negativesStream(epoch);
        const pick = (epoch * 16 + Stream.dissimilarPick) >>> 0;
        for (let q = start; q < end; q++) {
          const j = q - start;
          const u = batch.users[j]!;
          drawUniformNegatives(batch.neg, j * 2, 1, u, q, seed, stream, data.numItems, data.positives);
          batch.neg[j * 2 + 1] = table[u * p.k + boundedFrom(hash4(seed, pick, q, 0), p.k)]!;
        }
      },
      exportArrays: (): Record<string, { data: Int32Array; shape: number[] }> =>
        builtAt < 0 ? {} : { dissimilar_table: { data: Int32Array.from(table), shape: [table.length / p.k, p.k] } },
      /** The epoch the table was built at (-1: none yet), then the table. */
      state: {
        save: () => {
          const out = new Float32Array(2 + table.length);
          out[0] = builtAt;
          out[1] = p.k;
          out.set(table, 2);
          return out;
        },
        load: (s) => {
          if (s[1] !== p.k || (s.length - 2) % p.k !== 0 || (s[0]! >= 0 && s.length - 2 !== users * p.k))
            throw new InternalError(`dynamic_dissimilar: a saved table of ${s.length - 2} ids does not fit ${users} users x k = ${p.k}`);
          builtAt = s[0]!;
          table = Int32Array.from(s.subarray(2));
        },
      },
    };
  },
});
