import assert from 'node:assert/strict';
import { CounterRng } from '../../../src/core/rng.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import { UserItems } from '../../../src/core/user-items.js';
import type { Tables } from '../../../src/runtime/engine/engine.js';
import { jsRanker } from '../../../src/runtime/evaluation/js-ranker.js';
import type { RankRequest, Ranker } from '../../../src/runtime/evaluation/rank.js';
import { createTfjsRanker } from '../../../src/runtime/evaluation/tfjs-ranker.js';

/** The definition, by brute force: every non-excluded item scored in float64, sorted by (score desc, id asc). */
function bruteForce(req: RankRequest): Int32Array {
  const d = req.tables.dim;
  const numItems = req.tables.item.length / d;
  const out = new Int32Array(req.users.length * req.k).fill(-1);
  const item = Float64Array.from(req.tables.item);
  if (req.similarity === 'cosine')
    for (let i = 0; i < numItems; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += item[i * d + j]! ** 2;
      const n = Math.max(Math.sqrt(s), 1e-12);
      for (let j = 0; j < d; j++) item[i * d + j]! /= n;
    }
  req.users.forEach((u, q) => {
    const cands: { i: number; s: number }[] = [];
    for (let i = 0; i < numItems; i++) {
      if (req.exclude.some((e) => e.has(u, i))) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += req.tables.user[u * d + j]! * item[i * d + j]!;
      cands.push({ i, s });
    }
    cands.sort((a, b) => b.s - a.s || a.i - b.i);
    cands.slice(0, req.k).forEach((c, j) => (out[q * req.k + j] = c.i));
  });
  return out;
}

/** Random tables; `integer` gives small integers (exact float32 dot products: many exactly tied scores). */
function tables(numUsers: number, numItems: number, d: number, seed: number, integer: boolean): Tables {
  const rng = new CounterRng(seed, 1);
  const draw = () => (integer ? rng.int(5) - 2 : rng.normal());
  const user = Float32Array.from({ length: numUsers * d }, draw);
  const item = Float32Array.from({ length: numItems * d }, draw);
  // Planted exact ties: item 7 copies item 3; item 12 is item 5 times 2 (same cosine, exactly).
  item.copyWithin(7 * d, 3 * d, 4 * d);
  for (let j = 0; j < d; j++) item[12 * d + j] = 2 * item[5 * d + j]!;
  return { user, item, dim: d };
}

function randomExclusions(numUsers: number, numItems: number, perUser: number, seed: number): UserItems {
  const rng = new CounterRng(seed, 2);
  const us: number[] = [];
  const is: number[] = [];
  for (let u = 0; u < numUsers; u++)
    for (let j = 0; j < perUser; j++) {
      us.push(u);
      is.push(rng.int(numItems));
    }
  return UserItems.fromPairs(numUsers, numItems, Int32Array.from(us), Int32Array.from(is));
}

describe('rankers: js, tfjs (cpu, wasm) and a brute-force full sort agree', () => {
  const numUsers = 21;
  const numItems = 40;
  const users = Int32Array.from([20, 0, 3, 3, 7, 11, 19, 2, 5, 13, 8, 1, 14, 17, 9, 4]);
  const train = randomExclusions(numUsers, numItems, 6, 1);
  const valid = randomExclusions(numUsers, numItems, 2, 2);

  const rankers = async (): Promise<Ranker[]> => [
    jsRanker,
    createTfjsRanker(await selectBackend('cpu')),
    createTfjsRanker(await selectBackend('wasm')),
    // 3 users per block: exercises the block loop
    createTfjsRanker(await selectBackend('cpu'), { blockCells: 3 * numItems }),
  ];

  for (const integer of [true, false])
    for (const similarity of ['dot', 'cosine'] as const) {
      if (integer && similarity === 'cosine') continue; // cosine of integers is not exact in float32
      it(`${integer ? 'integer tables (many exact ties)' : 'normal tables with planted ties'}, ${similarity}`, async () => {
        const req: RankRequest = { tables: tables(numUsers, numItems, 6, integer ? 3 : 4, integer), users, exclude: [train, valid], k: 10, similarity };
        const want = bruteForce(req);
        for (const r of await rankers()) assert.deepEqual(Array.from(await r.topK(req)), Array.from(want), `${r.name} differs from the brute-force ranking`);
      });
    }

  it('breaks exact ties by item id: identical item rows rank lower id first', async () => {
    // every item row identical: the ranking is 0, 1, 2, ... minus the excluded items
    const d = 3;
    const t: Tables = { user: Float32Array.from([1, 2, 3, -1, 0, 1]), item: new Float32Array(9 * d).fill(0.5), dim: d };
    const ex = UserItems.fromPairs(2, 9, Int32Array.from([0, 0, 1]), Int32Array.from([0, 2, 8]));
    const req: RankRequest = { tables: t, users: Int32Array.from([0, 1]), exclude: [ex], k: 4, similarity: 'dot' };
    for (const r of await rankers()) assert.deepEqual(Array.from(await r.topK(req)), [1, 3, 4, 5, 0, 1, 2, 3], r.name);
  });

  it('pads with -1 when fewer than k items remain, and handles k above the number of items', async () => {
    const d = 2;
    const t: Tables = { user: Float32Array.from([1, 0]), item: Float32Array.from([0.1, 0, 0.3, 0, 0.2, 0, -1, 0]), dim: d };
    // scores 0.1, 0.3, 0.2, -1; items 2 and 3 excluded
    const ex = UserItems.fromPairs(1, 4, Int32Array.from([0, 0]), Int32Array.from([2, 3]));
    const req: RankRequest = { tables: t, users: Int32Array.from([0]), exclude: [ex], k: 5, similarity: 'dot' };
    for (const r of await rankers()) assert.deepEqual(Array.from(await r.topK(req)), [1, 0, -1, -1, -1], r.name);
    // no exclusions, k > numItems: all 4 items then padding
    const all = { ...req, exclude: [] };
    for (const r of await rankers()) assert.deepEqual(Array.from(await r.topK(all)), [1, 2, 0, 3, -1], r.name);
  });

  it('leaves no tensors behind', async () => {
    const b = await selectBackend('cpu');
    const before = b.tf.memory().numTensors;
    await createTfjsRanker(b, { blockCells: 100 }).topK({ tables: tables(numUsers, numItems, 6, 3, true), users, exclude: [train], k: 10, similarity: 'cosine' });
    assert.equal(b.tf.memory().numTensors, before);
  });
});
