import type { RunConfig } from '../contract/model.js';

/**
 * The compatibility table of the catalogue: combinations that validate component by component
 * but cannot work together (or work against the user's intent). `expc check` reports each at
 * the text that chose the named slot. One rule per entry; each has a negative test
 * (test/compiler/compatibility.test.ts).
 */
export interface Incompatibility {
  rule: string;
  severity: 'error' | 'warning';
  /** Where it is reported: the slot whose choice conflicts (or `training`). */
  slot: 'encoder' | 'sampler' | 'loss' | 'backprop' | 'optimizer' | 'regularizer' | 'schedule' | 'training';
  message: string;
  expected: string;
  found: string;
  hint?: string;
}

type Rule = (c: RunConfig) => Incompatibility | null;

const num = (x: unknown): number => (typeof x === 'number' ? x : NaN);

/** Encoders whose propagation spreads a batch's gradient over rows outside the batch (besides lightgcn, whose rule reads its layers). */
const SPREADING_ENCODERS = ['svdpp', 'ngcf'];

const milestonesOf = (c: RunConfig): number[] => {
  const m = c.schedule?.name === 'multistep' ? c.schedule.params['milestones'] : undefined;
  return Array.isArray(m) ? m.map(num) : [];
};

/** The rules of svdpp, ngcf and the multistep schedule (kept together so merges with other rule additions stay local). */
const CATALOGUE_MODEL_RULES: readonly Rule[] = [
  // As for lightgcn: a lazy optimiser would update only the batch's rows of a gradient that reaches their neighbours.
  (c) =>
    c.optimizer.name === 'adam' && c.optimizer.params['lazy'] === true && SPREADING_ENCODERS.includes(c.encoder.name)
      ? {
          rule: 'lazy-optimizer-propagating-encoder',
          severity: 'error',
          slot: 'optimizer',
          message: `adam(lazy: true) cannot train ${c.encoder.name}: its propagation gives the neighbours of a batch's rows gradient too, and a lazy optimiser would drop it`,
          expected: `adam(lazy: false) with ${c.encoder.name}`,
          found: `adam(lazy: true) with ${c.encoder.name}`,
          hint: 'remove lazy: true (dense Adam is the PyTorch default)',
        }
      : null,
  (c) => {
    const m = milestonesOf(c);
    const bad = m.findIndex((x, i) => i > 0 && x <= m[i - 1]!);
    return bad > 0
      ? {
          rule: 'multistep-milestones-increasing',
          severity: 'error',
          slot: 'schedule',
          message: `multistep milestones must increase strictly: ${m[bad]} follows ${m[bad - 1]}`,
          expected: 'strictly increasing epochs, e.g. [100, 200]',
          found: `milestones: [${m.join(', ')}]`,
        }
      : null;
  },
  (c) => {
    const late = milestonesOf(c).filter((x) => x >= c.training.epochs);
    return late.length > 0
      ? {
          rule: 'multistep-milestone-after-training',
          severity: 'warning',
          slot: 'schedule',
          message: `multistep milestone ${late.join(', ')} is not before the last epoch (training.epochs: ${c.training.epochs}), so it never lowers the lr`,
          expected: `milestones below ${c.training.epochs}`,
          found: `milestones: [${milestonesOf(c).join(', ')}]`,
        }
      : null;
  },
];

