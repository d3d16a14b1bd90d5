import type { UserItems } from '../../core/user-items.js';
import type { Tables } from '../engine/engine.js';

/**
 * Full-ranking top-K: for each requested user, the k best items over all items minus the
 * excluded ones (the union of `exclude`'s rows for that user).
 *
 * The definition every Ranker implements exactly:
 * - score(u, i) = dot(user_u, item_i) for 'dot'; for 'cosine', dot(user_u, item_i / max(|item_i|, 1e-12))
 *   (the user's norm is a positive factor common to all of that user's scores, so it cannot
 *   change the order and is left out);
 * - order: higher score first; exactly equal scores are ordered by item id, lower id first;
 * - excluded items never appear; when fewer than k items remain, the row is padded with -1.
 * Scores are computed in float32 or better; results may differ between rankers only where two
 * scores differ by float rounding (then both orders are within tolerance of the definition).
 */
export interface RankRequest {
  tables: Tables;
  users: Int32Array;
  exclude: readonly UserItems[];
  k: number;
  similarity: 'dot' | 'cosine';
}

export interface Ranker {
  readonly name: string;
  /** users.length x k item ids, row-major, best first; -1 padding when fewer candidates. */
  topK(req: RankRequest): Promise<Int32Array>;
}
