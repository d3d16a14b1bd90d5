import { shuffleInPlace, Stream } from '../../core/rng.js';
import { UserError } from '../../core/errors.js';
import type { LoadedDataset, SplitData } from '../data/dataset.js';
import { UserItems } from '../../core/user-items.js';
import { heldOutCount, SplitBuilder, TEST, TRAIN, VALID } from './holdout.js';
import type { PredefinedParams } from '../../components/splits/predefined.js';

/**
 * The split the data files define: part 0 is train, part 1 is test. With valid > 0, user u's
 * r training items (ascending) are shuffled with shuffleInPlace(items, seed, Stream.split, u) and
 * the first n_valid = min(round(valid·r), r − 1) become validation (the holdout rule, so each
 * user keeps at least one training item).
 */
export function predefinedSplit(p: PredefinedParams, data: LoadedDataset): SplitData {
  const part = data.part;
  if (part === null) {
    throw new UserError(
      "split 'predefined' needs a dataset whose files define train and test (lightgcn, or csv with a test file); " +
        'this dataset has no such split: use holdout(test: ...) instead',
    );
  }
  const pick = (which: number): UserItems => {
    let n = 0;
    for (let k = 0; k < part.length; k++) if (part[k] === which) n++;
    const users = new Int32Array(n);
    const items = new Int32Array(n);
    n = 0;
    for (let k = 0; k < part.length; k++) {
      if (part[k] !== which) continue;
      users[n] = data.users[k]!;
      items[n++] = data.items[k]!;
    }
    return UserItems.fromPairs(data.numUsers, data.numItems, users, items);
  };
  const train = pick(0);
  const test = pick(1);
  const out = new SplitBuilder(data.users.length);
  for (let u = 0; u < train.numUsers; u++) {
    const row = train.row(u).slice();
    if (p.valid > 0) shuffleInPlace(row, p.seed, Stream.split, u);
    const nValid = heldOutCount(p.valid, row.length);
    for (let k = 0; k < row.length; k++) out.add(k < nValid ? VALID : TRAIN, u, row[k]!);
    for (const item of test.row(u)) out.add(TEST, u, item);
  }
  return out.build(data.numUsers, data.numItems, p.valid > 0);
}
