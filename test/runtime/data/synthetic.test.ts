import assert from 'node:assert/strict';
import { UserError } from '../../../src/core/errors.js';
import type { LoadedDataset } from '../../../src/runtime/data/dataset.js';
import type { UserItems } from '../../../src/core/user-items.js';
import { generateSynthetic, syntheticLoader } from '../../../src/runtime/datasets/synthetic.js';
import type { SyntheticParams } from '../../../src/components/datasets/synthetic.js';
import { applySplit } from '../../../src/runtime/splits/apply-split.js';
import { makeCtx, originalPairs } from './helpers.js';

const DEFAULTS: SyntheticParams = { users: 600, items: 400, types: 6, interests: 3, per_user: 30, popularity: 0.8, noise: 0.05, seed: 1 };
const P = (over: Partial<SyntheticParams> = {}): SyntheticParams => ({ ...DEFAULTS, ...over });

/** Interactions per user and, per user, the share of its items in its most frequent type. */
function stats(d: LoadedDataset, types: number): { perUser: number[]; topShare: number[] } {
  const perUser = new Array<number>(d.numUsers).fill(0);
  const byType = Array.from({ length: d.numUsers }, () => new Array<number>(types).fill(0));
  for (let k = 0; k < d.users.length; k++) {
    perUser[d.users[k]!]!++;
    byType[d.users[k]!]![d.itemTypes![d.items[k]!]!]!++;
  }
  return { perUser, topShare: byType.map((row, u) => Math.max(...row) / perUser[u]!) };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean recall@k over users with test items, ranking unseen items by `score(u, i)`. */
function recallAt(k: number, train: UserItems, test: UserItems, score: (u: number, i: number) => number): number {
  const recalls: number[] = [];
  for (let u = 0; u < train.numUsers; u++) {
    if (test.count(u) === 0) continue;
    const cands: [number, number][] = [];
    for (let i = 0; i < train.numItems; i++) if (!train.has(u, i)) cands.push([score(u, i), i]);
    cands.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    let hits = 0;
    for (const [, i] of cands.slice(0, k)) if (test.has(u, i)) hits++;
    recalls.push(hits / test.count(u));
  }
  return mean(recalls);
}

describe('synthetic generator', () => {
  const d = generateSynthetic(P());

  it('reads no files', async () => {
    assert.deepEqual(await syntheticLoader.resolveInputs(P(), makeCtx()), []);
    const viaLoader = await syntheticLoader.load(P(), makeCtx(), []);
    assert.deepEqual(viaLoader, d);
  });

  it('deals items into balanced types and uses every item (identity ids)', () => {
    assert.deepEqual([d.numUsers, d.numItems, d.userIds, d.itemIds, d.part], [600, 400, null, null, null]);
    const sizes = new Array<number>(6).fill(0);
    for (const t of d.itemTypes!) sizes[t]!++;
    assert.deepEqual(sizes, [67, 67, 67, 67, 66, 66]);
  });

  it('gives every user at least 5 distinct items, per_user on average', () => {
    const { perUser } = stats(d, 6);
    assert.ok(Math.min(...perUser) >= 5);
    assert.ok(Math.abs(mean(perUser) - 30) < 2, `mean ${mean(perUser)}`);
    assert.ok(Math.max(...perUser) > 2 * Math.min(...perUser), 'counts vary around the mean');
    const logs: string[] = [];
    generateSynthetic(P(), (m) => logs.push(m));
    assert.deepEqual(logs, []); // no repeated pair was generated
    const small = generateSynthetic(P({ per_user: 1 }));
    assert.ok(Math.min(...stats(small, 6).perUser) === 5);
  });

  it('concentrates users on a majority type, with minority interests', () => {
    const { perUser, topShare } = stats(d, 6);
    assert.ok(mean(topShare) > 0.75 && mean(topShare) < 0.9, `mean top-type share ${mean(topShare)}`);
    // a uniform user would put about 1/6 of its items in each type
    assert.ok(topShare.filter((s) => s < 0.4).length === 0);
    const single = stats(generateSynthetic(P({ interests: 1 })), 6);
    assert.ok(mean(single.topShare) > 0.9, `single-interest top share ${mean(single.topShare)}`);
    assert.equal(perUser.length, 600);
  });

  it('skews popularity within types (Zipf), more with a larger exponent', () => {
    const topShareOfItems = (x: LoadedDataset): number => {
      const c = new Array<number>(x.numItems).fill(0);
      for (const i of x.items) c[i]!++;
      c.sort((a, b) => b - a);
      return c.slice(0, x.numItems / 10).reduce((a, b) => a + b, 0) / x.items.length;
    };
    const flat = topShareOfItems(generateSynthetic(P({ popularity: 0 })));
    const skewed = topShareOfItems(d);
    const steep = topShareOfItems(generateSynthetic(P({ popularity: 1.5 })));
    assert.ok(flat < 0.15 && skewed > 0.2 && steep > skewed + 0.05, `${flat} ${skewed} ${steep}`);
  });

  it('is deterministic in the seed, and another seed gives other data', () => {
    const again = generateSynthetic(P());
    assert.deepEqual(again, d);
    const other = generateSynthetic(P({ seed: 2 }));
    assert.notDeepEqual(originalPairs(other), originalPairs(d));
    assert.notDeepEqual(other.itemTypes, d.itemTypes);
  });

  it("keeps a user's data independent of how many users follow", () => {
    const few = generateSynthetic(P({ users: 50 }));
    const all = originalPairs(d);
    const firstFifty = all.filter((p) => Number(p.split(':')[0]) < 50);
    assert.deepEqual(originalPairs(few), firstFifty);
  });

  it('has a signal that popularity alone misses: knowing the user types beats popularity clearly', () => {
    const s = applySplit('holdout', { test: 0.2, seed: 7 }, d);
    const pop = new Array<number>(d.numItems).fill(0);
    for (const i of s.train.indices) pop[i]!++;
    const typeShare = Array.from({ length: d.numUsers }, () => new Array<number>(6).fill(0));
    for (let u = 0; u < d.numUsers; u++) for (const i of s.train.row(u)) typeShare[u]![d.itemTypes![i]!]! += 1 / s.train.count(u);
    const popular = recallAt(20, s.train, s.test, (_, i) => pop[i]!);
    const typed = recallAt(20, s.train, s.test, (u, i) => typeShare[u]![d.itemTypes![i]!]! * pop[i]!);
    assert.ok(typed > 1.5 * popular, `recall@20 popularity ${popular.toFixed(3)}, type-aware ${typed.toFixed(3)}`);
  });

  it('rejects more types than items', () => {
    assert.throws(() => generateSynthetic(P({ items: 4, types: 5 })), (e: unknown) => e instanceof UserError && /types \(5\) must not exceed items \(4\)/.test(e.message));
  });

  it('handles tiny catalogues: fewer items than 5 per user', () => {
    const t = generateSynthetic(P({ users: 3, items: 3, types: 3, interests: 3 }));
    assert.equal(t.users.length, 9);
  });
});
