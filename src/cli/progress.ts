import { Listr } from 'listr2';
import type { ExecutionGraph } from '../contract/graph.js';
import type { EventSink, ExecutorEvent } from '../runtime/events.js';

/** Renders executor events. `done()` resolves once everything is on screen. */
export interface ProgressRenderer {
  sink: EventSink;
  done(): Promise<void>;
  /** The overall count and ETA, where the renderer keeps one. */
  tracker?: ProgressTracker;
}

function epochLine(e: Extract<ExecutorEvent, { type: 'epoch' }>): string {
  const metric = e.metric ? `  ${e.metric.name} ${e.metric.value.toFixed(4)} (best ${e.metric.best.toFixed(4)} @${e.metric.bestEpoch})` : '';
  return `epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(4)}  ${e.seconds.toFixed(2)} s${metric}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Where the whole run stands: steps and trials finished, and an ETA from the epoch times measured
 * so far (the planned epochs still to train, at the mean measured epoch time; an upper bound when
 * early stopping may end trainings sooner). Pure bookkeeping over executor events, so it is testable.
 */
export class ProgressTracker {
  private readonly finished = new Set<string>();
  private readonly started = new Set<string>();
  private readonly planned = new Map<string, number>();
  private readonly trained = new Map<string, number>();
  private epochSeconds = 0;
  private epochCount = 0;
  readonly steps: number;
  readonly trials: number;
  private readonly evaluates: Set<string>;

  constructor(graph: ExecutionGraph) {
    this.steps = graph.nodes.length;
    this.evaluates = new Set(graph.nodes.filter((n) => n.kind === 'evaluate').map((n) => n.id));
    this.trials = this.evaluates.size;
    for (const n of graph.nodes) {
      if (n.kind !== 'train') continue;
      const epochs = (n.params['training'] as { epochs?: number } | undefined)?.epochs;
      this.planned.set(n.id, typeof epochs === 'number' ? epochs : 0);
    }
  }

  update(e: ExecutorEvent): void {
    if (e.type === 'epoch') {
      this.trained.set(e.id, e.epoch);
      this.epochSeconds += e.seconds;
      this.epochCount++;
    } else if (e.type === 'node-start') {
      this.started.add(e.id);
    } else if (e.type === 'node-done' || e.type === 'node-cached' || e.type === 'node-failed' || e.type === 'node-skipped') {
      this.finished.add(e.id);
    }
  }

  get stepsDone(): number {
    return this.finished.size;
  }

  get trialsDone(): number {
    let n = 0;
    for (const id of this.evaluates) if (this.finished.has(id)) n++;
    return n;
  }

  /** Seconds of training left, or null before any epoch was measured. */
  eta(): number | null {
    if (this.epochCount === 0) return null;
    const perEpoch = this.epochSeconds / this.epochCount;
    let left = 0;
    for (const [id, epochs] of this.planned) if (!this.finished.has(id)) left += Math.max(0, epochs - (this.trained.get(id) ?? 0));
    return left * perEpoch;
  }

  line(): string {
    const eta = this.eta();
    const etaText = this.stepsDone === this.steps ? 'done' : eta === null ? 'ETA after the first epoch' : `ETA ${eta > 0 ? '<= ' : ''}${formatDuration(eta)}`;
    return `${this.stepsDone}/${this.steps} steps, ${this.trialsDone}/${this.trials} trials, ${etaText}`;
  }

  /** What an interrupted run leaves behind, and how to go on. */
  interruptedMessage(file: string): string {
    const running = [...this.planned.keys()].filter((id) => !this.finished.has(id) && (this.started.has(id) || this.trained.has(id)));
    return (
      `interrupted: ${this.stepsDone} of ${this.steps} steps are finished and cached` +
      (running.length ? `; ${running.length} training(s) in progress resume from their last checkpoint (written every 30 s) where there is one` : '') +
      `. Run \`expc run ${file}\` again (with the same options) to continue.`
    );
  }
}

/** How often an epoch line is printed when no epoch is evaluated in between. */
const PERIODIC_EPOCH_LINE_MS = 10000;

/**
 * Plain lines, for CI logs and pipes: one line per step state change, prefixed with the overall
 * count; epoch lines only for evaluated epochs, the last epoch, and at most every 10 s otherwise
 * (a 2,000-epoch run evaluated every 10 epochs prints 200 lines, not 2,000; the full curve is in
 * the run record); after each training the overall progress with its ETA.
 */