export const COMPATIBILITY_RULES: readonly Rule[] = [
  ...CATALOGUE_MODEL_RULES,
  // Lazy Adam updates only the rows a batch gathers; under a graph encoder every row gets gradient.
  (c) =>
    c.optimizer.name === 'adam' && c.optimizer.params['lazy'] === true && c.encoder.name === 'lightgcn' && num(c.encoder.params['layers']) > 0
      ? {
          rule: 'lazy-optimizer-graph-encoder',
          severity: 'error',
          slot: 'optimizer',
          message: "adam(lazy: true) cannot train lightgcn: propagation gives every row gradient, and a lazy optimiser would drop all but the batch's rows",
          expected: 'adam(lazy: false) with lightgcn',
          found: `adam(lazy: true) with lightgcn(layers: ${c.encoder.params['layers']})`,
          hint: 'remove lazy: true (dense Adam is the PyTorch default)',
        }
      : null,
  (c) =>
    (c.sampler.name === 'hard' || c.sampler.name === 'hars') && num(c.sampler.params['negatives']) > num(c.sampler.params['candidates'])
      ? {
          rule: 'hard-negatives-above-candidates',
          severity: 'error',
          slot: 'sampler',
          message: `${c.sampler.name} keeps the best ${c.sampler.params['negatives']} of ${c.sampler.params['candidates']} candidates: negatives must be at most candidates`,
          expected: `negatives <= candidates (${c.sampler.params['candidates']})`,
          found: `negatives: ${c.sampler.params['negatives']}`,
        }
      : null,
  (c) =>
    c.sampler.name === 'in_batch' && c.training.batch < 2
      ? {
          rule: 'in-batch-needs-a-batch',
          severity: 'error',
          slot: 'training',
          message: 'in_batch takes the other positives of the batch as negatives: a batch of 1 has none',
          expected: 'training.batch >= 2',
          found: `batch: ${c.training.batch}`,
        }
      : null,
  (c) =>
    c.regularizer?.name === 'l2' && num(c.optimizer.params['weight_decay']) > 0
      ? {
          rule: 'l2-and-weight-decay',
          severity: 'warning',
          slot: 'regularizer',
          message: `both an l2 penalty and ${c.optimizer.name}(weight_decay: ${c.optimizer.params['weight_decay']}) regularise the embeddings`,
          expected: 'one of the two',
          found: 'both',
          hint: 'LightGCN uses the penalty alone (weight_decay: 0); the OneBP code uses weight decay alone',
        }
      : null,
  // Eq. 5 of the DNS paper has exactly the three terms dynamic_dissimilar's columns give (i+, i-, i'-).
  (c) =>
    c.loss.name === 'dns_contrastive' && c.sampler.name !== 'dynamic_dissimilar'
      ? {
          rule: 'dns-contrastive-needs-dynamic-dissimilar',
          severity: 'error',
          slot: 'loss',
          message: `dns_contrastive is the DNS paper's loss over a static and a dynamic dissimilar negative, which only the dynamic_dissimilar sampler gives; with ${c.sampler.name} it would be a plain sampled softmax`,
          expected: 'sampler: dynamic_dissimilar(k, interval)',
          found: `sampler: ${c.sampler.name}`,
          hint: 'use infonce(similarity: cosine) for a sampled softmax over other samplers',
        }
      : null,
  // Eq. 27 normalises over the whole catalogue: only all_items supplies that column set.
  (c) =>
    c.loss.name === 'softmax' && c.sampler.name !== 'all_items'
      ? {
          rule: 'softmax-needs-all-items',
          severity: 'error',
          slot: 'loss',
          message: `softmax is the full softmax over every item (SSM paper eq. 27), whose candidates only the all_items sampler gives; over ${c.sampler.name}'s candidates it would be a sampled softmax`,
          expected: 'sampler: all_items',
          found: `sampler: ${c.sampler.name}`,
          hint: 'use sampler: all_items, or infonce / ssm for a sampled softmax',
        }
      : null,
  // logQ correction (CBNS eq. 4) debiases a softmax over sampled candidates; pairwise losses have no partition function to correct.
  (c) =>
    c.sampler.params['logq'] === true && ['bpr', 'bce', 'ccl'].includes(c.loss.name)
      ? {
          rule: 'logq-with-pairwise-loss',
          severity: 'warning',
          slot: 'sampler',
          message: `${c.sampler.name}(logq: true) corrects the sampling bias of a softmax; under ${c.loss.name} it only shifts every score by -log q`,
          expected: 'logq: true with infonce / ssm / dns_contrastive',
          found: `logq: true with ${c.loss.name}`,
        }
      : null,
  (c) =>
    c.sampler.name === 'dynamic_dissimilar' && num(c.sampler.params['interval']) >= c.training.epochs
      ? {
          rule: 'dynamic-dissimilar-never-refreshed',
          severity: 'warning',
          slot: 'sampler',
          message: `dynamic_dissimilar(interval: ${c.sampler.params['interval']}) rebuilds its table every ${c.sampler.params['interval']} epochs, but training has ${c.training.epochs}: only the table of the initial embeddings is ever used`,
          expected: `interval < training.epochs (${c.training.epochs})`,
          found: `interval: ${c.sampler.params['interval']}`,
        }
      : null,
];

export function checkCompatibility(config: RunConfig): Incompatibility[] {
  return COMPATIBILITY_RULES.map((r) => r(config)).filter((x): x is Incompatibility => x !== null);
}
