import assert from 'node:assert/strict';
import { CounterRng } from '../../../../src/core/rng.js';
import { UserItems } from '../../../../src/core/user-items.js';
import type { Tables } from '../../../../src/runtime/engine/engine.js';
import type { GpuContext } from '../../../../src/runtime/engine/webgpu/gpu-device.js';
import type { RankRequest } from '../../../../src/runtime/evaluation/rank.js';
import { createWebgpuRanker } from '../../../../src/runtime/evaluation/webgpu-ranker.js';
import { gpuOrSkip } from './gpu-for-tests.js';

/** The definition of rank.ts by brute force in float64: (score desc, id asc), excluded items skipped, -1 padding. */
function scoresOf(req: RankRequest, u: number): Float64Array {
  const d = req.tables.dim;
  const numItems = req.tables.item.length / d;
  const s = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) {
    let dot = 0;
    let nn = 0;
    for (let j = 0; j < d; j++) {
      dot += req.tables.user[u * d + j]! * req.tables.item[i * d + j]!;
      nn += req.tables.item[i * d + j]! ** 2;
    }
    s[i] = req.similarity === 'cosine' ? dot / Math.max(Math.sqrt(nn), 1e-12) : dot;
  }
  return s;
}

function bruteForce(req: RankRequest): Int32Array {
  const out = new Int32Array(req.users.length * req.k).fill(-1);
  req.users.forEach((u, q) => {
    const s = scoresOf(req, u);
    const c = Array.from(s.keys()).filter((i) => !req.exclude.some((e) => e.has(u, i)));
    c.sort((a, b) => s[b]! - s[a]! || a - b);
    c.slice(0, req.k).forEach((i, j) => (out[q * req.k + j] = i));
  });
  return out;
}

function tables(numUsers: number, numItems: number, d: number, seed: number, integer: boolean): Tables {
  const rng = new CounterRng(seed, 1);
  const draw = () => (integer ? rng.int(5) - 2 : rng.normal());
  const item = Float32Array.from({ length: numItems * d }, draw);
  // planted exact ties: item 7 copies item 3; item 12 is item 5 times 2 (the same cosine)
  item.copyWithin(7 * d, 3 * d, 4 * d);
  for (let j = 0; j < d; j++) item[12 * d + j] = 2 * item[5 * d + j]!;
  return { user: Float32Array.from({ length: numUsers * d }, draw), item, dim: d };
}

function exclusions(numUsers: number, numItems: number, perUser: number, seed: number): UserItems {
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

describe('webgpu ranker: WGSL tiled scoring, masking and top-K vs the float64 definition', function () {
  this.timeout(120000);
  let gpu: GpuContext;
  before(async function () {
    gpu = await gpuOrSkip(this);
  });
  const numUsers = 21;
  const numItems = 140;
  const users = Int32Array.from([20, 0, 3, 3, 7, 11, 19, 2, 5, 13, 8, 1, 14, 17, 9, 4]);
  const train = exclusions(numUsers, numItems, 6, 1);
  const valid = exclusions(numUsers, numItems, 2, 2);

  for (const similarity of ['dot', 'cosine'] as const)
    for (const k of [1, 5, 20])
      it(`integer tables (exact ties) ${similarity}, k = ${k}, two exclusion sets: the exact definition`, async () => {
        const req: RankRequest = { tables: tables(numUsers, numItems, 6, 3, true), users, exclude: [train, valid], k, similarity };
        const got = await createWebgpuRanker(gpu).topK(req);
        assert.deepEqual(Array.from(got), Array.from(bruteForce(req)));
      });

  it('normal tables at dim 37: every rank holds the definition score within float32 rounding', async () => {
    const req: RankRequest = { tables: tables(numUsers, numItems, 37, 9, false), users, exclude: [train], k: 10, similarity: 'dot' };
    const got = await createWebgpuRanker(gpu).topK(req);
    const want = bruteForce(req);
    req.users.forEach((u, q) => {
      const s = scoresOf(req, u);
      for (let r = 0; r < req.k; r++) {
        const g = got[q * req.k + r]!;
        assert.ok(g >= 0 && !train.has(u, g), `user ${u} rank ${r}: item ${g} is excluded or missing`);
        assert.ok(Math.abs(s[g]! - s[want[q * req.k + r]!]!) < 1e-4, `user ${u} rank ${r}: item ${g} scores ${s[g]}, the definition's ${s[want[q * req.k + r]!]}`);
      }
    });
  });

  it('pads with -1 when fewer than k items remain', async () => {
    const all = UserItems.fromPairs(2, 5, Int32Array.from([0, 0, 0, 1]), Int32Array.from([0, 1, 3, 2]));
    const t: Tables = { user: Float32Array.from([1, 0, 0, 1]), item: Float32Array.from([5, 0, 4, 1, 3, 0, 2, 2, 1, 9]), dim: 2 };
    const got = await createWebgpuRanker(gpu).topK({ tables: t, users: Int32Array.from([0, 1]), exclude: [all], k: 4, similarity: 'dot' });
    // user 0 (scores = first column): items 2 and 4 remain; user 1 (second column): 4, 3, 1, 0
    assert.deepEqual(Array.from(got), [2, 4, -1, -1, 4, 3, 1, 0]);
  });
});
