import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentsOf, startRun } from '../helpers/cli-process.js';
import { readRunRecords } from '../../src/runtime/record/run-record.js';

const EXP = `experiment together
dataset syn = synthetic(users: 300, items: 120, per_user: 15, seed: 4)
defaults { encoder: mf(dim: 16) training: (epochs: 6, batch: 64, eval_every: 2) }
run a { }
run b { backprop: onebp(beta: 0.9) }
run c { sampler.negatives: 3 }
`;

describe('concurrent runs share one cache (finding 7)', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'expc-conc-'));
    writeFileSync(join(dir, 't.exp'), EXP);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('two processes compute each key once, wait for each other, and end with identical artifacts', async () => {
    const cache = join(dir, 'cache');
    const [a, b] = [startRun(join(dir, 't.exp'), cache), startRun(join(dir, 't.exp'), cache)];
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.equal(ra.code, 0, ra.stderr);
    assert.equal(rb.code, 0, rb.stderr);
    const records = readRunRecords(cache);
    assert.equal(records.length, 2);
    const ran = new Map<string, number>();
    for (const r of records) for (const n of r.nodes) if (n.status === 'ran') ran.set(n.key!, (ran.get(n.key!) ?? 0) + 1);
    const keys = new Set(records.flatMap((r) => r.nodes.map((n) => n.key!)));
    assert.equal(keys.size, 8);
    for (const k of keys) assert.equal(ran.get(k), 1, `key ${k.slice(0, 12)} computed exactly once`);
    for (const r of records) assert.equal(r.nodes.filter((n) => n.status === 'ran' || n.status === 'cached').length, 8);
    assert.equal(contentsOf(cache).size, 8);
    assert.deepEqual(readdirSync(join(cache, 'locks')), [], 'every lock released');
    assert.deepEqual(readdirSync(join(cache, 'tmp')), []);
  });
});
