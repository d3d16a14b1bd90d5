import assert from 'node:assert/strict';
import { bindModel } from '../../../src/components/catalogue.js';
import { hard } from '../../../src/components/samplers/hard.js';
import { hars } from '../../../src/components/samplers/hars.js';
import { inBatch } from '../../../src/components/samplers/in-batch.js';
import { itemCounts, popularity, popularityWeights } from '../../../src/components/samplers/popularity.js';
import { drawUniformNegatives, negativesStream } from '../../../src/components/samplers/uniform.js';
import { UserItems } from '../../../src/core/user-items.js';
import type { TrainingData } from '../../../src/contract/training.js';
import { allocBatch, epochOrder, fillBatch } from '../../../src/runtime/training/epoch.js';

/** 3 users; item i has i + 1 training interactions for i < 5 (item 5 none): skewed popularity. */
function skewed(): TrainingData {
  const users: number[] = [];
  const items: number[] = [];
  for (let i = 0; i < 5; i++) for (let u = 0; u <= i && u < 3; u++) users.push(u), items.push(i);
  // items 3 and 4 need more users than 3: add pairs from extra users
  let extra = 3;
  for (let i = 3; i < 5; i++) for (let c = 3; c <= i; c++) users.push(extra++), items.push(i);
  const positives = UserItems.fromPairs(extra, 6, Int32Array.from(users), Int32Array.from(items));
  const p = positives.pairs();
  return { numUsers: extra, numItems: 6, pairUsers: p.users, pairItems: p.items, positives };
}

