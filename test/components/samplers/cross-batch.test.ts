import assert from 'node:assert/strict';
import { bindModel } from '../../../src/components/catalogue.js';
import { crossBatch } from '../../../src/components/samplers/cross-batch.js';
import { itemCounts } from '../../../src/components/samplers/popularity.js';
import { CounterRng } from '../../../src/core/rng.js';
import { UserItems } from '../../../src/core/user-items.js';
import type { Batch, EmbeddingReader, Tables64, TrainingData } from '../../../src/contract/training.js';
import { referenceGradients } from '../../../src/runtime/engine/reference/reference-step.js';
import { allocBatch, copyBatch, fillBatch } from '../../../src/runtime/training/epoch.js';
import { finiteDifferenceError } from '../../runtime/reference/configs.js';
import { compileFiles, BASE, errorsOf, brief } from '../../compiler/helpers.js';

/** 4 users, 6 items; item i is the positive of (i % 3) + 1 pairs: counts 1, 2, 3, 1, 2, 3 over 12 pairs. */
function data(): TrainingData {
  const users: number[] = [];
  const items: number[] = [];
  for (let i = 0; i < 6; i++) for (let c = 0; c <= i % 3; c++) users.push(c), items.push(i);
  const positives = UserItems.fromPairs(4, 6, Int32Array.from(users), Int32Array.from(items));
  const p = positives.pairs();
  return { numUsers: 4, numItems: 6, pairUsers: p.users, pairItems: p.items, positives };
}

/** Embedding of item i at "step" t: (i, t), so a banked vector says which step enqueued it. */
function readerAt(step: () => number): EmbeddingReader {
  return (which, ids, count) => {
    const out = new Float64Array(count * 2);
    for (let r = 0; r < count; r++) out.set([which === 'item' ? ids[r]! : -1, step()], r * 2);
    return out;
  };
}

/** Fills batch b (identity order, batch size 2) and returns a copy. */
function fillAt(d: TrainingData, sampler: ReturnType<typeof crossBatch.bind>, buf: Batch, b: number, reader: EmbeddingReader): Batch {
  const order = Int32Array.from({ length: d.pairUsers.length }, (_, i) => i);
  return copyBatch(fillBatch(d, { batch: 2, seed: 1 }, sampler, order, 0, b, buf, null, reader));
}

