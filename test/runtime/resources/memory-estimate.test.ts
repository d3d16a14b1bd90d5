import assert from 'node:assert/strict';
import { UserError } from '../../../src/core/errors.js';
import { checkRankingFits, checkTrainingFits, fusedTrainingBytes, KERNEL_MEMORY_LIMIT, type TrainingShape } from '../../../src/runtime/resources/memory-estimate.js';
import { brief, compileFiles } from '../../compiler/helpers.js';

/** Gowalla's training split (LightGCN copy): 29,858 users, 40,981 items, 810,128 pairs. */
const gowalla = (dim: number): TrainingShape => ({
  numUsers: 29858,
  numItems: 40981,
  numPairs: 810128,
  nnz: 810128,
  dim,
  negatives: 5,
  batch: 1024,
  threads: 2,
  excludePositives: true,
  adam: true,
  targets: { user: true, item: true },
});

describe('memory estimates before training and evaluation (finding 8)', () => {
  it('d=4096 on Gowalla is refused before the kernel memory exists, naming encoder.dim and a dim that fits', () => {
    assert.throws(
      () => checkTrainingFits(gowalla(4096), 'fused', 2 ** 40),
      (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.match(e.message, /training needs about [\d.]+ GiB of kernel memory for 29858 users and 40981 items at dim 4096 with Adam state, more than the 4 GiB WebAssembly allows/);
        const dim = Number(/lower encoder\.dim to at most (\d+)/.exec(e.options.hint ?? '')?.[1]);
        assert.ok(dim > 64 && dim < 4096, e.options.hint);
        assert.ok(fusedTrainingBytes(gowalla(dim)) <= KERNEL_MEMORY_LIMIT && fusedTrainingBytes(gowalla(dim + 1)) > KERNEL_MEMORY_LIMIT);
        return true;
      },
    );
    checkTrainingFits(gowalla(64), 'fused', 2 ** 40);
  });

  it('a configuration larger than the machine is refused on any engine', () => {
    for (const engine of ['tfjs', 'fused'] as const)
      assert.throws(
        () => checkTrainingFits(gowalla(1024), engine, 1 << 30),
        (e: unknown) => e instanceof UserError && /of memory for .* this machine has 1\.00 GiB/.test(e.message) && /lower encoder\.dim to at most \d+/.test(e.options.hint ?? ''),
      );
  });

  it('a ranking call that cannot fit is refused, naming what to lower', () => {
    assert.throws(() => checkRankingFits(2_000_000, 2_000_000, 10, 1024, 20, 2), (e: unknown) => e instanceof UserError && /full-ranking evaluation needs about/.test(e.message));
    checkRankingFits(29858, 40981, 810128, 64, 20, 2);
  });

  it('10 million synthetic users are refused at check time, located (the schema allowed it)', () => {
    const r = compileFiles({ 'a.exp': 'experiment t\ndataset s = synthetic(users: 10000000)\nrun a { }\n' });
    assert.deepEqual(r.diagnostics.map(brief), ["invalid-value@2:30 dataset 's' (synthetic) would generate about 300000000 interactions (users x per_user)"]);
  });
});
