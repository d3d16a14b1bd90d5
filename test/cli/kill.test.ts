import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../src/runtime/cache/artifact-store.js';
import { readRunRecords } from '../../src/runtime/record/run-record.js';
import { contentsOf, startRun } from '../helpers/cli-process.js';

const EXP = `experiment killed
dataset syn = synthetic(users: 400, items: 150, per_user: 15, seed: 9)
defaults { encoder: mf(dim: 16) training: (epochs: 40, batch: 64, eval_every: 4) }
run a { }
run b { backprop: onebp(beta: 0.9) }
`;

/** Seeded instants (a small LCG), so a failure can be replayed. */
function instants(seed: number, n: number, maxMs: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return Math.round((s / 2 ** 31) * maxMs);
  });
}

describe('kill -9 at seeded instants (checkpointed training)', function () {
  this.timeout(180000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'expc-kill-'));
    writeFileSync(join(dir, 'k.exp'), EXP);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('never leaves an invalid entry, reuses every finished step, and ends bit-identical to an uninterrupted run', async () => {
    const env = { EXPC_CHECKPOINT_SECONDS: '0.000001' };
    const reference = join(dir, 'reference');
    const t0 = Date.now();
    const ref = await startRun(join(dir, 'k.exp'), reference, env).done;
    assert.equal(ref.code, 0, ref.stderr);
    const duration = Date.now() - t0;

    const cache = join(dir, 'killed');
    let kills = 0;
    for (const at of instants(20261201, 6, duration)) {
      const before = existsSync(cache) ? new ArtifactStore(cache).listKeys() : [];
      const child = startRun(join(dir, 'k.exp'), cache, env);
      const timer = setTimeout(() => child.kill('SIGKILL'), at);
      const r = await child.done;
      clearTimeout(timer);
      if (r.signal === 'SIGKILL') kills++;
      else assert.equal(r.code, 0, r.stderr);
      const warnings: string[] = [];
      const store = new ArtifactStore(cache, (m) => warnings.push(m));
      const now = store.listKeys();
      for (const k of now) assert.ok(store.get(k), `after a kill at ${at} ms: entry ${k.slice(0, 12)} is valid`);
      assert.deepEqual(warnings, []);
      for (const k of before) assert.ok(now.includes(k), 'a finished step is never lost');
      if (r.signal !== 'SIGKILL') {
        const rec = readRunRecords(cache).find((x) => x.nodes.some((n) => n.status === 'ran')) ?? readRunRecords(cache).at(-1)!;
        for (const n of rec.nodes) if (n.key && before.includes(n.key)) assert.notEqual(n.status, 'ran', 'what was finished before is reused');
      }
    }
    assert.ok(kills >= 3, `${kills} of 6 instants hit a running process`);
    const last = await startRun(join(dir, 'k.exp'), cache, env).done;
    assert.equal(last.code, 0, last.stderr);
    assert.deepEqual(contentsOf(cache), contentsOf(reference), 'the same artifacts, byte for byte');
  });
});
