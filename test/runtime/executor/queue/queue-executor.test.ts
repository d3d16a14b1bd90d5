import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../../../src/runtime/cache/artifact-store.js';
import { readRunRecords } from '../../../../src/runtime/record/run-record.js';
import { spawn } from 'node:child_process';
import { contentsOf, runExpc, startRun, startWorkerProcess, type WorkerProcess } from '../../../helpers/cli-process.js';
import { redisServerPath, startRedis, type TestRedis } from '../../../helpers/redis-server.js';

// The run and 23 sweep points = 24 trials of a tiny synthetic problem: the point is the distribution.
const SWEEP = `experiment qsweep
dataset syn = synthetic(users: 80, items: 50, per_user: 8, seed: 3)
defaults { encoder: mf(dim: 8) training: (epochs: 3, batch: 64, eval_every: 1) }
run a { optimizer: adam(lr: 0.0005) }
sweep a {
  optimizer.lr: [${Array.from({ length: 23 }, (_, i) => (0.001 * (i + 1)).toPrecision(3)).join(', ')}]
}
`;

// One trial long enough (checkpointed every epoch) to kill its worker in the middle.
// long enough (a checkpoint every epoch) that a worker killed after the first checkpoint is still mid-trial on a quiet machine
const LONG = `experiment qlong
dataset syn = synthetic(users: 400, items: 150, per_user: 15, seed: 9)
defaults { encoder: mf(dim: 16) training: (epochs: 400, batch: 32, eval_every: 50) }
run a { }
`;

const TWO = `experiment qtwo
dataset syn = synthetic(users: 400, items: 150, per_user: 15, seed: 9)
defaults { encoder: mf(dim: 16) training: (epochs: 60, batch: 32, eval_every: 10) }
run a { }
sweep a { sampler.negatives: [2] }
`;

const FEW = `experiment qfew
dataset syn = synthetic(users: 300, items: 120, per_user: 12, seed: 5)
defaults { encoder: mf(dim: 16) training: (epochs: 25, batch: 32, eval_every: 5) }
run a { }
sweep a { sampler.negatives: [1, 2, 3, 4] }
`;

const DIVERGING = `experiment qbad
dataset syn = synthetic(users: 80, items: 50, per_user: 8, seed: 3)
defaults { encoder: mf(dim: 8) training: (epochs: 3, batch: 64, eval_every: 1) }
run good { optimizer: sgd(lr: 0.01) }
run bad { optimizer: sgd(lr: 1e300) }
`;

/** The workers that trained the trials, as the run records (of every submission) say. */
function workersOf(cacheDir: string, experiment: string): Set<string> {
  const nodes = readRunRecords(cacheDir).filter((r) => r.experiment === experiment).flatMap((r) => r.nodes);
  return new Set(nodes.filter((n) => n.kind === 'train' && n.status === 'ran').map((n) => String(n.meta?.['worker'])));
}

