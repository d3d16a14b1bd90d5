import assert from 'node:assert/strict';
import { fmtP, trustWarnings } from '../../src/review/review-blocks.js';
import type { DatasetSection, ReviewDocument, TrialSection } from '../../src/review/review-data.js';

const curve = (epochs: number, every: number) => Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, loss: 1, metric: (i + 1) % every === 0 ? 0.1 : null }));
const trial = (id: string, run: string, kept: number, extra: Partial<TrialSection> = {}): TrialSection =>
  ({ id, run, seed: 1, sweeps: [], metrics: {}, bestEpochs: null, keptEpoch: kept, epochs: 100, plannedEpochs: 100, stoppedEarly: false, selection: 'ndcg@20 on valid', users: 10, monitored: 'valid ndcg@20', curves: curve(100, 10), ...extra }) as TrialSection;
const significant = { paired_t: { statistic: 5, pValue: 1e-8, pAdjusted: 1e-8, significant: true } };

function dataset(trials: TrialSection[], seeds: number[], items = 400): DatasetSection {
  return {
    name: 'syn',
    protocol: 'validation',
    trials,
    table: [...new Set(trials.map((t) => t.run))].map((run) => ({ run, trials: trials.filter((t) => t.run === run).map((t) => t.id), seeds, metrics: {}, keptEpochs: [] })),
    comparisons: [{ run: 'onebp', baseline: 'twobp', users: 10, metrics: { 'ndcg@20': { delta: 0.1, deltaPct: 5, tests: significant } } }],
    split: { users: 10, items, train: 1, valid: 1, test: 1, testUsers: 10 },
  } as unknown as DatasetSection;
}
const doc = (cutoffs: number[]) => ({ content: { config: { evaluate: { cutoffs } } } }) as unknown as ReviewDocument;

describe('review: trust warnings and p-values', () => {
  it('warns when the kept epoch is the last evaluated one (under-trained) or the first (over-trained)', () => {
    const w = trustWarnings(doc([20]), dataset([trial('twobp', 'twobp', 100), trial('onebp', 'onebp', 10)], [1, 2]));
    assert.equal(w.length, 2);
    assert.match(w[0]!, /^Kept the last evaluated epoch: twobp\. .*under-trained; raise training\.epochs/);
    assert.match(w[1]!, /^Kept the first evaluated epoch: onebp\. .*over-training/);
  });

  it('no warning for a kept epoch inside the range, or a training that stopped early at its best', () => {
    assert.deepEqual(trustWarnings(doc([20]), dataset([trial('twobp', 'twobp', 50), trial('onebp', 'onebp', 100, { stoppedEarly: true })], [1, 2])), []);
  });

  it('significance from a single training seed says the tests are across users and suggests seeds:', () => {
    const w = trustWarnings(doc([20]), dataset([trial('twobp', 'twobp', 50), trial('onebp', 'onebp', 50)], [1]));
    assert.equal(w.length, 1);
    assert.match(w[0]!, /^Significance from a single training seed \(twobp, onebp\): the tests are across users.*Add seeds: 3/);
  });

  it('warns when K is larger than the number of items', () => {
    const w = trustWarnings(doc([5, 50]), dataset([trial('twobp', 'twobp', 50)], [1, 2], 40));
    assert.deepEqual(w, ['The largest cutoff K = 50 is more than the 40 items of syn: @50 metrics rank every item and say little.']);
  });

  it('p-values below what doubles resolve are a bound, not 0.0e+0', () => {
    assert.equal(fmtP(0), '< 1e-300');
    assert.equal(fmtP(1e-310), '< 1e-300');
    assert.equal(fmtP(3.2e-12), '3.2e-12');
    assert.equal(fmtP(0.0312), '0.0312');
  });
});
