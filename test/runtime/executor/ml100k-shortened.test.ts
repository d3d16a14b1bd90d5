import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../../src/cli/commands/run.js';

const dataDir = resolve(process.env['EXPC_DATA_DIR'] || '../shared/datasets');
const hasMl100k = existsSync(join(dataDir, 'ml-100k', 'u.data'));

/**
 * The acceptance scenario on real data: a shortened copy of experiments/onebp_vs_twobp.exp
 * (2 epochs) runs; changing only the evaluate block re-runs evaluation only; adding one sweep
 * value trains only that trial. Asserted from the run record's list of what ran.
 */
describe('onebp_vs_twobp.exp, shortened, on ML-100K', function () {
  this.timeout(240000);
  let dir: string;
  const original = readFileSync('experiments/onebp_vs_twobp.exp', 'utf8');
  const shorten = (s: string) =>
    s
      .replace('epochs: 2000', 'epochs: 2')
      .replace('eval_every: 10', 'eval_every: 1')
      .replace(/backprop\.beta: \[[^\]]*\]/, 'backprop.beta: [0.9, 0.99]')
      .replace(/sampler\.negatives: \[[^\]]*\]/, 'sampler.negatives: [1, 5]');

  before(function () {
    if (!hasMl100k) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'expc-ml100k-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const execute = async (source: string) => {
    const file = join(dir, 'onebp_vs_twobp.exp');
    writeFileSync(file, source);
    const out: string[] = [];
    const r = await run({
      file,
      cacheDir: join(dir, 'cache'),
      runtime: { backend: 'auto', engine: 'auto', threads: 2, dataDirs: [dataDir], allowDownload: false, checkpointSeconds: 0 },
      force: false,
      progress: 'none',
      argv: ['run', file],
      out: (t) => out.push(t),
      warn: (t) => out.push(t),
    });
    return { ran: r.record.nodes.filter((n) => n.status === 'ran').map((n) => n.id).sort(), record: r.record, out: out.join('\n') };
  };

  it('completes, with both protocols reported and labelled', async () => {
    const r = await execute(shorten(original));
    assert.equal(r.record.status, 'ok');
    // 2 datasets x (twobp, onebp, userbp, beta 0.9, negatives 1); beta 0.99 and negatives 5 are onebp itself.
    assert.equal(r.ran.filter((id) => id.startsWith('train:')).length, 10);
    assert.match(r.out, /ml100k_paper: PAPER PROTOCOL \(best test value of each metric over evaluated epochs/);
    assert.match(r.out, /ml100k: test metrics of the epoch kept by validation/);
    const ev = r.record.nodes.find((n) => n.id === 'evaluate:ml100k/twobp')!;
    assert.equal(ev.meta!['users'], 943);
    // A random ranking has P@20 of about 21 test items / 1,600 candidates = 0.013; two epochs already do better.
    assert.ok((ev.meta!['mean'] as Record<string, number>)['precision@20']! > 0.02);
  });

  it('changing only the evaluate block re-runs evaluation only', async () => {
    const r = await execute(shorten(original).replace('metrics: precision, recall, f1, ndcg @ 5, 10, 20', 'metrics: precision, recall, f1, ndcg, hr @ 5, 10, 20'));
    assert.ok(r.ran.length > 0);
    assert.equal(r.ran.length, 10);
    assert.deepEqual(r.ran.filter((id) => !id.startsWith('evaluate:')), []);
  });

  it('adding one sweep value trains only that trial', async () => {
    const r = await execute(
      shorten(original)
        .replace('metrics: precision, recall, f1, ndcg @ 5, 10, 20', 'metrics: precision, recall, f1, ndcg, hr @ 5, 10, 20')
        .replace('backprop.beta: [0.9, 0.99]', 'backprop.beta: [0.9, 0.99, 0.999]'),
    );
    assert.deepEqual(r.ran, [
      'evaluate:ml100k/onebp[backprop.beta=0.999]',
      'evaluate:ml100k_paper/onebp[backprop.beta=0.999]',
      'train:ml100k/onebp[backprop.beta=0.999]',
      'train:ml100k_paper/onebp[backprop.beta=0.999]',
    ]);
  });
});
