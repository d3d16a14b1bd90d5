import { Listr } from 'listr2';
import type { ExecutionGraph } from '../contract/graph.js';
import type { EventSink, ExecutorEvent } from '../runtime/events.js';

/** Renders executor events. `done()` resolves once everything is on screen. */
export interface ProgressRenderer {
  sink: EventSink;
  done(): Promise<void>;
}

function epochLine(e: Extract<ExecutorEvent, { type: 'epoch' }>): string {
  const metric = e.metric ? `  ${e.metric.name} ${e.metric.value.toFixed(4)} (best ${e.metric.best.toFixed(4)} @${e.metric.bestEpoch})` : '';
  return `epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(4)}  ${e.seconds.toFixed(2)} s${metric}`;
}

/**
 * Plain lines, for CI logs and pipes: one line per node state change, and epoch lines when the
 * monitored metric is evaluated or at most every 2 seconds, so a 2,000-epoch run stays readable.
 */
export function lineRenderer(write: (line: string) => void): ProgressRenderer {
  const lastEpochLine = new Map<string, number>();
  const sink: EventSink = (e) => {
    switch (e.type) {
      case 'node-start':
        write(`> ${e.label}`);
        break;
      case 'node-cached':
        write(`= ${e.label} (cached)`);
        break;
      case 'node-done':
        write(`+ ${e.label} (${e.seconds.toFixed(1)} s)${e.summary ? `: ${e.summary}` : ''}`);
        break;
      case 'node-failed':
        write(`x ${e.label} failed:\n${indent(e.message)}`);
        break;
      case 'node-skipped':
        write(`- ${e.label} skipped: ${e.because}`);
        break;
      case 'epoch': {
        const now = performance.now();
        const last = lastEpochLine.get(e.id) ?? 0;
        if (e.metric || e.epoch === e.epochs || now - last > 2000) {
          write(`  ${epochLine(e)}`);
          lastEpochLine.set(e.id, now);
        }
        break;
      }
      case 'log':
        write(`${e.level === 'warn' ? 'warning: ' : ''}${e.message}`);
        break;
    }
  };
  return { sink, done: async () => {} };
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** The part of listr2's task wrapper this renderer uses. */
type TaskHandle = { title: string; output: string };
type NodeState = { resolve: () => void; reject: (e: Error) => void; promise: Promise<void>; task?: TaskHandle; title: string };

/**
 * A listr2 task list on a terminal: one task per graph node, its output line showing the
 * current epoch, loss, epoch time and validation metric. The executor drives; listr2 only draws.
 */
export function listrRenderer(graph: ExecutionGraph): ProgressRenderer {
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
      },
      rendererOptions: { persistentOutput: false, bottomBar: 1 },
    })) as never,
    { concurrent: false, exitOnError: false, rendererOptions: { collapseErrors: false, showErrorMessage: true } } as never,
  );
  const running = list.run().then(
    () => {},
    () => {},
  );
  const sink: EventSink = (e) => {
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
        s.title = `${s.title} (skipped: ${e.because})`;
        s.resolve();
        break;
      case 'epoch':
        if (s.task) s.task.output = epochLine(e);
        break;
    }
  };
  return { sink, done: () => running };
}
