import assert from 'node:assert/strict';
import { InternalError, UserError } from '../../../src/core/errors.js';
import { shuffleInPlace, Stream } from '../../../src/core/rng.js';
import type { LoadedDataset, SplitData } from '../../../src/runtime/data/dataset.js';
import { UserItems } from '../../../src/core/user-items.js';
import { lightgcnLoader } from '../../../src/runtime/datasets/lightgcn.js';
import { movielens100kLoader } from '../../../src/runtime/datasets/movielens-100k.js';
import { applySplit } from '../../../src/runtime/splits/apply-split.js';
import { heldOutCount } from '../../../src/runtime/splits/holdout.js';
import { FIXTURES, makeCtx, requireShared, SHARED } from './helpers.js';

/** A data set from per-user item lists (items 0..numItems-1). */
function dataset(rows: number[][], numItems: number, part?: number[][]): LoadedDataset {
  const users: number[] = [];
  const items: number[] = [];
  const parts: number[] = [];
  rows.forEach((row, u) =>
    row.forEach((i, k) => {
      users.push(u);
      items.push(i);
      parts.push(part?.[u]?.[k] ?? 0);
    }),
  );
  return {
    numUsers: rows.length,
    numItems,
    users: Int32Array.from(users),
    items: Int32Array.from(items),
    part: part ? Uint8Array.from(parts) : null,
    userIds: null,
    itemIds: null,
    itemTypes: null,
    inputs: [],
  };
}

const counts = (s: UserItems): number[] => Array.from({ length: s.numUsers }, (_, u) => s.count(u));

/** Asserts train/valid/test are disjoint and together hold exactly the data set's pairs. */
function assertPartition(s: SplitData, d: LoadedDataset): void {
  const sets = [s.train, s.valid, s.test].filter((x): x is UserItems => x !== null);
  let total = 0;
  for (let u = 0; u < s.numUsers; u++) {
    for (const a of sets) for (const b of sets) if (a !== b) for (const i of a.row(u)) assert.ok(!b.has(u, i), `pair (${u}, ${i}) in two sets`);
  }
  for (const x of sets) total += x.nnz;
  assert.equal(total, d.users.length);
  for (let k = 0; k < d.users.length; k++) assert.ok(sets.some((x) => x.has(d.users[k]!, d.items[k]!)));
}

// users with 1, 2, 5, 10 and 3 interactions
const HAND = dataset([[4], [0, 9], [1, 2, 3, 5, 8], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [7, 2, 5]], 10);

