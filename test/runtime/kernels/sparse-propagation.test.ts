import assert from 'node:assert/strict';
import { InternalError, UserError } from '../../../src/core/errors.js';
import { buildNormalizedAdjacency, buildNormalizedAdjacencyReference, type NormalizedAdjacency } from '../../../src/components/encoders/graph/normalized-adjacency.js';
import { multiplyReference, propagateBackwardReference, propagateForwardReference } from '../../../src/components/encoders/graph/propagation-reference.js';
import { KernelPool } from '../../../src/runtime/kernels/kernel-pool.js';
import { SparsePropagation } from '../../../src/runtime/kernels/sparse-propagation.js';
import { randomPairs, randomTable, type RandomPairs } from '../../components/encoders/graph/random-graph.js';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t]! * b[t]!;
  return s;
};
const abs = (a: ArrayLike<number>) => Float64Array.from(a as ArrayLike<number>, Math.abs);
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * |got - want| <= 1e-5 |Â|^k |x| elementwise: the float32 error of sums of products is bounded
 * relative to the sum of the terms' magnitudes (which the same propagation of |Â| = Â, |x|
 * gives), not to the result, which may cancel to near zero.
 */
function assertClose(got: Float32Array, want: Float64Array, scale: Float64Array, what: string): void {
  assert.equal(got.length, want.length);
  for (let t = 0; t < want.length; t++) {
    const err = Math.abs(got[t]! - want[t]!);
    if (!(err <= 1e-5 * scale[t]! + 1e-30)) assert.fail(`${what}: value ${t} is ${got[t]}, reference ${want[t]} (scale ${scale[t]})`);
  }
}

