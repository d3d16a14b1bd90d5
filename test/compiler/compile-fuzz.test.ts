import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../src/compiler/index.js';
import { MemoryCompilerHost } from '../../src/compiler/host.js';
import { CounterRng } from '../../src/core/rng.js';
import { REPO_ROOT } from '../grammar/helpers.js';

/** A compact experiment touching every declaration kind, loaders with file parameters, and sweeps. */
const COMPACT = `experiment fz
dataset s = synthetic(users: 60, items: 40, per_user: 8, seed: 2) { split: holdout(test: 0.2, valid: 0.1, seed: 1) }
dataset c = csv(train: "r.csv", user: 0, item: 1, rating: 2, min_rating: 3) { split: holdout(test: 0.2) ; protocol: paper }
dataset g = lightgcn(name: "gowalla")
defaults { encoder: mf(dim: 8, init: normal, std: 0.1) sampler: uniform(negatives: 3) optimizer: adam(lr: 0.01) training: (batch: 32, epochs: 3, eval_every: 1, early_stop: ndcg@10 on valid, patience: 2) }
run a { backprop: both }
run b extends a { backprop: onebp(beta: 0.9); seeds: [1, 2]; datasets: s, c }
sweep beta of b random(budget: 2, seed: 1) { backprop.beta: [0.5, 0.9, 0.99], optimizer.lr: [0.01, 0.1] }
evaluate { metrics: precision, recall, ndcg @ 5, 10 }
review { compare: a, b; baseline: a; significance: paired_t(correction: holm); plots: curves, sweep(beta) }
`;

const TOKENS = ['run', 'dataset', 'sweep', 'of', 'extends', 'defaults', 'evaluate', 'review', 'import "x.exp"', '{', '}', '[', ']', '(', ')', ':', ',', ';', '.', '=', '@',
  '0', '-1', '1e308', '4096', '99999999999', '0.5', 'NaN', '"s"', '"', "'", 'none', 'true', 'on', '# c\n', '/*', '*/', '\n', 'seeds: 3', 'datasets: zz', 'backprop.beta', 'encoder.dim: 4096', 'x'.repeat(200)];

/** One seeded mutation of `text`: a byte flip, a cut, a duplicated or deleted slice, a token inserted, a number replaced. */
function mutate(text: string, rng: CounterRng): string | Uint8Array {
  const at = () => rng.int(text.length + 1);
  switch (rng.int(8)) {
    case 0: {
      const b = new TextEncoder().encode(text);
      for (let k = 1 + rng.int(3); k > 0; k--) b[rng.int(b.length)] = rng.int(256);
      return b; // may be a NUL byte or invalid UTF-8
    }
    case 1:
      return text.slice(0, at());
    case 2: {
      const i = at();
      return text.slice(0, i) + text.slice(i + 1 + rng.int(40));
    }
    case 3: {
      const i = at();
      const j = Math.min(text.length, i + rng.int(80));
      return text.slice(0, j) + text.slice(i, j) + text.slice(j);
    }
    case 4:
    case 5: {
      const i = at();
      return `${text.slice(0, i)} ${TOKENS[rng.int(TOKENS.length)]} ${text.slice(i)}`;
    }
    case 6: {
      const nums = [...text.matchAll(/\d+(\.\d+)?(e-?\d+)?/g)];
      const m = nums[rng.int(nums.length)];
      if (!m) return text;
      const by = ['0', '-3', '1e9', '2147483648', '0.000001', '65536', '1.5'][rng.int(7)]!;
      return text.slice(0, m.index) + by + text.slice(m.index! + m[0].length);
    }
    default: {
      const lines = text.split('\n');
      const i = rng.int(lines.length);
      const j = rng.int(lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
  }
}

describe('compile fuzz: 10,000 seeded mutations of .exp files (compile only)', function () {
  this.timeout(120000);
  it('never throws, never hangs, and every error is located inside a file with expected and found', () => {
    const seeds = [COMPACT, readFileSync(join(REPO_ROOT, 'experiments', 'onebp_vs_twobp.exp'), 'utf8')];
    const rng = new CounterRng(20261201, 11);
    let located = 0;
    let slowest = 0;
    for (let n = 0; n < 10_000; n++) {
      let input: string | Uint8Array = seeds[n % seeds.length]!;
      // Up to three stacked mutations; a byte-level one ends the stack.
      for (let k = 1 + rng.int(3); k > 0 && typeof input === 'string'; k--) input = mutate(input, rng);
      const t0 = performance.now();
      let r;
      try {
        r = compile('a.exp', new MemoryCompilerHost({ 'a.exp': input, 'x.exp': 'dataset imported = synthetic()\n' }));
      } catch (e) {
        assert.fail(`input ${n} threw: ${(e as Error).stack}\n--- input ---\n${typeof input === 'string' ? input : Buffer.from(input).toString('latin1')}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
      assert.ok(performance.now() - t0 < 2000, `input ${n} took ${(performance.now() - t0).toFixed(0)} ms`);
      for (const d of r.diagnostics) {
        if (d.severity !== 'error') continue;
        assert.ok(d.range, `input ${n}: an unlocated error: ${d.code} ${d.message}`);
        assert.ok(d.range.file === 'a.exp' || d.range.file === 'x.exp', `input ${n}: ${d.range.file}`);
        assert.ok(d.range.start.line >= 1 && d.range.start.column >= 1);
        assert.ok(d.expected !== undefined && d.found !== undefined, `input ${n}: ${d.code} ${d.message} lacks expected/found`);
        located++;
      }
      if (!r.diagnostics.some((d) => d.severity === 'error')) assert.ok(r.model && r.graph, `input ${n}: no error, but no model`);
    }
    assert.ok(located > 5_000, `the mutations do reach errors (${located})`);
    assert.ok(slowest < 2000);
  });
});
