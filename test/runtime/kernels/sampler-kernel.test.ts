import assert from 'node:assert/strict';
import { boundedFrom, CounterRng, hash4, shuffleInPlace, Stream } from '../../../src/core/rng.js';
import { UserItems } from '../../../src/core/user-items.js';
import { KernelPool } from '../../../src/runtime/kernels/kernel-pool.js';
import { drawUniformNegatives } from '../../../src/components/samplers/uniform.js';
import { negativesStream } from '../../../src/runtime/training/epoch.js';

/** The positives in kernel memory: CSR rows and the equivalent bitset. */
function place(pool: KernelPool, pos: UserItems): { indptr: number; indices: number; bits: number } {
  const indptr = pool.alloc((pos.numUsers + 1) * 4);
  const indices = pool.alloc(Math.max(1, pos.nnz) * 4);
  pool.i32(indptr, pos.numUsers + 1).set(pos.indptr);
  pool.i32(indices, pos.nnz).set(pos.indices);
  const words = Math.ceil(pos.numItems / 32);
  const bits = pool.alloc(pos.numUsers * words * 4);
  const b = pool.i32(bits, pos.numUsers * words);
  for (let u = 0; u < pos.numUsers; u++) for (const i of pos.row(u)) b[u * words + (i >>> 5)]! |= 1 << (i & 31);
  return { indptr, indices, bits };
}

describe('kernel random numbers and negative sampler (bit-exact mirrors of core/rng.ts and samplers/uniform.ts)', () => {
  let pool: KernelPool;
  before(async () => {
    pool = await KernelPool.create(1);
  });
  after(() => pool.dispose());

  it('hash4 and boundedFrom agree on random and extreme words', () => {
    const rng = new CounterRng(3, 9);
    const words = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x9e3779b9];
    for (let i = 0; i < 2000; i++) {
      const [s, t, a, b] = i < words.length ** 2 ? [words[i % words.length]!, 2, words[Math.floor(i / words.length)]!, i] : [rng.nextU32(), rng.nextU32(), rng.nextU32(), rng.nextU32()];
      assert.equal(pool.kernels.hash4At(s, t, a, b) >>> 0, hash4(s, t, a, b), `hash4(${s}, ${t}, ${a}, ${b})`);
    }
    for (const h of [0, 1, 65535, 65536, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, ...Array.from({ length: 500 }, () => rng.nextU32())])
      for (const n of [1, 2, 3, 7, 1000, 3706, 65537, 0x7fffffff])
        assert.equal(pool.kernels.boundedAt(h, n) >>> 0, boundedFrom(h, n), `boundedFrom(${h}, ${n})`);
  });

  it('the in-kernel shuffle is shuffleInPlace (the epoch order of every engine)', () => {
    const mark = pool.mark();
    for (const len of [1, 2, 17, 5000]) {
      const p = pool.alloc(len * 4);
      const a = pool.i32(p, len);
      for (let i = 0; i < len; i++) a[i] = i;
      pool.kernels.shuffleAt(p, len, 2022, Stream.shuffle, 5);
      const expected = Int32Array.from({ length: len }, (_, i) => i);
      shuffleInPlace(expected, 2022, Stream.shuffle, 5);
      assert.deepEqual(pool.i32(p, len), expected);
    }
    pool.release(mark);
  });

  it('draws the same negatives as drawUniformNegatives, with CSR and with bitset membership, including the fallback for crowded users', () => {
    const mark = pool.mark();
    const numItems = 40;
    const n = 6;
    // user 0: 10 positives; 1: 34 positives (exactly n left); 2: 37 (3 left < n: repeats allowed); 3: 39 (1 left); 4: none
    const rows = [10, 34, 37, 39, 0];
    const users: number[] = [];
    const items: number[] = [];
    const rng = new CounterRng(5, 5);
    rows.forEach((count, u) => {
      const chosen = new Set<number>();
      while (chosen.size < count) chosen.add(rng.int(numItems));
      for (const i of chosen) {
        users.push(u);
        items.push(i);
      }
    });
    const pos = UserItems.fromPairs(rows.length, numItems, Int32Array.from(users), Int32Array.from(items));
    const { indptr, indices, bits } = place(pool, pos);
    const out = pool.alloc(n * 4);
    const expected = new Int32Array(n);
    let repeats = 0;
    for (const exclude of [true, false])
      for (let u = 0; u < rows.length; u++)
        for (let position = 0; position < 300; position++) {
          const stream = negativesStream(position % 3);
          drawUniformNegatives(expected, 0, n, u, position, 2022, stream, numItems, exclude ? pos : null);
          for (const b of exclude ? [0, bits] : [0]) {
            pool.kernels.drawNegativesAt(out, n, u, position, 2022, stream, numItems, exclude ? 1 : 0, indptr, indices, b);
            assert.deepEqual(pool.i32(out, n), expected, `user ${u}, position ${position}, exclude ${exclude}, ${b ? 'bitset' : 'csr'}`);
          }
          if (exclude) for (const i of expected) assert.ok(!pos.has(u, i), `user ${u} drew its positive ${i}`);
          if (new Set(expected).size < n) repeats++;
        }
    // the fallback (fewer than n items left) really was exercised
    assert.ok(repeats > 0);
    pool.release(mark);
  });
});
