import assert from 'node:assert/strict';
import { CounterRng } from '../../../src/core/rng.js';
import { UserItems } from '../../../src/core/user-items.js';
import type { Tables } from '../../../src/runtime/engine/engine.js';
import { jsRanker } from '../../../src/runtime/evaluation/js-ranker.js';
import type { RankRequest } from '../../../src/runtime/evaluation/rank.js';
import { createWasmRanker, defaultBlocking, type GemmBlocking } from '../../../src/runtime/evaluation/wasm-ranker.js';

// The GEMM ranker (assembly/gemm-rank.ts) against the float64 JS ranker and the former wasm
// kernel (assembly/rank.ts). What is guaranteed, and so tested:
// - scores bit-identical to the former kernel (same float32 products, added in ascending
//   dimension order from +0), hence the same top-K lists, for any blocking and thread count;
// - the same lists as the float64 JS ranker wherever float32 rounding cannot reorder two items:
//   always on small-integer tables (every score exact in float32: real, exact ties), and on
//   normal tables with planted exact ties (duplicated and scaled item rows).

type Ranker = Awaited<ReturnType<typeof createWasmRanker>>;

function tables(numUsers: number, numItems: number, d: number, seed: number, integer: boolean): Tables {
  const rng = new CounterRng(seed, 1);
  const draw = () => (integer ? rng.int(5) - 2 : rng.normal());
  const user = Float32Array.from({ length: numUsers * d }, draw);
  const item = Float32Array.from({ length: numItems * d }, integer ? () => rng.int(3) - 1 : draw);
  if (numItems > 12) {
    // planted exact ties: item 7 copies item 3; item 12 is item 5 times 2 (equal cosine, exactly)
    item.copyWithin(7 * d, 3 * d, 4 * d);
    for (let j = 0; j < d; j++) item[12 * d + j] = 2 * item[5 * d + j]!;
  }
  return { user, item, dim: d };
}

/** perUser(u) random items per user (duplicates merged); 0 gives users with no excluded items. */
function exclusions(numUsers: number, numItems: number, perUser: (u: number) => number, seed: number): UserItems {
  const rng = new CounterRng(seed, 2);
  const us: number[] = [];
  const is: number[] = [];
  for (let u = 0; u < numUsers; u++)
    for (let c = 0; c < perUser(u); c++) {
      us.push(u);
      is.push(rng.int(numItems));
    }
  return UserItems.fromPairs(numUsers, numItems, Int32Array.from(us), Int32Array.from(is));
}

/** Every item of `users` but those in `keep`: the user has fewer candidates than k. */
function allBut(numUsers: number, numItems: number, users: number[], keep: Set<number>): UserItems {
  const us: number[] = [];
  const is: number[] = [];
  for (const u of users)
    for (let i = 0; i < numItems; i++)
      if (!keep.has(i)) {
        us.push(u);
        is.push(i);
      }
  return UserItems.fromPairs(numUsers, numItems, Int32Array.from(us), Int32Array.from(is));
}

/** Blockings that exercise partial sums across dimension blocks, short item blocks and short user blocks. */
const BLOCKINGS: (GemmBlocking | undefined)[] = [undefined, { users: 5, items: 8, dims: 1 }, { users: 10, items: 16, dims: 3 }, { users: 15, items: 24, dims: 2 }];

