import type { ExecutionGraph } from '../../contract/graph.js';
import type { JsonObject } from '../../core/json.js';
import { executeGraph, type ExecuteOptions, type ExecutionResult } from './execute-graph.js';

/**
 * Where the steps of a graph run. `local` runs every step in this process (today's behaviour);
 * `queue` runs load/split/adjacency here and puts train and evaluate steps on a BullMQ queue for
 * `expc worker` processes (src/runtime/executor/queue/). Both return the same result, read from
 * the same content-addressed store, so everything downstream (records, summaries, reviews) is
 * executor-agnostic.
 */
export interface Executor {
  readonly name: 'local' | 'queue';
  execute(graph: ExecutionGraph, options: ExecuteOptions): Promise<ExecutionResult>;
  /**
   * Ctrl-C while `execute` runs: settle the work in flight (cancel it, or leave it running) and
   * return one line for the user saying which. Absent: nothing outlives the process.
   */
  interrupt?(): Promise<string>;
  /** What the run record says about it. */
  describe(): JsonObject;
}

export const localExecutor: Executor = {
  name: 'local',
  execute: executeGraph,
  describe: () => ({ executor: 'local' }),
};