describe('splits', () => {
  describe('holdout', () => {
    it('holds out min(round(test·n), n-1) per user, then min(round(valid·r), r-1) of the rest', () => {
      const s = applySplit('holdout', { test: 0.2, valid: 0.25, seed: 3 }, HAND);
      assert.deepEqual(counts(s.test), [0, 0, 1, 2, 1]);
      assert.deepEqual(counts(s.valid!), [0, 1, 1, 2, 1]);
      assert.deepEqual(counts(s.train), [1, 1, 3, 6, 1]);
      assertPartition(s, HAND);
      const big = applySplit('holdout', { test: 0.9 }, HAND);
      assert.deepEqual(counts(big.test), [0, 1, 4, 9, 2]);
      assert.equal(big.valid, null);
      assert.deepEqual(counts(big.train), [1, 1, 1, 1, 1]);
    });

    it('takes the first n_test items of the seeded shuffle of each sorted row', () => {
      const s = applySplit('holdout', { test: 0.3, valid: 0.2, seed: 11 }, HAND);
      for (let u = 0; u < HAND.numUsers; u++) {
        const row = Int32Array.from(HAND.items.filter((_, k) => HAND.users[k] === u)).sort();
        shuffleInPlace(row, 11, Stream.split, u);
        const nTest = heldOutCount(0.3, row.length);
        const nValid = heldOutCount(0.2, row.length - nTest);
        assert.deepEqual([...s.test.row(u)], [...row.slice(0, nTest)].sort((a, b) => a - b));
        assert.deepEqual([...s.valid!.row(u)], [...row.slice(nTest, nTest + nValid)].sort((a, b) => a - b));
      }
    });

    it('is deterministic, differs between seeds and ignores the order of the pairs', () => {
      const a = applySplit('holdout', { seed: 1 }, HAND);
      assert.deepEqual(applySplit('holdout', { seed: 1 }, HAND), a);
      assert.notDeepEqual(applySplit('holdout', { seed: 2 }, HAND).test, a.test);
      const reversed = { ...HAND, users: HAND.users.slice().reverse(), items: HAND.items.slice().reverse() };
      assert.deepEqual(applySplit('holdout', { seed: 1 }, reversed), a);
    });

    it('re-splits all pairs of a data set with parts', () => {
      const withParts = dataset([[0, 1, 2, 3, 4]], 5, [[0, 0, 0, 1, 1]]);
      const s = applySplit('holdout', { test: 0.2 }, withParts);
      assert.equal(s.test.nnz, 1);
      assert.equal(s.train.nnz, 4);
    });

    it('per_user false applies the rule once to all pairs; a user may lose all training items', () => {
      const s = applySplit('holdout', { test: 0.5, valid: 0.5, per_user: false, seed: 5 }, HAND);
      assert.equal(s.test.nnz, 11); // round(0.5·21)
      assert.equal(s.valid!.nnz, 5); // round(0.5·10)
      assert.equal(s.train.nnz, 5);
      assertPartition(s, HAND);
      const one = dataset([[0], [1]], 2);
      const o = applySplit('holdout', { test: 0.5, per_user: false, seed: 1 }, one);
      assert.deepEqual([o.train.nnz, o.test.nnz], [1, 1]);
      assert.equal(counts(o.train).filter((c) => c === 0).length, 1);
    });
  });

  describe('predefined', () => {
    it("keeps the files' train and test and carves validation from train", async () => {
      const ctx = makeCtx({ dataDirs: [FIXTURES] });
      const params = { name: 'lightgcn-mini', train: 'train.txt', test: 'test.txt' };
      const d = await lightgcnLoader.load(params, ctx, await lightgcnLoader.resolveInputs(params, ctx));
      const s = applySplit('predefined', {}, d);
      assert.deepEqual(counts(s.train), [3, 2, 0, 0, 1]);
      assert.deepEqual(counts(s.test), [1, 1, 0, 1, 0]);
      assert.equal(s.valid, null);
      const v = applySplit('predefined', { valid: 0.5, seed: 4 }, d);
      assert.deepEqual(counts(v.valid!), [2, 1, 0, 0, 0]); // min(round(0.5·r), r-1) for r = 3, 2, 0, 0, 1
      assert.deepEqual(counts(v.train), [1, 1, 0, 0, 1]);
      assert.deepEqual(v.test, s.test);
      assertPartition(v, d);
      const eight = dataset([[0, 1, 2, 3, 4, 5, 6, 7]], 8, [[0, 0, 0, 0, 0, 0, 0, 1]]);
      const valid = (seed: number) => applySplit('predefined', { valid: 0.5, seed }, eight).valid;
      assert.deepEqual(valid(4), valid(4));
      assert.notDeepEqual(valid(5), valid(4));
    });

    it('needs a data set with parts', () => {
      assert.throws(() => applySplit('predefined', {}, HAND), (e: unknown) => e instanceof UserError && /split 'predefined' needs a dataset whose files define train and test/.test(e.message));
    });
  });

  it('treats unknown names and out-of-range parameters as bugs (the compiler checks them)', () => {
    assert.throws(() => applySplit('kfold', {}, HAND), InternalError);
    assert.throws(() => applySplit('holdout', { test: 1 }, HAND), InternalError);
    assert.throws(() => applySplit('holdout', { folds: 3 }, HAND), InternalError);
  });

  describe('on MovieLens-100K', () => {
    it('80/20 per user: 943 users, 20,000 test pairs = the sum of per-user rounds', async function () {
      requireShared(this, 'ml-100k');
      const ctx = makeCtx({ dataDirs: [SHARED] });
      const params = { min_rating: 0, download: false };
      const d = await movielens100kLoader.load(params, ctx, await movielens100kLoader.resolveInputs(params, ctx));
      const s = applySplit('holdout', { test: 0.2, seed: 2022 }, d);
      const n = Array.from({ length: d.numUsers }, () => 0);
      for (const u of d.users) n[u]!++;
      const expected = n.reduce((a, c) => a + Math.min(Math.round(0.2 * c), c - 1), 0);
      assert.equal(expected, 20000);
      assert.equal(s.test.nnz, 20000);
      assert.equal(s.train.nnz, 80000);
      assert.equal(s.train.activeUsers().length, 943);
      assert.equal(s.test.activeUsers().length, 943);
      const v = applySplit('holdout', { test: 0.2, valid: 0.1, seed: 2022 }, d);
      const expectedValid = n.reduce((a, c) => {
        const r = c - Math.round(0.2 * c);
        return a + Math.min(Math.round(0.1 * r), r - 1);
      }, 0);
      assert.equal(v.valid!.nnz, expectedValid);
      assert.equal(expectedValid, 8057);
      assert.deepEqual(v.test, s.test); // validation comes from what test leaves
      assertPartition(v, d);
    });
  });
});
