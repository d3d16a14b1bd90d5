import assert from 'node:assert/strict';
import { kmeans } from '../../../src/review/analysis/kmeans.js';

/** Four points at distance 0.5 around each centre: every blob's mean is its centre. */
function blobs(centres: [number, number][]): Float32Array {
  const out: number[] = [];
  for (const [x, y] of centres) out.push(x + 0.5, y, x - 0.5, y, x, y + 0.5, x, y - 0.5);
  return Float32Array.from(out);
}

describe('kmeans', () => {
  it('recovers well separated blobs with their means and inertia', () => {
    const data = blobs([[0, 0], [10, 0], [0, 10]]);
    const r = kmeans(data, 12, 2, 3, 1);
    for (let b = 0; b < 3; b++) {
      const l = r.labels[4 * b]!;
      for (let j = 1; j < 4; j++) assert.equal(r.labels[4 * b + j], l, `blob ${b}`);
    }
    assert.equal(new Set(r.labels).size, 3);
    const centreOf = (l: number) => [r.centroids[2 * l]!, r.centroids[2 * l + 1]!];
    assert.deepEqual(centreOf(r.labels[0]!), [0, 0]);
    assert.deepEqual(centreOf(r.labels[4]!), [10, 0]);
    assert.deepEqual(centreOf(r.labels[8]!), [0, 10]);
    assert.ok(Math.abs(r.inertia - 12 * 0.25) < 1e-12);
  });

  it('with k = 1 returns the mean after one update', () => {
    const r = kmeans(Float32Array.from([0, 0, 2, 0, 0, 4, 2, 4]), 4, 2, 1, 9);
    assert.deepEqual(Array.from(r.labels), [0, 0, 0, 0]);
    assert.deepEqual(Array.from(r.centroids), [1, 2]);
    assert.equal(r.inertia, 20); // each point is 1^2 + 2^2 away
    assert.equal(r.iterations, 1);
  });

  it('with k = n puts every distinct point in its own cluster', () => {
    const data = Float32Array.from([0, 0, 1, 0, 0, 1, 3, 3, -2, 5]);
    const r = kmeans(data, 5, 2, 5, 3);
    assert.equal(new Set(r.labels).size, 5);
    assert.equal(r.inertia, 0);
    for (let i = 0; i < 5; i++) {
      const l = r.labels[i]!;
      assert.deepEqual([r.centroids[2 * l], r.centroids[2 * l + 1]], [data[2 * i], data[2 * i + 1]]);
    }
  });

  it('handles duplicates: more clusters than distinct points re-seeds empty clusters', () => {
    const data = Float32Array.from([1, 1, 1, 1, 1, 1, 5, 5, 5, 5]);
    const two = kmeans(data, 5, 2, 2, 4);
    assert.equal(two.inertia, 0);
    assert.equal(two.labels[0], two.labels[2]);
    assert.notEqual(two.labels[0], two.labels[3]);
    const three = kmeans(data, 5, 2, 3, 4);
    assert.equal(three.inertia, 0);
    assert.deepEqual([...new Set(three.labels)].sort(), [0, 1, 2]); // no cluster left empty
    assert.ok(three.centroids.every((v) => v === 1 || v === 5));
  });

  it('is deterministic in the seed, and more restarts never do worse than the first', () => {
    const data = new Float32Array(200);
    for (let i = 0; i < 200; i++) data[i] = Math.sin(i * 12.9898) * 43758.5453 % 1; // fixed scatter
    const a = kmeans(data, 100, 2, 5, 42);
    const b = kmeans(data, 100, 2, 5, 42);
    assert.deepEqual(a, b);
    const one = kmeans(data, 100, 2, 5, 42, { restarts: 1 });
    assert.ok(a.inertia <= one.inertia);
    const other = kmeans(data, 100, 2, 5, 43, { restarts: 1 });
    assert.notDeepEqual(one.labels, other.labels);
  });

  it('rejects k outside [1, n] and mis-sized data', () => {
    assert.throws(() => kmeans(new Float32Array(4), 2, 2, 3, 0), RangeError);
    assert.throws(() => kmeans(new Float32Array(4), 2, 2, 0, 0), RangeError);
    assert.throws(() => kmeans(new Float32Array(5), 2, 2, 1, 0), RangeError);
  });
});
