import assert from 'node:assert/strict';
import { pairScores } from '../../../src/runtime/engine/batch-scores.js';

describe('pairScores: the measures model-aware samplers rank candidates by', () => {
  // users (1, 2) and (0, 1); items (1, 0), (3, 4), (0, 0)
  const E = { user: Float64Array.of(1, 2, 0, 1), item: Float64Array.of(1, 0, 3, 4, 0, 0), dim: 2, stride: 2 };
  const users = Int32Array.of(0, 1);
  const items = Int32Array.of(0, 1, 1, 2);

  it('dot: u.v', () => {
    assert.deepEqual(Array.from(pairScores(E, users, items, 2, 2, 'dot')), [1, 11, 4, 0]);
  });

  it('cosine: u.v / (|u| |v|)', () => {
    const got = pairScores(E, users, Int32Array.of(0, 1, 1, 1), 2, 2, 'cosine');
    const want = [1 / Math.sqrt(5), 11 / (Math.sqrt(5) * 5), 4 / 5, 4 / 5];
    got.forEach((g, q) => assert.ok(Math.abs(g - want[q]!) < 1e-12, `${q}: ${g} vs ${want[q]}`));
  });

  it('euclidean: -|u - v|^2, so that the nearest item scores highest', () => {
    // user 0 (1,2): to (1,0) 4, to (3,4) 8; user 1 (0,1): to (3,4) 18, to (0,0) 1
    assert.deepEqual(Array.from(pairScores(E, users, items, 2, 2, 'euclidean')), [-4, -8, -18, -1]);
  });
});
