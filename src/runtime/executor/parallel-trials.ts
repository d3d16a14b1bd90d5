import { availableParallelism, cpus, freemem, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ExecutionGraph, GraphNode } from '../../contract/graph.js';
import { paramsOf } from '../../contract/steps.js';
import { InternalError, UserError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { Artifact, ArtifactContent } from '../cache/artifact-store.js';
import { CacheFsError } from '../cache/cache-fs-error.js';
import type { RuntimeOptions } from './services.js';
import type { Step, StepContext } from './step.js';
import type { TrialJob, TrialReply, WireArtifact, WireError } from './trial-worker.js';

/** `--parallel-trials`: `auto` decides from the first trial's size; N runs up to N trainings at once (1: one after another). */
export type ParallelTrialsSetting = 'auto' | number;

/**
 * Per-epoch work (training pairs x dim x (1 + negatives)) up to which a trial counts as small.
 * Measured (README, Performance): on ML-100K (80k pairs, d=32, 5 negatives: 15M) the fused kernels'
 * second thread saves little, since a batch is too short to amortise the threads' barrier, so N
 * trials on one thread each finish the sweep sooner; on ML-1M-sized work (800k pairs, d=64: 307M)
 * 2 threads run an epoch 1.85x faster than 1, so trials on all threads one after another are as fast
 * and need a single set of tables.
 */
export const SMALL_TRIAL_WORK = 1e8;
/** A trial worker's own cost beyond its tables (a Node isolate, the kernels' module and memory). */
const WORKER_OVERHEAD_BYTES = 96 << 20;

/** What the executor asks of a scheduler: when each node runs, and where its step computes. */
export interface NodeScheduler {
  /** Calls `runNode` once for every node of the graph, each after all of its inputs finished. */
  runAll(graph: ExecutionGraph, runNode: (node: GraphNode) => Promise<void>, artifactOf: (id: string) => Artifact | undefined): Promise<void>;
  /** Computes one step: in this thread, or for a trial in a trial worker. */
  runStep(step: Step, ctx: StepContext): Promise<ArtifactContent>;
  /** What was chosen, why, and with how many threads (for the run record). */
  describe(): JsonObject;
  dispose(): Promise<void>;
}

/** The decision for a graph: how many trainings at once and the kernel threads of each. */
export interface TrialParallelism {
  trials: number;
  threadsPerTrial: number;
  reason: string;
}

export interface TrialShape {
  trainPairs: number;
  numUsers: number;
  numItems: number;
  dim: number;
  negatives: number;
}

/** Roughly what one trial holds: the two tables with gradients, Adam's moments and the best epoch's copy, and the pairs. */
export function trialBytes(s: TrialShape): number {
  return (s.numUsers + s.numItems) * s.dim * 4 * 6 + s.trainPairs * 16 + WORKER_OVERHEAD_BYTES;
}

/**
 * How many trainings run at once. `threads` is the whole budget (--threads); N trials get
 * floor(threads / N) kernel threads each. `auto` runs trials side by side when there are at
 * least two, the budget has at least two threads, the trial is small (SMALL_TRIAL_WORK), N sets
 * of tables fit in half the free memory and N cores are idle (measured since the run started,
 * else cores - load average; this process not counted); otherwise
 * one after another with every thread.
 */
export function chooseParallelism(setting: ParallelTrialsSetting, threads: number, trainings: number, shape: TrialShape | null, machine: MachineNow = machineNow()): TrialParallelism {
  const serial = (reason: string): TrialParallelism => ({ trials: 1, threadsPerTrial: threads, reason });
  if (setting !== 'auto') {
    const n = Math.max(1, Math.min(setting, trainings));
    return n === 1 ? serial(`--parallel-trials ${setting}`) : { trials: n, threadsPerTrial: Math.max(1, Math.floor(threads / n)), reason: `--parallel-trials ${setting}` };
  }
  if (trainings < 2) return serial('auto: fewer than two trainings');
  if (threads < 2) return serial('auto: one thread');
  if (!shape) return serial('auto: the trial size is unknown (its split failed)');
  const work = shape.trainPairs * shape.dim * (1 + shape.negatives);
  if (work > SMALL_TRIAL_WORK) return serial(`auto: trials are large (${fmt(work)} pair-dims per epoch > ${fmt(SMALL_TRIAL_WORK)}): all threads on one trial`);
  const byMemory = Math.floor(machine.freeBytes / 2 / trialBytes(shape));
  if (byMemory < 2) return serial(`auto: two trials do not fit in half the free memory (${fmt(machine.freeBytes)} B)`);
  // Trials side by side only gain on idle cores: on a shared machine (measured here at load 11 on
  // 2 cores) they finished the ML-100K sweep 1.3-1.8x later than one trial on both threads.
  // Idle cores as measured since the run started (this process's own CPU time counted as idle),
  // else from the load average, which lags by minutes; this process's own thread (it has just
  // loaded and split the data) is in the load average: add it back.
  const measured = machine.idleCores !== undefined;
  const idle = Math.round(measured ? machine.idleCores! : machine.cores - machine.load1 + 1);
  if (idle < 2)
    return serial(
      measured
        ? `auto: the machine is busy (${machine.idleCores!.toFixed(2)} of ${machine.cores} cores idle since the run started): one trial at a time on all threads`
        : `auto: the machine is busy (load ${machine.load1.toFixed(2)} on ${machine.cores} cores): one trial at a time on all threads`,
    );
  const n = Math.min(threads, trainings, byMemory, idle);
  return { trials: n, threadsPerTrial: Math.max(1, Math.floor(threads / n)), reason: `auto: small trials (${fmt(work)} pair-dims per epoch <= ${fmt(SMALL_TRIAL_WORK)}): one per thread` };
}

const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(x >= 1e8 ? 0 : 1)}M` : String(Math.round(x)));

/** What the machine has free when the first training is ready. */
export interface MachineNow {
  freeBytes: number;
  /** One-minute load average. */
  load1: number;
  cores: number;
  /** Cores other processes left idle over a measured interval (absent: too short to tell). */
  idleCores?: number;
}

/** CPU time counters at one moment: the machine's idle time and this process's own CPU time. */
export interface CpuSnapshot {
  atMs: number;
  idleMs: number;
  ownMs: number;
}

export function cpuSnapshot(): CpuSnapshot {
  const own = process.cpuUsage();
  return { atMs: performance.now(), idleMs: cpus().reduce((a, c) => a + c.times.idle, 0), ownMs: (own.user + own.system) / 1000 };
}

/** Below this interval idle time is too noisy to measure; the load average decides. */
const MIN_SAMPLE_MS = 150;

/** Cores idle between two snapshots, counting this process's own CPU time as idle; undefined if too short. */
export function idleCoresBetween(a: CpuSnapshot, b: CpuSnapshot, cores: number): number | undefined {
  const wall = b.atMs - a.atMs;
  if (wall < MIN_SAMPLE_MS) return undefined;
  return Math.min(cores, Math.max(0, (b.idleMs - a.idleMs + (b.ownMs - a.ownMs)) / wall));
}

const machineNow = (since?: CpuSnapshot): MachineNow => {
  const cores = availableParallelism();
  const idleCores = since ? idleCoresBetween(since, cpuSnapshot(), cores) : undefined;
  return { freeBytes: freemem(), load1: loadavg()[0] ?? 0, cores, ...(idleCores !== undefined ? { idleCores } : {}) };
};

/** The shape of a train node, from its params and its split's metadata. */
export function trialShape(node: GraphNode, split: Artifact | undefined): TrialShape | null {
  if (!split) return null;
  const p = paramsOf({ kind: 'train', params: node.params });
  const m = split.meta;
  const dim = Number(p.encoder.params['dim'] ?? 0);
  const negatives = Number(p.sampler.params['negatives'] ?? p.sampler.params['candidates'] ?? 1);
  if (typeof m['train'] !== 'number' || typeof m['numItems'] !== 'number' || typeof m['numUsers'] !== 'number' || !(dim > 0)) return null;
  return { trainPairs: m['train'], numUsers: m['numUsers'], numItems: m['numItems'], dim, negatives: Number.isFinite(negatives) ? negatives : 1 };
}

/**
 * The local executor's scheduler. Decided when the first training is ready (its split gives the
 * size): with one trial at a time the nodes run in the graph's order, exactly as before; with N,
 * trainings run in N trial workers (worker threads, each with its own runtime and
 * floor(threads / N) kernel threads) while loading, splitting and evaluation run one at a time
 * in this thread. A trial's result does not depend on where it ran: the fused kernels are
 * bit-identical for any thread count, and a step is a pure function of its inputs.
 */
export class LocalScheduler implements NodeScheduler {
  private decided: TrialParallelism | null = null;
  private readonly workers: TrialWorker[] = [];
  private readonly idle: TrialWorker[] = [];
  private parallelTrainings = 0;

  constructor(
    private readonly setting: ParallelTrialsSetting,
    private readonly options: RuntimeOptions,
  ) {}

  async runAll(graph: ExecutionGraph, runNode: (node: GraphNode) => Promise<void>, artifactOf: (id: string) => Artifact | undefined): Promise<void> {
    const trainings = graph.nodes.filter((n) => n.kind === 'train').length;
    const started = cpuSnapshot();
    const waiting = [...graph.nodes];
    const done = new Set<string>();
    let mainBusy = false;
    let trialsRunning = 0;
    await new Promise<void>((resolve, reject) => {
      const pump = () => {
        for (let i = 0; i < waiting.length; i++) {
          const node = waiting[i]!;
          if (!node.inputs.every((d) => done.has(d))) continue;
          if (node.kind === 'train' && !this.decided) this.decided = chooseParallelism(this.setting, this.options.threads, trainings, trialShape(node, artifactOf(node.inputs[0]!)), machineNow(started));
          const asTrial = node.kind === 'train' && (this.decided?.trials ?? 1) > 1;
          if (asTrial ? trialsRunning >= this.decided!.trials : mainBusy) continue;
          waiting.splice(i--, 1);
          if (asTrial) trialsRunning++;
          else mainBusy = true;
          runNode(node).then(() => {
            done.add(node.id);
            if (asTrial) trialsRunning--;
            else mainBusy = false;
            if (waiting.length === 0 && trialsRunning === 0 && !mainBusy) resolve();
            else pump();
          }, reject);
        }
      };
      if (waiting.length === 0) resolve();
      else pump();
    });
  }

  async runStep(step: Step, ctx: StepContext): Promise<ArtifactContent> {
    if (ctx.node.kind !== 'train' || (this.decided?.trials ?? 1) <= 1) return step.run(ctx);
    this.parallelTrainings++;
    const worker = this.idle.pop() ?? this.startWorker();
    try {
      return await worker.run(ctx);
    } finally {
      if (worker.alive) this.idle.push(worker);
    }
  }

  private startWorker(): TrialWorker {
    const options: RuntimeOptions = { ...this.options, threads: this.decided!.threadsPerTrial };
    const w = new TrialWorker(options);
    this.workers.push(w);
    return w;
  }

  describe(): JsonObject {
    const d = this.decided;
    return {
      setting: this.setting,
      threads: this.options.threads,
      trialsAtOnce: d?.trials ?? 1,
      threadsPerTrial: d?.threadsPerTrial ?? this.options.threads,
      reason: d?.reason ?? 'no training was ready',
      trainingsInWorkers: this.parallelTrainings,
    };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    this.idle.length = 0;
  }
}

const WORKER_URL = new URL('./trial-worker.js', import.meta.url);

/** One worker thread that trains one trial at a time with its own RuntimeServices. */
class TrialWorker {
  private readonly worker: Worker;
  private job: { id: number; ctx: StepContext; resolve: (c: ArtifactContent) => void; reject: (e: Error) => void } | null = null;
  private nextId = 0;
  alive = true;

  constructor(options: RuntimeOptions) {
    this.worker = new Worker(WORKER_URL, { workerData: { options } });
    this.worker.unref();
    this.worker.on('message', (m: TrialReply) => {
      const job = this.job;
      if (!job || m.job !== job.id) return;
      if (m.type === 'event') job.ctx.emit(m.event);
      else {
        this.job = null;
        this.worker.unref();
        if (m.type === 'done') job.resolve(m.content);
        else job.reject(reviveError(m.error));
      }
    });
    this.worker.on('error', (e) => this.fail(new InternalError(`trial worker failed: ${e.stack ?? e.message}`)));
    this.worker.on('exit', (code) => this.fail(new InternalError(`trial worker exited (code ${code})`)));
  }

  private fail(e: Error): void {
    this.alive = false;
    const job = this.job;
    this.job = null;
    job?.reject(e);
  }

  run(ctx: StepContext): Promise<ArtifactContent> {
    if (!this.alive) return Promise.reject(new InternalError('trial worker is not running'));
    const id = this.nextId++;
    const inputs: [string, WireArtifact][] = [...ctx.inputs].map(([nodeId, a]) => [nodeId, wireArtifact(a)]);
    const job: TrialJob = { job: id, node: ctx.node, key: ctx.key, inputs, storeRoot: ctx.store.root, forced: ctx.forced ?? false, external: ctx.external ?? null };
    return new Promise((resolve, reject) => {
      this.job = { id, ctx, resolve, reject };
      this.worker.ref(); // a training in flight keeps the process alive
      this.worker.postMessage(job);
    });
  }

  async terminate(): Promise<void> {
    this.alive = false;
    await this.worker.terminate();
  }
}

function wireArtifact(a: Artifact): WireArtifact {
  return { dir: a.dir, manifest: a.manifest, files: Object.keys(a.manifest.files).map((name) => [name, a.bytes(name)]) };
}

/** The error a step threw in a worker, as the same kind of error here (the executor words it by kind). */
function reviveError(w: WireError): Error {
  let e: Error;
  if (w.kind === 'cache') e = Object.assign(new CacheFsError(w.path ?? '', w.code ?? 'EIO', 'use'), { message: w.message });
  else if (w.kind === 'user') e = new UserError(w.message, { ...(w.hint !== undefined ? { hint: w.hint } : {}), ...(w.exitCode !== undefined ? { exitCode: w.exitCode } : {}) });
  else {
    e = new Error(w.message);
    e.stack = w.stack ?? w.message;
  }
  return e;
}

/** The scheduler of `options.parallelTrials`; callers that name no setting get one trial at a time, every node in this thread. */
export const localScheduler = (options: RuntimeOptions): NodeScheduler => new LocalScheduler(options.parallelTrials ?? 1, options);
