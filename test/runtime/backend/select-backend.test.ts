import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { selectBackend, type BackendName } from '../../../src/runtime/backend/select-backend.js';

const installed = (pkg: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
const tfjsNodeAbsent = !installed('@tensorflow/tfjs-node') && !installed('@tensorflow/tfjs-node-gpu');

describe('selectBackend', () => {
  it("auto picks wasm where tfjs-node is not installed and says why in one line", async function () {
    if (!tfjsNodeAbsent) this.skip();
    const b = await selectBackend('auto');
    assert.equal(b.name, 'wasm');
    assert.equal(b.package, '@tensorflow/tfjs-backend-wasm');
    assert.equal(b.gpu, false);
    assert.equal(b.cpuBound, true);
    assert.match(b.version, /^4\.\d+\.\d+$/);
    assert.match(b.note ?? '', /^skipped @tensorflow\/tfjs-node-gpu: not installed; @tensorflow\/tfjs-node: not installed; (no )?SIMD, 1 thread$/);
    assert.equal(b.tf.getBackend(), 'wasm');
  });

  it('is idempotent: the same name gives the same Backend and re-activates it', async () => {
    const a = await selectBackend('auto');
    const c = await selectBackend('cpu');
    assert.notEqual(a.name, 'cpu');
    assert.equal(c.tf.getBackend(), 'cpu');
    assert.equal(await selectBackend('cpu'), c);
    assert.equal(await selectBackend('auto'), a);
    assert.equal(a.tf.getBackend(), a.name);
  });

  it('an unavailable explicit backend is a UsageError naming the reason and what is available', async function () {
    if (!tfjsNodeAbsent) this.skip();
    await assert.rejects(selectBackend('tensorflow'), {
      name: 'UsageError',
      message: "backend 'tensorflow' is not available (@tensorflow/tfjs-node-gpu: not installed; @tensorflow/tfjs-node: not installed); available: wasm, cpu",
    });
  });

  it('an unknown backend name is a UsageError listing the names', async () => {
    await assert.rejects(selectBackend('webgl' as BackendName), { name: 'UsageError', message: "unknown backend 'webgl': expected one of auto, tensorflow, wasm, cpu" });
  });

  for (const name of ['cpu', 'wasm'] as const) {
    it(`${name}: gather and its gradient give the right numbers (row kernels registered)`, async () => {
      const { tf } = await selectBackend(name);
      assert.equal(tf.getBackend(), name);
      const x = tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      const idx = tf.tensor1d([2, 0, 2, 2], 'int32');
      const g = tf.gather(x, idx);
      assert.deepEqual(Array.from(await g.data()), [5, 6, 1, 2, 5, 6, 5, 6]);
      // d/dx sum(w * gather(x, idx)): row 0 gets w[1] = (100, 1000); row 1 nothing;
      // row 2 gets w[0] + w[2] + w[3] = (1 + 0.5 + 2, 10 + 0.25 + 4) = (3.5, 14.25).
      const w = tf.tensor2d([1, 10, 100, 1000, 0.5, 0.25, 2, 4], [4, 2]);
      const dx = tf.grad((t) => tf.sum(tf.mul(tf.gather(t, idx), w)))(x);
      assert.deepEqual(Array.from(await dx.data()), [100, 1000, 0, 0, 3.5, 14.25]);
      // gather of a 1-D table and with a 2-D index (the row kernel's general shapes)
      const v = tf.gather(tf.tensor1d([7, 8, 9]), tf.tensor2d([0, 2, 1, 1], [2, 2], 'int32'));
      assert.deepEqual(v.shape, [2, 2]);
      assert.deepEqual(Array.from(await v.data()), [7, 9, 8, 8]);
      // unsortedSegmentSum drops out-of-range segment ids, as TensorFlow does
      const s = tf.unsortedSegmentSum(tf.tensor2d([1, 1, 2, 2, 4, 4], [3, 2]), tf.tensor1d([1, -1, 1], 'int32'), 3);
      assert.deepEqual(Array.from(await s.data()), [0, 0, 5, 5, 0, 0]);
      // gather along axis 1 falls back to the backend's own kernel
      const a1 = tf.gather(x, tf.tensor1d([1], 'int32'), 1);
      assert.deepEqual(Array.from(await a1.data()), [2, 4, 6]);
      // transposes: the identity copies (cpu's fast path), a real permutation still permutes
      const t0 = tf.transpose(x, [0, 1]);
      const t1 = tf.transpose(x, [1, 0]);
      assert.deepEqual([t0.shape, Array.from(await t0.data())], [[3, 2], [1, 2, 3, 4, 5, 6]]);
      assert.deepEqual([t1.shape, Array.from(await t1.data())], [[2, 3], [1, 3, 5, 2, 4, 6]]);
      tf.dispose([x, idx, g, w, dx, v, s, a1, t0, t1]);
    });
  }
});