describe('samplers', () => {
  it('popularity: item counts and q(i) proportional to count^power (0^power = 0; power 0 is uniform)', () => {
    const data = skewed();
    assert.deepEqual(Array.from(itemCounts(data)), [1, 2, 3, 4, 5, 0]);
    const q = popularityWeights(itemCounts(data), 1);
    assert.deepEqual(Array.from(q, (x) => Math.round(x * 15)), [1, 2, 3, 4, 5, 0]);
    assert.deepEqual(Array.from(popularityWeights(itemCounts(data), 0)), Array(6).fill(1 / 6));
  });

  for (const power of [1, 0.5]) {
    it(`popularity(power: ${power}): draw frequencies lie within 3 standard errors of q(i)`, () => {
      const data = skewed();
      const sampler = popularity.bind({ negatives: 1, exclude_positives: false, power });
      sampler.prepare(data);
      const q = popularityWeights(itemCounts(data), power);
      const counts = new Float64Array(6);
      const batchSize = data.pairUsers.length;
      const buf = allocBatch(batchSize, sampler);
      let N = 0;
      for (let epoch = 0; epoch < 1500; epoch++) {
        fillBatch(data, { batch: batchSize, seed: 9 }, sampler, epochOrder(batchSize, 9, epoch, true), epoch, 0, buf);
        for (let b = 0; b < buf.size; b++) counts[buf.neg[b]!]! += 1;
        N += buf.size;
      }
      for (let i = 0; i < 6; i++) {
        const se = Math.sqrt((q[i]! * (1 - q[i]!)) / N);
        const f = counts[i]! / N;
        assert.ok(Math.abs(f - q[i]!) <= 3 * se + 1e-12, `item ${i}: frequency ${f} vs q ${q[i]} (3 se = ${3 * se})`);
      }
      assert.equal(counts[5], 0, 'an item without interactions is never drawn');
    });
  }

  it('popularity: check() names a user left without a drawable item', () => {
    // user 0 has items 0..4, and item 5 has no interactions: nothing to draw under power 1
    assert.match(popularity.bind({ negatives: 1, exclude_positives: true, power: 1 }).check(skewed()) ?? '', /user 0 has no item with a popularity above 0/);
    assert.equal(popularity.bind({ negatives: 1, exclude_positives: true, power: 0 }).check(skewed()), null);
  });

  it("popularity: excludes the user's positives and keeps a pair's negatives distinct", () => {
    // user u has items u and u + 1 (7 items, every one with a count above 0)
    const us = Int32Array.from({ length: 12 }, (_, q) => q >> 1);
    const is = Int32Array.from({ length: 12 }, (_, q) => (q >> 1) + (q & 1));
    const positives = UserItems.fromPairs(6, 7, us, is);
    const pp = positives.pairs();
    const data: TrainingData = { numUsers: 6, numItems: 7, pairUsers: pp.users, pairItems: pp.items, positives };
    const sampler = popularity.bind({ negatives: 2, exclude_positives: true, power: 1 });
    assert.equal(sampler.check(data), null);
    sampler.prepare(data);
    const buf = allocBatch(data.pairUsers.length, sampler);
    for (let epoch = 0; epoch < 50; epoch++) {
      fillBatch(data, { batch: data.pairUsers.length, seed: 1 }, sampler, epochOrder(data.pairUsers.length, 1, epoch, true), epoch, 0, buf);
      for (let b = 0; b < buf.size; b++) {
        const [x, y] = [buf.neg[2 * b]!, buf.neg[2 * b + 1]!];
        assert.ok(!data.positives.has(buf.users[b]!, x) && !data.positives.has(buf.users[b]!, y), 'drew a positive');
        assert.notEqual(x, y);
      }
    }
  });

  it('hard: the highest-scored of the C uniform candidates the uniform sequence draws, best first', () => {
    const data = skewed();
    const sampler = hard.bind({ candidates: 4, negatives: 2, exclude_positives: false });
    assert.equal(sampler.modelAware, true);
    const buf = allocBatch(4, sampler);
    // score of (user, item) = item * 10 - user: the best candidates are the largest item ids
    const score = (users: Int32Array, items: Int32Array, rows: number, perRow: number) => Float64Array.from({ length: rows * perRow }, (_, q) => items[q]! * 10 - users[Math.floor(q / perRow)]!);
    const order = epochOrder(data.pairUsers.length, 3, 0, false);
    fillBatch(data, { batch: 4, seed: 3 }, sampler, order, 0, 0, buf, score);
    for (let b = 0; b < 4; b++) {
      const cand = new Int32Array(4);
      drawUniformNegatives(cand, 0, 4, buf.users[b]!, b, 3, negativesStream(0), 6, null);
      const best = Array.from(cand).sort((x, y) => y - x);
      assert.deepEqual([buf.neg[2 * b], buf.neg[2 * b + 1]], best.slice(0, 2), `row ${b}: candidates ${Array.from(cand)}`);
    }
  });

  it('hars: asks the engine for the euclidean measure and keeps the nearest candidates, nearest first', () => {
    const data = skewed();
    const sampler = hars.bind({ candidates: 4, negatives: 2, exclude_positives: false });
    const buf = allocBatch(4, sampler);
    const measures: (string | undefined)[] = [];
    // -|u - v|^2 with one-dimensional embeddings u = 2.5 for every user, v = item id: nearest = ids closest to 2.5
    const score = (_users: Int32Array, items: Int32Array, rows: number, perRow: number, measure?: string) => {
      measures.push(measure);
      return Float64Array.from({ length: rows * perRow }, (_, q) => -((2.5 - items[q]!) ** 2));
    };
    fillBatch(data, { batch: 4, seed: 3 }, sampler, epochOrder(data.pairUsers.length, 3, 0, false), 0, 0, buf, score);
    assert.deepEqual(measures, ['euclidean']);
    for (let b = 0; b < 4; b++) {
      const cand = new Int32Array(4);
      drawUniformNegatives(cand, 0, 4, buf.users[b]!, b, 3, negativesStream(0), 6, null);
      // stable: of two items equally near (2 and 3) the earlier draw wins
      const nearest = Array.from(cand.keys()).sort((x, y) => Math.abs(2.5 - cand[x]!) - Math.abs(2.5 - cand[y]!)).map((k) => cand[k]);
      assert.deepEqual([buf.neg[2 * b], buf.neg[2 * b + 1]], nearest.slice(0, 2), `row ${b}: candidates ${Array.from(cand)}`);
    }
  });

  it('hard: negatives above candidates is refused with a reason', () => {
    assert.match(hard.bind({ candidates: 2, negatives: 3, exclude_positives: true }).check(skewed()) ?? '', /negatives must be at most candidates/);
  });

  it("in_batch: every row scores the batch's positives; a row's own positive (and equal items) is masked; logQ terms are -log q", () => {
    const data = skewed();
    const sampler = inBatch.bind({ logq: true });
    sampler.prepare(data);
    const buf = allocBatch(6, sampler);
    fillBatch(data, { batch: 6, seed: 1 }, sampler, epochOrder(data.pairUsers.length, 1, 0, true), 0, 0, buf);
    const B = buf.size;
    const cols = 1 + B;
    assert.equal(buf.layout, 'shared');
    assert.deepEqual(Array.from(buf.neg.subarray(0, B)), Array.from(buf.pos.subarray(0, B)));
    const counts = itemCounts(data);
    const total = data.pairUsers.length;
    for (let b = 0; b < B; b++) {
      assert.equal(buf.mask![b * cols], 0);
      assert.equal(buf.mask![b * cols + 1 + b], 1, 'own positive not masked');
      for (let k = 0; k < B; k++) assert.equal(buf.mask![b * cols + 1 + k], buf.pos[k] === buf.pos[b] ? 1 : 0);
      assert.ok(Math.abs(buf.logq![b * cols]! + Math.log(counts[buf.pos[b]!]! / total)) < 1e-12);
      for (let k = 0; k < B; k++) assert.ok(Math.abs(buf.logq![b * cols + 1 + k]! + Math.log(counts[buf.pos[k]!]! / total)) < 1e-12);
    }
    const plain = inBatch.bind({ logq: false });
    assert.equal(allocBatch(6, plain).logq, null);
  });

  it('bindModel refuses parameters that do not match the schema (the runtime trusts nothing unvalidated)', () => {
    assert.throws(
      () => bindModel({ encoder: { name: 'mf', params: { dim: 0 } }, sampler: { name: 'uniform', params: {} }, loss: { name: 'bpr', params: {} }, backprop: { name: 'both', params: {} }, optimizer: { name: 'sgd', params: {} } }),
      /encoder 'mf': parameters .* do not match its schema/,
    );
  });
});
