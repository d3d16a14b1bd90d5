import assert from 'node:assert/strict';
import { formatDuration, lineRenderer, ProgressTracker } from '../../src/cli/progress.js';
import { fitWidth } from '../../src/cli/summary.js';
import type { ExecutorEvent } from '../../src/runtime/events.js';
import { BASE, compileFiles } from '../compiler/helpers.js';

const graphOf = (src: string) => compileFiles({ 'x.exp': src }).graph!;

/** The events of one training: `epochs` epochs of `seconds` each, evaluated every `every`. */
function training(id: string, label: string, epochs: number, every: number, seconds = 0.01): ExecutorEvent[] {
  const out: ExecutorEvent[] = [{ type: 'node-start', id, label }];
  for (let e = 1; e <= epochs; e++)
    out.push({ type: 'epoch', id, epoch: e, epochs, loss: 1 / e, seconds, ...(e % every === 0 ? { metric: { name: 'ndcg@20', value: 0.1, best: 0.1, bestEpoch: e } } : {}) });
  out.push({ type: 'node-done', id, label, key: 'k', seconds: epochs * seconds });
  return out;
}

describe('cli: progress', () => {
  it('--plain prints evaluated epochs, not every epoch: 2,000 epochs evaluated every 10 give about 200 lines', () => {
    const g = graphOf(BASE.replace('epochs: 3', 'epochs: 2000'));
    const lines: string[] = [];
    const r = lineRenderer((l) => lines.push(l), g);
    for (const e of training('train:syn/a', 'train a on syn', 2000, 10)) r.sink(e);
    const epochLines = lines.filter((l) => l.trimStart().startsWith('epoch '));
    assert.equal(epochLines.length, 200);
    assert.ok(epochLines.every((l) => /valid|ndcg/.test(l)));
    assert.match(lines.at(-1)!, /^progress: 1\/4 steps, 0\/1 trials, ETA done|^progress: 1\/4 steps, 0\/1 trials, ETA 0s$/);
  });

  it('the overall line counts steps and trials and estimates the time left from measured epochs', () => {
    const g = graphOf(BASE.replace('epochs: 3', 'epochs: 100') + 'run b { backprop: onebp }\n');
    const t = new ProgressTracker(g);
    assert.equal(t.line(), '0/6 steps, 0/2 trials, ETA after the first epoch');
    t.update({ type: 'node-cached', id: 'load:syn', label: 'load', key: 'k' });
    t.update({ type: 'node-cached', id: 'split:syn', label: 'split', key: 'k' });
    for (const e of training('train:syn/a', 'train a', 50, 10, 0.5).slice(0, -1)) t.update(e);
    // a: 50 of 100 epochs left, b: 100 left, 0.5 s each.
    assert.equal(t.eta(), 75);
    assert.equal(t.line(), '2/6 steps, 0/2 trials, ETA <= 1m 15s');
    assert.match(t.interruptedMessage('x.exp'), /^interrupted: 2 of 6 steps are finished and cached; 1 training\(s\) in progress resume from their last checkpoint .*Run `expc run x\.exp` again/);
    assert.equal(formatDuration(3725), '1h 02m');
  });

  it('a skipped step is shown as skipped, named by its label, never with a success mark', () => {
    const lines: string[] = [];
    const r = lineRenderer((l) => lines.push(l), graphOf(BASE));
    r.sink({ type: 'node-skipped', id: 'evaluate:syn/a', label: 'evaluate a on syn', because: 'train a on syn failed' });
    assert.deepEqual(lines, ['[1/4] - evaluate a on syn skipped: train a on syn failed']);
  });

  it('a table wider than the terminal drops trailing columns and names them', () => {
    const head = ['trial', 'P@5', 'NDCG@20', 'engine'];
    const rows = [['onebp[backprop.beta=0.9]', '0.4560', '0.4487', 'fused']];
    const text = fitWidth(head, rows, 40, 'the run record has the full table');
    const [h, , row, note] = text.split('\n');
    assert.ok(h!.length <= 40 && row!.length <= 40);
    assert.equal(note, '(2 column(s) do not fit the terminal: NDCG@20, engine; the run record has the full table)');
    assert.equal(fitWidth(head, rows, 200, 'x').split('\n').length, 3);
  });
});
