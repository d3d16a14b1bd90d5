import assert from 'node:assert/strict';
import { CounterRng } from '../../../src/core/rng.js';
import { UserItems } from '../../../src/core/user-items.js';
import type { RankRequest } from '../../../src/runtime/evaluation/rank.js';
import { createWasmRanker } from '../../../src/runtime/evaluation/wasm-ranker.js';

/** The definition, by brute force: score every item (float32 products summed in float64), sort, drop excluded. */
function bruteForce(req: RankRequest): Int32Array {
  const { tables, users, exclude, k } = req;
  const d = tables.dim;
  const ni = tables.item.length / d;
  const out = new Int32Array(users.length * k).fill(-1);
  users.forEach((u, q) => {
    const cands: { i: number; s: number }[] = [];
    for (let i = 0; i < ni; i++) {
      if (exclude.some((e) => e.has(u, i))) continue;
      let s = 0;
      let norm = 0;
      for (let j = 0; j < d; j++) {
        s += tables.user[u * d + j]! * tables.item[i * d + j]!;
        norm += tables.item[i * d + j]! ** 2;
      }
      if (req.similarity === 'cosine') s /= Math.max(Math.sqrt(norm), 1e-12);
      cands.push({ i, s });
    }
    cands.sort((a, b) => b.s - a.s || a.i - b.i);
    cands.slice(0, k).forEach((c, r) => (out[q * k + r] = c.i));
  });
  return out;
}

/** Integer-valued rows, so that every score is exact in float32 and ties are real ties. */
function tiedTables(numUsers: number, numItems: number, d: number, seed: number) {
  const rng = new CounterRng(seed, 1);
  return {
    user: Float32Array.from({ length: numUsers * d }, () => rng.int(5) - 2),
    item: Float32Array.from({ length: numItems * d }, () => rng.int(3) - 1),
    dim: d,
  };
}

function randomSet(numUsers: number, numItems: number, perUser: (u: number) => number, seed: number): UserItems {
  const rng = new CounterRng(seed, 2);
  const us: number[] = [];
  const is: number[] = [];
  for (let u = 0; u < numUsers; u++) for (let c = 0; c < perUser(u); c++) {
    us.push(u);
    is.push(rng.int(numItems));
  }
  return UserItems.fromPairs(numUsers, numItems, Int32Array.from(us), Int32Array.from(is));
}

describe('wasm ranker vs brute force', () => {
  for (const threads of [1, 2]) {
    it(`${threads} thread(s): planted ties (lower id first), exclusions from two sets, users with fewer candidates than k`, async () => {
      const ranker = await createWasmRanker({ threads });
      try {
        const numUsers = 23;
        const numItems = 37; // not a multiple of the 8-item tile
        const tables = tiedTables(numUsers, numItems, 5, 3);
        // user 3 has all but 4 items excluded, user 4 all items excluded
        const train = randomSet(numUsers, numItems, (u) => (u === 3 || u === 4 ? 200 : 6), 4);
        const all = UserItems.fromPairs(numUsers, numItems, Int32Array.from({ length: numItems * 2 }, (_, i) => (i < numItems ? 3 : 4)), Int32Array.from({ length: numItems * 2 }, (_, i) => i % numItems));
        const keep3 = new Set([0, 8, 9, 36]);
        const crowded = UserItems.fromPairs(numUsers, numItems, all.pairs().users.filter((u, q) => u === 4 || !keep3.has(all.pairs().items[q]!)), all.pairs().items.filter((i, q) => all.pairs().users[q] === 4 || !keep3.has(i)));
        const valid = randomSet(numUsers, numItems, () => 3, 5);
        const users = Int32Array.from([0, 3, 4, 5, 22, 1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 3]);
        // dot only: integer scores are exact in float32, so ties are ties for every ranker (cosine ties are not exact)
        for (const k of [1, 5, 20]) {
          const req: RankRequest = { tables, users, exclude: [train, valid, crowded], k, similarity: 'dot' };
          assert.deepEqual(await ranker.topK(req), bruteForce(req), `k=${k}`);
        }
        const got = await ranker.topK({ tables, users: Int32Array.from([3, 4]), exclude: [crowded], k: 6, similarity: 'dot' });
        assert.deepEqual(Array.from(got.subarray(6)), [-1, -1, -1, -1, -1, -1]);
        assert.deepEqual(Array.from(got.subarray(0, 6)).sort((a, b) => a - b), [-1, -1, 0, 8, 9, 36]);
        // ties really occur in this fixture: some user's k-th and (k+1)-th scores are equal
        const full = bruteForce({ tables, users, exclude: [], k: numItems, similarity: 'dot' });
        let ties = 0;
        users.forEach((u, q) => {
          for (let r = 0; r + 1 < numItems; r++) {
            const a = full[q * numItems + r]!;
            const b = full[q * numItems + r + 1]!;
            let sa = 0;
            let sb = 0;
            for (let j = 0; j < 5; j++) {
              sa += tables.user[u * 5 + j]! * tables.item[a * 5 + j]!;
              sb += tables.user[u * 5 + j]! * tables.item[b * 5 + j]!;
            }
            if (sa === sb) ties++;
          }
        });
        assert.ok(ties > 50, `only ${ties} ties`);
      } finally {
        await ranker.dispose();
      }
    });
  }

  it('random float tables: same top-k as brute force (no near-ties at this scale), empty requests and k > items', async () => {
    const ranker = await createWasmRanker({ threads: 2 });
    try {
      const rng = new CounterRng(8, 8);
      const d = 19;
      const numUsers = 50;
      const numItems = 301;
      const tables = { user: Float32Array.from({ length: numUsers * d }, () => rng.normal()), item: Float32Array.from({ length: numItems * d }, () => rng.normal()), dim: d };
      const train = randomSet(numUsers, numItems, () => 30, 9);
      const users = Int32Array.from({ length: numUsers }, (_, i) => numUsers - 1 - i);
      for (const similarity of ['dot', 'cosine'] as const) {
        const req: RankRequest = { tables, users, exclude: [train], k: 10, similarity };
        assert.deepEqual(await ranker.topK(req), bruteForce(req));
      }
      assert.deepEqual(await ranker.topK({ tables, users: new Int32Array(0), exclude: [train], k: 10, similarity: 'dot' }), new Int32Array(0));
      const req: RankRequest = { tables, users: Int32Array.from([0, 1]), exclude: [train], k: 400, similarity: 'dot' };
      const got = await ranker.topK(req);
      assert.deepEqual(got, bruteForce(req));
      assert.equal(got[399], -1);
    } finally {
      await ranker.dispose();
    }
  });

  it('rejects a malformed request with the shared message', async () => {
    const ranker = await createWasmRanker({ threads: 1 });
    try {
      const tables = { user: new Float32Array(8), item: new Float32Array(12), dim: 4 };
      await assert.rejects(ranker.topK({ tables, users: Int32Array.from([2]), exclude: [], k: 3, similarity: 'dot' }), /user 2 is not in \[0, 2\)/);
      await assert.rejects(ranker.topK({ tables, users: Int32Array.from([0]), exclude: [], k: 0, similarity: 'dot' }), /k must be an integer >= 1, got 0/);
    } finally {
      await ranker.dispose();
    }
  });
});
