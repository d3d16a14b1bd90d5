import assert from 'node:assert/strict';
import { InternalError } from '../../../../src/core/errors.js';
import {
  buildNormalizedAdjacency, buildNormalizedAdjacencyReference, NORMALIZED_ADJACENCY_VERSION, summarizeAdjacency,
} from '../../../../src/components/encoders/graph/normalized-adjacency.js';
import { randomPairs } from './random-graph.js';

const i32 = (a: number[]) => Int32Array.from(a);

describe('normalized adjacency (LightGCN Â = D^-1/2 A D^-1/2)', () => {
  it('2 users x 3 items, worked by hand', () => {
    // pairs u0-i0, u0-i1, u1-i1, u1-i2, and u0-i1 again (counted once)
    // nodes: 0 = u0, 1 = u1, 2 = i0, 3 = i1, 4 = i2; degrees u0 2, u1 2, i0 1, i1 2, i2 1
    // Â[u0][i0] = 1/sqrt(2*1), Â[u0][i1] = 1/sqrt(2*2) = 1/2, Â[u1][i1] = 1/2, Â[u1][i2] = 1/sqrt(2)
    const adj = buildNormalizedAdjacency(2, 3, i32([0, 1, 0, 1, 0]), i32([1, 2, 0, 1, 1]));
    const h = Math.fround(Math.SQRT1_2);
    assert.equal(adj.n, 5);
    assert.equal(adj.nnz, 8);
    assert.deepEqual(Array.from(adj.indptr), [0, 2, 4, 5, 7, 8]);
    assert.deepEqual(Array.from(adj.indices), [2, 3, 3, 4, 0, 0, 1, 1]);
    assert.deepEqual(Array.from(adj.values), [h, 0.5, 0.5, h, h, 0.5, 0.5, h]);
    const ref = buildNormalizedAdjacencyReference(2, 3, i32([0, 1, 0, 1, 0]), i32([1, 2, 0, 1, 1]));
    assert.deepEqual(Array.from(ref.indptr), Array.from(adj.indptr));
    assert.deepEqual(Array.from(ref.indices), Array.from(adj.indices));
    const r = Math.SQRT1_2;
    Array.from(ref.values).forEach((v, j) => assert.ok(Math.abs(v - [r, 0.5, 0.5, r, r, 0.5, 0.5, r][j]!) < 1e-15, `value ${j}: ${v}`));
  });

  it('matches the float64 reference on a random graph with duplicates and isolated nodes: same rows, values its f32 rounding', () => {
    const { numUsers, numItems, pairUsers, pairItems } = randomPairs(53, 41, 400, 5);
    const adj = buildNormalizedAdjacency(numUsers, numItems, pairUsers, pairItems);
    const ref = buildNormalizedAdjacencyReference(numUsers, numItems, pairUsers, pairItems);
    assert.ok(adj.nnz < 2 * pairUsers.length, 'the graph has duplicates');
    assert.equal(adj.nnz, ref.nnz);
    assert.deepEqual(adj.indptr, ref.indptr);
    assert.deepEqual(adj.indices, ref.indices);
    for (let j = 0; j < adj.nnz; j++) {
      // the two formulas may differ by an f64 ulp; the f32 rounding then differs by at most half an f32 ulp
      assert.ok(Math.abs(adj.values[j]! - ref.values[j]!) <= ref.values[j]! * 2 ** -24 * 1.0001, `value ${j}`);
    }
  });

  it('is symmetric, with ascending columns, users linked only to items, and every row of D^-1/2 A D^-1/2 right', () => {
    const { numUsers, numItems, pairUsers, pairItems } = randomPairs(30, 20, 150, 8);
    const adj = buildNormalizedAdjacency(numUsers, numItems, pairUsers, pairItems);
    const at = new Map<string, number>();
    const deg = (r: number) => adj.indptr[r + 1]! - adj.indptr[r]!;
    for (let r = 0; r < adj.n; r++)
      for (let j = adj.indptr[r]!; j < adj.indptr[r + 1]!; j++) {
        const c = adj.indices[j]!;
        if (j > adj.indptr[r]!) assert.ok(c > adj.indices[j - 1]!, `row ${r} ascending`);
        assert.equal(r < numUsers, c >= numUsers, `row ${r} column ${c} across the bipartition`);
        assert.equal(adj.values[j], Math.fround(1 / Math.sqrt(deg(r) * deg(c))));
        at.set(`${r},${c}`, adj.values[j]!);
      }
    for (const [k, v] of at) {
      const [r, c] = k.split(',');
      assert.equal(at.get(`${c},${r}`), v, `Â[${c}][${r}] = Â[${r}][${c}]`);
    }
  });

  it('is a function of the pair set: reordered pairs give the same CSR and summary', () => {
    const { numUsers, numItems, pairUsers, pairItems } = randomPairs(25, 19, 120, 3);
    const perm = Array.from(pairUsers.keys()).reverse();
    perm.push(perm[0]!, perm[5]!); // and some duplicates more
    const a = buildNormalizedAdjacency(numUsers, numItems, pairUsers, pairItems);
    const b = buildNormalizedAdjacency(numUsers, numItems, i32(perm.map((p) => pairUsers[p]!)), i32(perm.map((p) => pairItems[p]!)));
    assert.deepEqual(b, a);
    assert.deepEqual(summarizeAdjacency(b), summarizeAdjacency(a));
  });

  it('summary: sizes, isolated nodes, and a digest that changes with the content', () => {
    // u2 and i3 have no pairs
    const adj = buildNormalizedAdjacency(3, 4, i32([0, 1, 0, 1, 0]), i32([1, 2, 0, 1, 1]));
    const s = summarizeAdjacency(adj);
    assert.deepEqual({ ...s, sha256: undefined }, {
      version: NORMALIZED_ADJACENCY_VERSION, numUsers: 3, numItems: 4, n: 7, nnz: 8, edges: 4, isolatedUsers: 1, isolatedItems: 1, maxDegree: 2, sha256: undefined,
    });
    assert.match(s.sha256, /^[0-9a-f]{64}$/);
    const other = summarizeAdjacency(buildNormalizedAdjacency(3, 4, i32([0, 1, 0, 1, 0]), i32([1, 2, 0, 3, 1])));
    assert.notEqual(other.sha256, s.sha256);
    assert.equal(other.nnz, s.nnz);
  });

  it('an empty pair set gives n empty rows', () => {
    const adj = buildNormalizedAdjacency(2, 2, i32([]), i32([]));
    assert.deepEqual(Array.from(adj.indptr), [0, 0, 0, 0, 0]);
    assert.equal(adj.nnz, 0);
  });

  it('refuses pairs outside the users x items range or of different lengths', () => {
    assert.throws(() => buildNormalizedAdjacency(2, 3, i32([0, 2]), i32([0, 0])), InternalError);
    assert.throws(() => buildNormalizedAdjacency(2, 3, i32([0]), i32([3])), InternalError);
    assert.throws(() => buildNormalizedAdjacency(2, 3, i32([0, 1]), i32([0])), InternalError);
    assert.throws(() => buildNormalizedAdjacencyReference(2, 3, i32([-1]), i32([0])), InternalError);
  });
});