describe('gemm ranker', () => {
  const rankers = new Map<string, Ranker>();
  const get = async (threads: number, blocking?: GemmBlocking, chunkUsers?: number, kernel: 'gemm' | 'tile4' = 'gemm') => {
    const key = `${threads}/${JSON.stringify(blocking)}/${chunkUsers}/${kernel}`;
    if (!rankers.has(key)) rankers.set(key, await createWasmRanker({ threads, blocking, chunkUsers, kernel }));
    return rankers.get(key)!;
  };
  after(async () => {
    for (const r of rankers.values()) await r.dispose();
  });

  it('names itself wasm-gemm (the evaluate step records it); the former kernel stays as wasm-simd', async () => {
    assert.equal((await get(2)).name, 'wasm-gemm x2');
    assert.equal((await get(1, undefined, undefined, 'tile4')).name, 'wasm-simd x1');
  });

  for (const d of [1, 3, 6, 17, 35])
    it(`integer tables (exact ties), d=${d}: same lists as the JS ranker for every blocking, with two exclusion sets, users without exclusions, k above the candidates`, async () => {
      const numUsers = 31;
      const numItems = 45; // not a multiple of the 8-item panel
      const t = tables(numUsers, numItems, d, 10 + d, true);
      const train = exclusions(numUsers, numItems, (u) => (u % 5 === 0 ? 0 : 7), 3); // every 5th user excludes nothing
      const valid = exclusions(numUsers, numItems, (u) => u % 3, 4);
      const crowded = allBut(numUsers, numItems, [2, 4], new Set([0, 8, 9, 44])); // 4 candidates at most; user 4 also loses some to train
      const users = Int32Array.from([0, 2, 4, 5, 30, 1, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 2, 29]);
      for (const k of [1, 5, 20, 60]) {
        const req: RankRequest = { tables: t, users, exclude: [train, valid, crowded], k, similarity: 'dot' };
        const want = await jsRanker.topK(req);
        for (const b of BLOCKINGS) assert.deepEqual(await (await get(1, b)).topK(req), want, `k=${k} blocking=${JSON.stringify(b)}`);
        assert.deepEqual(await (await get(2, { users: 5, items: 8, dims: 2 }, 9)).topK(req), want, `k=${k} 2 threads, chunks of 9 users`);
      }
      // ties really occur: with no exclusions, some user has two equal scores among its top 20
      const full = { tables: t, users, exclude: [], k: numItems, similarity: 'dot' as const };
      const ranked = await jsRanker.topK(full);
      const score = (u: number, i: number) => {
        let s = 0;
        for (let j = 0; j < d; j++) s += t.user[u * d + j]! * t.item[i * d + j]!;
        return s;
      };
      let ties = 0;
      users.forEach((u, q) => {
        for (let r = 0; r + 1 < 20; r++) if (score(u, ranked[q * numItems + r]!) === score(u, ranked[q * numItems + r + 1]!)) ties++;
      });
      assert.ok(ties > 20, `only ${ties} ties`);
    });

  it('pads with -1: a user with every item excluded, one with 4 candidates, k above the number of items', async () => {
    const numUsers = 6;
    const numItems = 13;
    const t = tables(numUsers, numItems, 5, 2, true);
    const none = allBut(numUsers, numItems, [1], new Set());
    const four = allBut(numUsers, numItems, [3], new Set([0, 5, 6, 12]));
    const req: RankRequest = { tables: t, users: Int32Array.from([1, 3, 0]), exclude: [none, four], k: 20, similarity: 'dot' };
    for (const b of BLOCKINGS) {
      const got = await (await get(2, b)).topK(req);
      assert.deepEqual(Array.from(got.subarray(0, 20)), new Array(20).fill(-1));
      assert.deepEqual(Array.from(got.subarray(20, 40)).slice(4), new Array(16).fill(-1));
      assert.deepEqual(Array.from(got.subarray(20, 24)).sort((a, b) => a - b), [0, 5, 6, 12]);
      assert.equal(got.subarray(40).indexOf(-1), 13);
      assert.deepEqual(got, await jsRanker.topK(req));
    }
    assert.deepEqual(await (await get(1)).topK({ ...req, users: new Int32Array(0) }), new Int32Array(0));
  });

  for (const similarity of ['dot', 'cosine'] as const)
    it(`normal tables, ${similarity}: bit-identical to the former kernel and the same as the JS ranker (planted ties), for every blocking and 1/2/3 threads`, async () => {
      const numUsers = 70;
      const numItems = 203;
      const d = 13;
      const t = tables(numUsers, numItems, d, 5, false);
      const train = exclusions(numUsers, numItems, (u) => (u % 4 === 0 ? 0 : 25), 6);
      const users = Int32Array.from({ length: numUsers }, (_, i) => (i * 17) % numUsers);
      const req: RankRequest = { tables: t, users, exclude: [train], k: 15, similarity };
      const former = await (await get(1, undefined, undefined, 'tile4')).topK(req);
      assert.deepEqual(former, await jsRanker.topK(req), 'the fixture has no float32 near-ties');
      for (const threads of [1, 2, 3])
        for (const b of BLOCKINGS) assert.deepEqual(await (await get(threads, b, 23)).topK(req), former, `threads=${threads} blocking=${JSON.stringify(b)}`);
    });

  it('larger random problem: 1, 2 and 3 threads and chunked users give the same bits as the former kernel (d=37, default blocking, then dimension blocks of 16)', async () => {
    const numUsers = 300;
    const numItems = 1001;
    const d = 37;
    const t = tables(numUsers, numItems, d, 9, false);
    const train = exclusions(numUsers, numItems, (u) => u % 40, 7);
    const valid = exclusions(numUsers, numItems, () => 3, 8);
    const users = Int32Array.from({ length: 257 }, (_, i) => (i * 7) % numUsers);
    const req: RankRequest = { tables: t, users, exclude: [train, valid], k: 50, similarity: 'dot' };
    const former = await (await get(2, undefined, undefined, 'tile4')).topK(req);
    const want = await (await get(1)).topK(req);
    assert.deepEqual(want, former);
    for (const threads of [2, 3]) assert.deepEqual(await (await get(threads)).topK(req), want, `${threads} threads`);
    assert.deepEqual(await (await get(3, { users: 10, items: 64, dims: 16 }, 70)).topK(req), want, 'dimension blocks of 16, chunks of 70');
  });

  it('blocking: the default splits dimensions above 320 and keeps ~256 KiB item blocks; malformed blockings are refused', async () => {
    assert.deepEqual(defaultBlocking(64), { users: 60, items: 1024, dims: 64 });
    assert.deepEqual(defaultBlocking(1024), { users: 60, items: 256, dims: 256 });
    assert.deepEqual(defaultBlocking(37), { users: 60, items: 1768, dims: 37 });
    await assert.rejects(createWasmRanker({ threads: 1, blocking: { users: 6, items: 8, dims: 4 } }), /users a multiple of 5/);
    await assert.rejects(createWasmRanker({ threads: 1, blocking: { users: 5, items: 12, dims: 4 } }), /items a multiple of 8/);
  });
});

describe('runtime services: the ranker that evaluation uses and records', () => {
  it('on a CPU backend it is the GEMM kernel, and describe() (the run record) names it', async () => {
    const { RuntimeServices } = await import('../../../src/runtime/executor/services.js');
    const s = new RuntimeServices({ backend: 'cpu', engine: 'auto', threads: 2, dataDirs: [], allowDownload: false, checkpointSeconds: 0 });
    try {
      const r = await s.ranker();
      assert.equal(r.name, 'wasm-gemm x2');
      const d = await s.describe();
      assert.equal(d['ranker'], 'wasm-gemm x2');
      assert.equal(d['rankerNote'], null);
    } finally {
      await s.dispose();
    }
  });
});