describe('LightGCN sparse propagation kernels', function () {
  this.timeout(120000);
  const pools = new Map<number, KernelPool>();
  before(async () => {
    for (const t of [1, 2, 3]) pools.set(t, await KernelPool.create(t));
  });
  after(async () => {
    for (const p of pools.values()) await p.dispose();
  });

  /** Runs fn on a propagation placed on the t-thread pool, then frees its memory. */
  async function withPropagation<T>(threads: number, adj: NormalizedAdjacency, dim: number, layers: number, fn: (p: SparsePropagation) => Promise<T>): Promise<T> {
    const pool = pools.get(threads)!;
    const mark = pool.mark();
    const p = SparsePropagation.onPool(pool, adj, { dim, layers, staging: true });
    try {
      return await fn(p);
    } finally {
      await p.dispose();
      pool.release(mark);
    }
  }

  const graph: RandomPairs = randomPairs(61, 47, 420, 11);
  const adj = buildNormalizedAdjacency(graph.numUsers, graph.numItems, graph.pairUsers, graph.pairItems);
  const ref = buildNormalizedAdjacencyReference(graph.numUsers, graph.numItems, graph.pairUsers, graph.pairItems);

  for (const dim of [1, 3, 4, 8, 64])
    for (const layers of [0, 1, 3])
      it(`forward, backward and one layer match the float64 reference within 1e-5 (d = ${dim}, K = ${layers}, 2 threads)`, async () => {
        const x = randomTable(adj.n, dim, 100 + dim);
        const g = randomTable(adj.n, dim, 200 + dim);
        await withPropagation(2, adj, dim, layers, async (p) => {
          assertClose(await p.forward(x), propagateForwardReference(ref, x, dim, layers), propagateForwardReference(ref, abs(x), dim, layers), 'forward');
          assertClose(await p.backward(g), propagateBackwardReference(ref, g, dim, layers), propagateBackwardReference(ref, abs(g), dim, layers), 'backward');
          assertClose(await p.multiply(x), multiplyReference(ref, x, dim), multiplyReference(ref, abs(x), dim), 'multiply');
        });
      });

  it('K = 2, 4 and 5 (the two layer buffers taken in turn) match the reference too', async () => {
    const dim = 5;
    const x = randomTable(adj.n, dim, 9);
    for (const layers of [2, 4, 5])
      await withPropagation(3, adj, dim, layers, async (p) => {
        assertClose(await p.forward(x), propagateForwardReference(ref, x, dim, layers), propagateForwardReference(ref, abs(x), dim, layers), `forward, K = ${layers}`);
      });
  });

  it('backward is the adjoint of forward: <forward(x), g> = <x, backward(g)>', async () => {
    const dim = 5;
    for (const layers of [1, 2, 3, 4]) {
      const x = randomTable(adj.n, dim, 7);
      const g = randomTable(adj.n, dim, 8);
      await withPropagation(2, adj, dim, layers, async (p) => {
        const fx = await p.forward(x);
        const bg = await p.backward(g);
        const lhs = dot(fx, g);
        const rhs = dot(x, bg);
        // each side carries f32 rounding of about 1e-7 relative per term
        const scale = dot(abs(fx), abs(g)) + dot(abs(x), abs(bg));
        assert.ok(Math.abs(lhs - rhs) <= 1e-6 * scale, `K = ${layers}: ${lhs} vs ${rhs}`);
      });
    }
  });

  it('backward is the gradient of L(E) = w . E + E . E / 2 by central differences through the float64 reference', async () => {
    const small = randomPairs(8, 6, 25, 4);
    const a32 = buildNormalizedAdjacency(small.numUsers, small.numItems, small.pairUsers, small.pairItems);
    const a64 = buildNormalizedAdjacencyReference(small.numUsers, small.numItems, small.pairUsers, small.pairItems);
    const dim = 3;
    const layers = 3;
    const x = randomTable(a64.n, dim, 21);
    const w = randomTable(a64.n, dim, 22);
    const loss = (x0: ArrayLike<number>) => {
      const e = propagateForwardReference(a64, x0, dim, layers);
      return dot(w, e) + dot(e, e) / 2;
    };
    // dL/dE = w + E
    const e = propagateForwardReference(a64, x, dim, layers);
    const grad = await withPropagation(3, a32, dim, layers, (p) => p.backward(Float32Array.from(e, (v, k) => v + w[k]!)));
    const xp = Float64Array.from(x);
    const h = 1e-4;
    for (let k = 0; k < xp.length; k++) {
      const x0 = xp[k]!;
      xp[k] = x0 + h;
      const up = loss(xp);
      xp[k] = x0 - h;
      const down = loss(xp);
      xp[k] = x0;
      const fd = (up - down) / (2 * h);
      assert.ok(Math.abs(grad[k]! - fd) <= 1e-5 * (1 + Math.abs(fd)), `coordinate ${k}: kernel ${grad[k]}, finite difference ${fd}`);
    }
  });

  it('is bit-identical for 1, 2 and 3 threads', async () => {
    const big = randomPairs(300, 200, 3000, 13);
    const a = buildNormalizedAdjacency(big.numUsers, big.numItems, big.pairUsers, big.pairItems);
    for (const dim of [8, 20]) {
      const x = randomTable(a.n, dim, 31);
      const g = randomTable(a.n, dim, 32);
      const results: Buffer[][] = [];
      for (const threads of [1, 2, 3])
        results.push(
          await withPropagation(threads, a, dim, 3, async (p) => [bytes(await p.forward(x)), bytes(await p.backward(g)), bytes(await p.multiply(x))]),
        );
      for (const r of results.slice(1)) r.forEach((b, k) => assert.ok(b.equals(results[0]![k]!), `d = ${dim}, output ${k}`));
    }
  });

  it('a user without items and an item without users keep only their layer-0 term', async () => {
    // randomPairs leaves user 0 and item 0 (node numUsers) without pairs
    const iso = [0, adj.numUsers];
    for (const r of iso) assert.equal(adj.indptr[r + 1]! - adj.indptr[r]!, 0);
    const dim = 6;
    const x = randomTable(adj.n, dim, 41);
    for (const layers of [1, 3]) {
      await withPropagation(2, adj, dim, layers, async (p) => {
        const f = await p.forward(x);
        const b = await p.backward(x);
        const m = await p.multiply(x);
        for (const r of iso)
          for (let t = 0; t < dim; t++) {
            const k = r * dim + t;
            // 1/(K+1) is exact in f32 for K = 1 and 3, and the propagated terms are exact zeros
            assert.equal(f[k], Math.fround(x[k]! / (layers + 1)), `forward row ${r}`);
            assert.equal(b[k], Math.fround(x[k]! / (layers + 1)), `backward row ${r}`);
            assert.equal(m[k], 0, `multiply row ${r}`);
          }
      });
    }
  });

  it('the in-memory variants propagate a trainer-style pair of separate tables in place of copies', async () => {
    const dim = 12;
    const layers = 3;
    const x = randomTable(adj.n, dim, 51);
    await withPropagation(2, adj, dim, layers, async (p) => {
      const want = await p.forward(x);
      const pool = p.pool;
      const S = p.stride;
      // item table first, then an unrelated block, then the user table: not adjacent, not in user-item order
      const srcItem = pool.alloc(adj.numItems * S * 4);
      pool.alloc(1000);
      const srcUser = pool.alloc(adj.numUsers * S * 4);
      const dst = p.allocTable();
      pool.f32(srcUser, adj.numUsers * S).set(x.subarray(0, adj.numUsers * dim));
      pool.f32(srcItem, adj.numItems * S).set(x.subarray(adj.numUsers * dim));
      await p.forwardAt({ user: srcUser, item: srcItem }, dst);
      const got = pool.f32(dst.user, adj.n * S);
      assert.ok(bytes(got.slice()).equals(bytes(want)));
      await assert.rejects(p.forwardAt(dst, dst), /overlaps/);
      await assert.rejects(p.forwardAt({ user: srcUser, item: srcItem }, { user: dst.user, item: dst.user + 16 }), /overlap/);
      await assert.rejects(p.multiplyAt({ user: srcUser, item: srcItem }, { user: dst.user + 4, item: dst.item }), /aligned/);
    });
  });

  it('concurrent calls are serialised and give what sequential calls give', async () => {
    const dim = 8;
    const x = randomTable(adj.n, dim, 61);
    const g = randomTable(adj.n, dim, 62);
    await withPropagation(3, adj, dim, 2, async (p) => {
      const [f1, b1, f2] = await Promise.all([p.forward(x), p.backward(g), p.forward(g)]);
      assert.ok(bytes(f1).equals(bytes(await p.forward(x))));
      assert.ok(bytes(b1).equals(bytes(await p.backward(g))));
      assert.ok(bytes(f2).equals(bytes(b1)), 'backward(g) = forward(g): Â is symmetric');
    });
  });

  it('the memory estimate covers what it allocates, and what cannot fit in 4 GiB is refused', async () => {
    const pool = pools.get(1)!;
    for (const [dim, layers] of [[3, 0], [64, 1], [17, 3]] as const) {
      const mark = pool.mark();
      const p = SparsePropagation.onPool(pool, adj, { dim, layers });
      await p.forward(randomTable(adj.n, dim, 1));
      const used = pool.mark() - mark;
      const est = SparsePropagation.memoryBytes({ numUsers: adj.numUsers, numItems: adj.numItems, nnz: adj.nnz, dim, layers });
      assert.ok(used <= est && est - used < 256, `d = ${dim}, K = ${layers}: used ${used}, estimated ${est}`);
      await p.dispose();
      pool.release(mark);
    }
    // 108 rows of 300,000 floats: 4 tables of 130 MB fit; at 3,000,000 floats they do not
    assert.ok(SparsePropagation.memoryBytes({ numUsers: 61, numItems: 47, nnz: adj.nnz, dim: 3_000_000, layers: 3 }) > 2 ** 32);
    assert.throws(() => SparsePropagation.onPool(pool, adj, { dim: 3_000_000, layers: 3, staging: true }), (e: unknown) => e instanceof UserError && /4 GiB/.test(e.message));
    await assert.rejects(SparsePropagation.create(adj, { dim: 3_000_000, layers: 3, threads: 1 }), UserError);
  });

  it('refuses a malformed adjacency and tables of the wrong size', async () => {
    const bad = { ...adj, indices: adj.indices.slice() };
    bad.indices[0] = 0; // a user row pointing at a user
    assert.throws(() => SparsePropagation.onPool(pools.get(1)!, bad, { dim: 4, layers: 1 }), /bipartite/);
    assert.throws(() => SparsePropagation.onPool(pools.get(1)!, adj, { dim: 0, layers: 1 }), InternalError);
    await withPropagation(1, adj, 4, 1, async (p) => {
      await assert.rejects(p.forward(new Float32Array(adj.n * 4 - 1)), /expected/);
    });
  });

  it('on a pool of its own, with room for the caller\'s tables when asked', async () => {
    const p = await SparsePropagation.create(adj, { dim: 4, layers: 2, threads: 2, extraBytes: 2 * (adj.n * 16 + 64) });
    const x = randomTable(adj.n, 4, 71);
    assertClose(await p.forward(x), propagateForwardReference(ref, x, 4, 2), propagateForwardReference(ref, abs(x), 4, 2), 'forward');
    const src = p.allocTable();
    const dst = p.allocTable();
    p.pool.f32(src.user, adj.n * 4).set(x);
    await p.forwardAt(src, dst);
    assert.ok(bytes(p.pool.f32(dst.user, adj.n * 4).slice()).equals(bytes(await p.forward(x))));
    await p.dispose();
    assert.equal(p.pool.liveWorkers, 0);
    await assert.rejects(p.forward(x), /after dispose/);
  });
});
