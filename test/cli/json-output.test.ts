import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.js';

const TINY = `experiment js
dataset syn = synthetic(users: 40, items: 30, per_user: 8, seed: 1) { split: holdout(test: 0.2, valid: 0.1) }
defaults { encoder: mf(dim: 4) training: (epochs: 2, batch: 32, eval_every: 1) }
run a { backprop: both }
`;

async function cli(...argv: string[]): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  await runCli(argv, { out: (t) => out.push(t), warn: (t) => err.push(t) });
  return { out, err };
}

describe('cli: --json and --quiet', function () {
  this.timeout(60000);
  let dir: string;
  let file: string;
  let cache: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'expc-json-'));
    file = join(dir, 'js.exp');
    cache = join(dir, 'cache');
    writeFileSync(file, TINY);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('run --json prints only JSON: steps, the record, the overrides and every trial with its metrics', async () => {
    const r = await cli('run', file, '--cache-dir', cache, '--threads', '1', '--json', '-S', 'training.epochs=1');
    assert.equal(r.out.length, 1);
    const j = JSON.parse(r.out[0]!) as { experiment: string; status: string; steps: { ran: number }; overrides: string[]; trials: { trial: string; metrics: Record<string, number>; keptEpoch: number }[] };
    assert.deepEqual([j.experiment, j.status, j.steps.ran, j.overrides], ['js', 'ok', 4, ['training.epochs=1']]);
    assert.equal(j.trials[0]!.trial, 'a');
    assert.equal(typeof j.trials[0]!.metrics['ndcg@20'], 'number');
    assert.equal(j.trials[0]!.keptEpoch, 1);
  });

  it('run --quiet prints the final line only', async () => {
    const r = await cli('run', file, '--cache-dir', cache, '--threads', '1', '--quiet', '-S', 'training.epochs=1');
    assert.equal(r.out.length, 1);
    assert.match(r.out[0]!, /^0 step\(s\) ran, 4 cached, 0 failed in [\d.]+ s; record /);
  });

  it('check, plan and components take --json too', async () => {
    const check = JSON.parse((await cli('check', file, '--json')).out[0]!) as { ok: boolean; trials: number };
    assert.deepEqual([check.ok, check.trials], [true, 1]);
    const plan = JSON.parse((await cli('plan', file, '--cache-dir', cache, '--json', '-S', 'training.epochs=1')).out[0]!) as { overrides: string[]; nodes: { status: string }[] };
    assert.deepEqual(plan.overrides, ['training.epochs=1']);
    assert.deepEqual([...new Set(plan.nodes.map((n) => n.status))], ['cached']);
    assert.ok(Array.isArray((JSON.parse((await cli('components', 'loss', '--json')).out[0]!) as { loss: unknown[] }).loss));
  });
});