export function lineRenderer(write: (line: string) => void, graph?: ExecutionGraph): ProgressRenderer {
  const tracker = graph ? new ProgressTracker(graph) : undefined;
  const lastEpochLine = new Map<string, number>();
  // Trainings side by side (--parallel-trials) interleave their epoch lines: then each names its training.
  const running = new Map<string, string>();
  const count = () => (tracker ? `[${tracker.stepsDone}/${tracker.steps}] ` : '');
  const sink: EventSink = (e) => {
    tracker?.update(e);
    switch (e.type) {
      case 'node-start':
        write(`> ${e.label}`);
        lastEpochLine.set(e.id, performance.now());
        running.set(e.id, e.label);
        break;
      case 'node-cached':
        write(`${count()}= ${e.label} (cached)`);
        break;
      case 'node-done':
        running.delete(e.id);
        write(`${count()}+ ${e.label} (${e.seconds.toFixed(1)} s)${e.summary ? `: ${e.summary}` : ''}`);
        if (tracker && e.id.startsWith('train:')) write(`progress: ${tracker.line()}`);
        break;
      case 'node-failed':
        running.delete(e.id);
        write(`${count()}x ${e.label} failed:\n${indent(e.message)}`);
        break;
      case 'node-skipped':
        write(`${count()}- ${e.label} skipped: ${e.because}`);
        break;
      case 'epoch': {
        const now = performance.now();
        const last = lastEpochLine.get(e.id) ?? 0;
        if (e.metric || e.epoch === e.epochs || now - last > PERIODIC_EPOCH_LINE_MS) {
          write(`  ${running.size > 1 ? `${running.get(e.id) ?? e.id}: ` : ''}${epochLine(e)}`);
          lastEpochLine.set(e.id, now);
        }
        break;
      }
      case 'log':
        write(`${e.level === 'warn' ? 'warning: ' : ''}${e.message}`);
        break;
    }
  };
  return { sink, done: async () => {}, tracker };
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** The part of listr2's task wrapper this renderer uses. */
type TaskHandle = { title: string; output: string; skip(message?: string): void };
type NodeState = { resolve: () => void; reject: (e: Error) => void; promise: Promise<void>; task?: TaskHandle; title: string; skipped?: string };

/**
 * A listr2 task list on a terminal: one task per graph node, its output line showing the
 * current epoch, loss, epoch time and validation metric. The executor drives; listr2 only draws.
 */
export function listrRenderer(graph: ExecutionGraph): ProgressRenderer {
  const tracker = new ProgressTracker(graph);
  const states = new Map<string, NodeState>();
  for (const n of graph.nodes) {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    states.set(n.id, { resolve, reject, promise, title: n.label });
  }
  const list = new Listr(
    graph.nodes.map((n) => ({
      title: n.label,
      task: async (_ctx: unknown, task: TaskHandle) => {
        const s = states.get(n.id)!;
        s.task = task;
        task.title = s.title;
        await s.promise;
        task.title = s.title;
        // A skipped step is shown as skipped (listr2's skip mark), not with a success tick.
        if (s.skipped !== undefined) task.skip(`${s.title} (skipped: ${s.skipped})`);
      },
      rendererOptions: { persistentOutput: false, bottomBar: 2 },
    })) as never,
    { concurrent: false, exitOnError: false, rendererOptions: { collapseErrors: false, showErrorMessage: true } } as never,
  );
  const running = list.run().then(
    () => {},
    () => {},
  );
  const sink: EventSink = (e) => {
    tracker.update(e);
    if (e.type === 'log') {
      const s = e.id ? states.get(e.id) : undefined;
      if (s?.task) s.task.output = e.message;
      return;
    }
    const s = states.get(e.id);
    if (!s) return;
    switch (e.type) {
      case 'node-start':
        break;
      case 'node-cached':
        s.title = `${s.title} (cached)`;
        s.resolve();
        break;
      case 'node-done':
        s.title = `${s.title} (${e.seconds.toFixed(1)} s)${e.summary ? `: ${e.summary}` : ''}`;
        s.resolve();
        break;
      case 'node-failed':
        s.reject(new Error(e.message));
        break;
      case 'node-skipped':
        s.skipped = e.because;
        s.resolve();
        break;
      case 'epoch':
        // The running step's epoch, and under it where the whole run stands.
        if (s.task) s.task.output = `${epochLine(e)}\noverall: ${tracker.line()}`;
        break;
    }
  };
  return { sink, done: () => running, tracker };
}
