/**
 * What a moving aggregation does when one row (a user under onebp, an item under user_only)
 * occurs several times in one batch.
 *
 * - `last` (default; the OneBP reference code): every occurrence computes
 *   beta * row_old + (1 - beta) * other_new from the row as it was before the batch, and the last
 *   occurrence in batch order is the one written (PyTorch indexed assignment semantics).
 * - `sequential`: occurrences are applied one after another in batch order, each starting from
 *   the previous one's result: after m occurrences, row = beta^m row_old + sum_k (1 - beta) beta^(m-k) other_k.
 */
export const duplicatesProperty = {
  type: 'string',
  enum: ['last', 'sequential'],
  default: 'last',
  description: 'a row that occurs several times in a batch: last = the last occurrence wins (reference code), sequential = applied in batch order',
} as const;