describe('sampler cross_batch (CBNS)', () => {
  it('the bank is FIFO: after k batches it holds the last min(2k, M) positives, oldest first, each with the embedding of the step that enqueued it', () => {
    const d = data();
    const s = crossBatch.bind({ memory: 5, warmup: 0, logq: false });
    s.prepare(d);
    const buf = allocBatch(2, s);
    let step = 0;
    const reader = readerAt(() => step);
    // pairs in canonical order (user, then item): items 0, 1, 2, 3, 4, 5 (user 0), 1, 2, 4, 5 (user 1), 2, 5 (user 2)
    const seen: Batch[] = [];
    for (let b = 0; b < 5; b++, step++) seen.push(fillAt(d, s, buf, b, reader));
    // batch 0 sees an empty bank: every bank column masked
    assert.equal(seen[0]!.width, 2 + 5);
    for (let row = 0; row < 2; row++) for (let j = 0; j < 5; j++) assert.equal(seen[0]!.mask![row * 8 + 3 + j], 1);
    // batch 1: the bank holds batch 0's two positives (items 0, 1 from step 0), then 3 empty slots
    assert.deepEqual(Array.from(seen[1]!.neg.subarray(2, 4)), [0, 1]);
    assert.deepEqual(Array.from(seen[1]!.bank!.vectors.subarray(0, 4)), [0, 0, 1, 0]);
    assert.deepEqual(Array.from(seen[1]!.mask!.subarray(3, 8)), [0, 0, 1, 1, 1]);
    // batch 4: 8 positives were enqueued (items 0, 1 | 2, 3 | 4, 5 | 1, 2 at steps 0..3); the bank keeps the last 5, oldest first
    assert.deepEqual(Array.from(seen[4]!.neg.subarray(2, 7)), [3, 4, 5, 1, 2]);
    assert.deepEqual(Array.from({ length: 5 }, (_, j) => seen[4]!.bank!.vectors[j * 2 + 1]), [1, 2, 2, 3, 3]);
    // batch 4's rows have items 4 and 5: each row's own item is masked in the bank (M u B \ {I})
    assert.deepEqual(Array.from(seen[4]!.mask!.subarray(3, 8)), [0, 1, 0, 0, 0]);
    assert.deepEqual(Array.from(seen[4]!.mask!.subarray(8 + 3, 16)), [0, 0, 1, 0, 0]);
    // batch 3 (items 1, 2) sees items 1..5 in the bank
    assert.deepEqual(Array.from(seen[3]!.neg.subarray(2, 7)), [1, 2, 3, 4, 5]);
    assert.deepEqual(Array.from(seen[3]!.mask!.subarray(3, 8)), [1, 0, 0, 0, 0]);
  });

  it('warm-up: the first `warmup` steps use in-batch negatives only (the bank fills meanwhile)', () => {
    const d = data();
    const s = crossBatch.bind({ memory: 4, warmup: 2, logq: false });
    s.prepare(d);
    const buf = allocBatch(2, s);
    const reader = readerAt(() => 0);
    const b0 = fillAt(d, s, buf, 0, reader);
    const b1 = fillAt(d, s, buf, 1, reader);
    const b2 = fillAt(d, s, buf, 2, reader);
    for (const b of [b0, b1]) for (let r = 0; r < 2; r++) assert.deepEqual(Array.from(b.mask!.subarray(r * 7 + 3, r * 7 + 7)), [1, 1, 1, 1]);
    // step 2 opens the bank, already holding 4 entries (items 0..3; the rows' items 4, 5 are not among them)
    assert.deepEqual(Array.from(b2.neg.subarray(2, 6)), [0, 1, 2, 3]);
    for (let r = 0; r < 2; r++) assert.deepEqual(Array.from(b2.mask!.subarray(r * 7 + 3, r * 7 + 7)), [0, 0, 0, 0]);
  });

  it('logQ terms: -log(count / pairs) per column, the bank keeping its entries\' terms (hand-computed)', () => {
    const d = data();
    assert.deepEqual(Array.from(itemCounts(d)), [1, 2, 3, 1, 2, 3]);
    const s = crossBatch.bind({ memory: 3, warmup: 0, logq: true });
    s.prepare(d);
    const buf = allocBatch(2, s);
    const reader = readerAt(() => 0);
    fillAt(d, s, buf, 0, reader);
    fillAt(d, s, buf, 1, reader);
    const b = fillAt(d, s, buf, 2, reader); // rows: items 4, 5; bank: items 1, 2, 3 (the last 3 of 0..3)
    const L = (c: number) => -Math.log(c / 12);
    const row0 = Array.from(b.logq!.subarray(0, 6));
    // [positive 4 | in-batch 4, 5 | bank 1, 2, 3] with counts 2 | 2, 3 | 2, 3, 1
    const want = [L(2), L(2), L(3), L(2), L(3), L(1)];
    row0.forEach((x, k) => assert.ok(Math.abs(x - want[k]!) < 1e-12, `column ${k}: ${x} vs ${want[k]}`));
  });

  it('gradients: a banked vector is a constant, so its score reaches the user only (finite differences agree)', () => {
    const d = data();
    const model = bindModel({
      encoder: { name: 'mf', params: { dim: 2 } },
      sampler: { name: 'cross_batch', params: { memory: 3 } },
      loss: { name: 'infonce', params: { temperature: 0.7 } },
      backprop: { name: 'both', params: {} },
      optimizer: { name: 'sgd', params: {} },
    });
    const enc = model.encoder.prepare(d);
    const rng = new CounterRng(3, 1);
    const t: Tables64 = { user: Float64Array.from({ length: 8 }, () => rng.normal()), item: Float64Array.from({ length: 12 }, () => rng.normal()), dim: 2 };
    // rows (u0, item 0), (u1, item 1); in-batch items 0, 1; bank: items 5, 4, 0 with vectors unlike their rows
    const batch: Batch = {
      size: 2,
      users: Int32Array.of(0, 1),
      pos: Int32Array.of(0, 1),
      layout: 'shared',
      width: 5,
      neg: Int32Array.of(0, 1, 5, 4, 0),
      mask: Uint8Array.of(0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0),
      logq: null,
      bank: { count: 3, vectors: Float64Array.of(0.3, -1.2, 2, 0.5, -0.7, 0.1) },
    };
    const g = referenceGradients(t, batch, model, enc);
    // item 5 and item 4 occur only in the bank: no gradient reaches their rows
    assert.deepEqual(Array.from(g.gItem.subarray(8, 12)), [0, 0, 0, 0]);
    const { worst, scale } = finiteDifferenceError(t, g, () => referenceGradients(t, batch, model, enc).loss);
    assert.ok(scale > 1e-3 && worst / scale < 1e-6, `max |analytic - fd| / max |fd| = ${worst / scale}`);
    // the user's gradient does depend on the banked vectors
    const other = { ...batch, bank: { count: 3, vectors: Float64Array.of(0, 0, 0, 0, 0, 0) } };
    assert.notDeepEqual(Array.from(referenceGradients(t, other, model, enc).gUser), Array.from(g.gUser));
  });

  it('the bank is saved and restored with its FIFO position and step count', () => {
    const d = data();
    const s = crossBatch.bind({ memory: 3, warmup: 3, logq: true });
    s.prepare(d);
    const buf = allocBatch(2, s);
    let step = 0;
    const reader = readerAt(() => step);
    for (let b = 0; b < 2; b++, step++) fillAt(d, s, buf, b, reader);
    const saved = s.state!.save();
    const straight = [fillAt(d, s, buf, 2, reader), fillAt(d, s, buf, 3, reader)];
    const resumed = crossBatch.bind({ memory: 3, warmup: 3, logq: true });
    resumed.prepare(d);
    resumed.state!.load(saved);
    const rbuf = allocBatch(2, resumed);
    const again = [fillAt(d, resumed, rbuf, 2, reader), fillAt(d, resumed, rbuf, 3, reader)];
    assert.deepEqual(again, straight);
    assert.throws(() => crossBatch.bind({ memory: 4, warmup: 0, logq: false }).state!.load(saved), /does not fit memory 4/);
  });

  it('memory below 1 is a located error of expc check', () => {
    const r = compileFiles({ 'x.exp': BASE + 'run b { sampler: cross_batch(memory: 0) }\n' });
    const errs = errorsOf(r).map(brief);
    assert.equal(errs.length, 1, errs.join('\n'));
    assert.match(errs[0]!, /^[a-z-]+@5:38 .*memory/);
    assert.deepEqual(errorsOf(compileFiles({ 'x.exp': BASE + 'run b { sampler: cross_batch(memory: 1) }\n' })), []);
  });
});
