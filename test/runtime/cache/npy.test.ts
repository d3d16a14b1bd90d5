import assert from 'node:assert/strict';
import { decodeNpy, encodeNpy } from '../../../src/runtime/cache/npy.js';

describe('npy', () => {
  it('writes the exact NumPy 1.0 header for a float32 matrix', () => {
    const b = encodeNpy(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
    const headerLen = b[8]! | (b[9]! << 8);
    const header = new TextDecoder().decode(b.subarray(10, 10 + headerLen));
    assert.equal(header.trimEnd(), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    assert.equal((10 + headerLen) % 64, 0, 'data starts 64-byte aligned');
    assert.equal(header.endsWith('\n'), true);
    assert.equal(b.length, 10 + headerLen + 24);
  });
  it('round-trips every supported dtype and 1-d shapes', () => {
    for (const a of [Float32Array.of(1.5, -2), Float64Array.of(Math.PI), Int32Array.of(-7, 8, 9), Uint8Array.of(0, 255)]) {
      const d = decodeNpy(encodeNpy(a, [a.length]));
      assert.equal(d.data.constructor, a.constructor);
      assert.deepEqual(Array.from(d.data), Array.from(a));
      assert.deepEqual(d.shape, [a.length]);
    }
  });
  it('rejects a truncated body and a foreign file', () => {
    const b = encodeNpy(Float32Array.of(1, 2), [2]);
    assert.throws(() => decodeNpy(b.subarray(0, b.length - 1)), /body has 7 bytes, expected 8/);
    assert.throws(() => decodeNpy(new TextEncoder().encode('hello world')), /not a \.npy file/);
  });
  it('rejects a shape that does not match the data', () => {
    assert.throws(() => encodeNpy(Float32Array.of(1, 2, 3), [2, 2]), /does not match length 3/);
  });
});