describe('queue executor (BullMQ on a private redis-server)', function () {
  this.timeout(240000);
  const bin = redisServerPath();
  let redis: TestRedis;
  let dir: string;
  let workers: WorkerProcess[] = [];
  before(async function () {
    if (!bin) {
      console.log('    (skipped: redis-server is not installed; `apt-get install redis-server`, as .ci/run does)');
      this.skip();
    }
    redis = await startRedis(bin);
    dir = mkdtempSync(join(tmpdir(), 'expc-queue-'));
  });
  afterEach(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.done));
    workers = [];
  });
  after(async () => {
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const start = async (n: number, cache: string, env: NodeJS.ProcessEnv = {}) => {
    const ws = Array.from({ length: n }, (_, i) => startWorkerProcess(redis.url, cache, env, ['--name', `w${workers.length + i + 1}`]));
    workers.push(...ws);
    await Promise.all(ws.map((w) => w.waitFor(/expc worker w\d+: queue/)));
    return ws;
  };

  it('runs a 24-trial sweep on 3 workers to the local executor\'s keys and bytes; two submitters compute each key once', async () => {
    const exp = file('sweep.exp', SWEEP);
    const reference = join(dir, 'sweep-local');
    const ref = await startRun(exp, reference).done;
    assert.equal(ref.code, 0, ref.stderr);

    const shared = join(dir, 'sweep-shared');
    const ws = await start(3, shared);
    // Two submissions of the same sweep at once: at-least-once delivery, exactly-once computation.
    const [a, b] = await Promise.all([0, 1].map(() => runExpc(['run', exp, '--queue', redis.url, '--cache-dir', shared, '--plain', '--threads', '1'])));
    assert.equal(a!.code, 0, a!.stderr + a!.stdout);
    assert.equal(b!.code, 0, b!.stderr + b!.stdout);
    assert.deepEqual(contentsOf(shared), contentsOf(reference), 'same content keys, same bytes (embeddings, per-user metrics, curves)');
    const computed = ws.flatMap((w) => [...w.log().matchAll(/\((\w{12})\): done in/g)].map((m) => m[1]!));
    const twice = computed.filter((k, i) => computed.indexOf(k) !== i);
    assert.deepEqual(twice, [], `each key computed once; twice: ${twice.map((k) => ws.map((w) => w.log().split('\n').filter((l) => l.includes(k)).join('\n')).join('\n')).join('\n---\n')}`);
    assert.equal(new Set(computed).size, 48, '24 trainings and 24 evaluations');
    assert.ok(workersOf(shared, 'qsweep').size >= 2, `the trials were spread over workers: ${[...workersOf(shared, 'qsweep')]}`);
    // The submitter streamed per-trial progress: worker and epoch.
    assert.match(a!.stdout + b!.stdout, /on worker w[123]/);
  });

  it('fails a diverging trial at once with its message (no retry) while the rest of the sweep completes', async () => {
    const exp = file('bad.exp', DIVERGING);
    const cache = join(dir, 'bad');
    const [w] = (await start(1, cache)) as [WorkerProcess];
    const r = await runExpc(['run', exp, '--queue', redis.url, '--cache-dir', cache, '--plain', '--threads', '1']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /train bad on syn: training diverged at epoch 1: the loss is (NaN|Infinity|-Infinity)\nhint: optimizer.lr is 1e\+300/);
    assert.equal(w.log().match(/train bad on syn .*started/g)?.length, 1, `not retried: ${w.log()}`);
    assert.match(r.stderr, /evaluate bad on syn: train bad on syn failed|1 step\(s\) failed/);
    const rec = readRunRecords(cache).at(-1)!;
    const st = Object.fromEntries(rec.nodes.map((n) => [n.id, n.status]));
    assert.equal(st['evaluate:syn/good'], 'ran');
    assert.equal(st['train:syn/bad'], 'failed');
    assert.equal(st['evaluate:syn/bad'], 'skipped');
  });

  it('re-runs the job of a SIGKILLed worker on another worker from its checkpoint, to the same bytes, with nothing corrupt', async () => {
    const exp = file('long.exp', LONG);
    const env = { EXPC_CHECKPOINT_SECONDS: '0.000001', EXPC_QUEUE_LOCK_SECONDS: '1.5' };
    const reference = join(dir, 'long-local');
    const ref = await startRun(exp, reference, env).done;
    assert.equal(ref.code, 0, ref.stderr);

    const shared = join(dir, 'long-shared');
    const [w1, w2] = await start(2, shared, env);
    const submit = runExpc(['run', exp, '--queue', redis.url, '--cache-dir', shared, '--plain', '--threads', '1'], env);
    const first = await Promise.race([w1!.waitFor(/train a on syn .*started/).then(() => w1!), w2!.waitFor(/train a on syn .*started/).then(() => w2!)]);
    const other = first === w1 ? w2! : w1!;
    // Kill it once a checkpoint exists, in the middle of the trial.
    const ckpts = join(shared, 'checkpoints');
    for (let i = 0; i < 400 && !(existsSync(ckpts) && readdirSync(ckpts).some((f) => f.endsWith('.ckpt'))); i++) await new Promise((r) => setTimeout(r, 25));
    first.kill('SIGKILL');
    const resumed = await other.waitFor(/train a on syn .*resuming from the checkpoint after epoch (\d+)/, 60000);
    const r = await submit;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const epoch = Number(/after epoch (\d+)/.exec(resumed)![1]);
    assert.ok(epoch > 0 && epoch < 400, `resumed after epoch ${epoch}`);
    const warnings: string[] = [];
    const store = new ArtifactStore(shared, (m) => warnings.push(m));
    for (const k of store.listKeys()) assert.ok(store.get(k), `entry ${k.slice(0, 12)} is valid`);
    assert.deepEqual(warnings, []);
    const train = readRunRecords(shared).at(-1)!.nodes.find((n) => n.id === 'train:syn/a')!;
    assert.equal(train.meta?.['resumed'], epoch, 'the stored result says it was resumed');
    assert.deepEqual(contentsOf(shared), contentsOf(reference), 'identical to an uninterrupted local run, byte for byte');
  });

  it('finishes a sweep when Redis is stopped and restarted (empty) in the middle: workers reconnect, lost jobs are resubmitted', async () => {
    const exp = file('few.exp', FEW);
    const reference = join(dir, 'few-local');
    const ref = await startRun(exp, reference).done;
    assert.equal(ref.code, 0, ref.stderr);

    const shared = join(dir, 'few-shared');
    const ws = await start(2, shared);
    const submit = runExpc(['run', exp, '--queue', redis.url, '--cache-dir', shared, '--plain', '--threads', '1']);
    await Promise.race(ws.map((w) => w.waitFor(/train .*done in/)));
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    const r = await submit;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr + r.stdout, /the queue lost \d+ job\(s\).*submitting them again/);
    assert.deepEqual(contentsOf(shared), contentsOf(reference));
    // Both workers are still alive and took jobs after the restart.
    for (const w of ws) assert.equal(w.exitCode, null, w.log());
  });

  it('a worker stops after its job on SIGTERM, and hands the job back on a second SIGTERM (resumed elsewhere at once)', async () => {
    const exp = file('two.exp', TWO);
    const env = { EXPC_CHECKPOINT_SECONDS: '0.000001' }; // the default 30 s job lock: a resume within it is a hand-back, not a stall
    const reference = join(dir, 'two-local');
    assert.equal((await startRun(exp, reference, env).done).code, 0);
    const shared = join(dir, 'two-shared');
    const submit = runExpc(['run', exp, '--queue', redis.url, '--cache-dir', shared, '--plain', '--threads', '1'], env);
    const [w1] = (await start(1, shared, env)) as [WorkerProcess];
    const first = await w1.waitFor(/train .*started/);
    w1.kill('SIGTERM');
    assert.equal((await w1.done).code, 0, w1.log());
    const after = w1.log().slice(w1.log().indexOf('stopping'));
    const tag = /(train .*\(\w{12}\)): started/.exec(first)![1]!;
    assert.ok(after.includes(`${tag}: done in`), `finished its job before stopping:\n${w1.log()}`);
    assert.doesNotMatch(after, /started/, 'took no new job once told to stop');

    const [w2] = (await start(1, shared, env)) as [WorkerProcess];
    await w2.waitFor(/train .*started/);
    const ckpts = join(shared, 'checkpoints');
    for (let i = 0; i < 400 && !(existsSync(ckpts) && readdirSync(ckpts).some((f) => f.endsWith('.ckpt'))); i++) await new Promise((r) => setTimeout(r, 25));
    w2.kill('SIGTERM');
    await w2.waitFor(/stopping after the current job/);
    w2.kill('SIGTERM');
    await w2.waitFor(/handing 1 job\(s\) back/);
    assert.equal((await w2.done).code, 0, w2.log());
    const t0 = Date.now();
    const [w3] = (await start(1, shared, env)) as [WorkerProcess];
    await w3.waitFor(/resuming from the checkpoint after epoch \d+/, 20000);
    assert.ok(Date.now() - t0 < 20000);
    const r = await submit;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(contentsOf(shared), contentsOf(reference));
  });

  it('Ctrl-C in the submitting run cancels its queued steps; with --detach they keep running', async () => {
    const exp = file('long.exp', LONG);
    const shared = join(dir, 'cancel');
    const [w] = (await start(1, shared)) as [WorkerProcess];
    const submitter = (extra: string[]) => {
      const c = spawn(process.execPath, [join(process.cwd(), 'bin/expc.js'), 'run', exp, '--queue', redis.url, '--cache-dir', shared, '--plain', '--threads', '1', ...extra], { env: { ...process.env, EXPC_DATA_DIR: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      c.stdout!.on('data', (d) => (text += d));
      c.stderr!.on('data', (d) => (text += d));
      return { c, text: () => text, done: new Promise<number | null>((res) => c.on('close', (code) => res(code))) };
    };
    const trainKey = () => /train a on syn \((\w{12})\)/.exec(w.log())![1]!;
    const inStore = () => new ArtifactStore(shared).listKeys().some((k) => k.startsWith(trainKey()));

    const attached = submitter([]);
    await w.waitFor(/train a on syn .*started/);
    attached.c.kill('SIGINT');
    assert.equal(await attached.done, 130, attached.text());
    assert.match(attached.text(), /cancelled sweep \S+ \(1 job\(s\) removed or stopped\)/);
    await w.waitFor(/train a on syn .*failed: cancelled/, 10000);
    assert.equal(inStore(), false, 'the cancelled training stored nothing');

    const offset = w.log().length;
    const detached = submitter(['--detach']);
    for (let i = 0; i < 2000 && !/train a on syn .*started/.test(w.log().slice(offset)); i++) await new Promise((r) => setTimeout(r, 10));
    detached.c.kill('SIGINT');
    assert.equal(await detached.done, 130, detached.text());
    assert.match(detached.text(), /the queued steps keep running on the workers: `expc queue status \S+/);
    await w.waitFor(/evaluate a on syn .*done in/, 60000);
    assert.equal(inStore(), true, 'the detached sweep finished on the worker');
  });

  it('queue status lists the sweeps; a bad --queue URL is a usage error naming the flag', async () => {
    const s = await runExpc(['queue', 'status', '--queue', redis.url]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /qfew/); // the restart above emptied Redis of the earlier sweeps
    const bad = await runExpc(['worker', '--queue', 'http://x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--queue must be a redis:\/\/ or rediss:\/\/ URL, got 'http:\/\/x'/);
    const none = await runExpc(['queue', 'cancel', 'nope', '--queue', redis.url]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no sweep 'nope'/);
  });
});
