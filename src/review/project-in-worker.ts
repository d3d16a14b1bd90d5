import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { project2d } from './analysis/project-2d.js';

export interface ProjectionJob {
  data: Float32Array;
  n: number;
  dim: number;
  method: 'pca' | 'tsne';
  seed: number;
}

const WORKER_URL = new URL('./projection-worker.js', import.meta.url);

/** Below this many points a projection takes milliseconds: starting a worker would cost more. */
const WORKER_MIN_POINTS = 600;

/**
 * At most `limit` projections at a time, each exact t-SNE (O(n^2) per step, seconds at ML-100K
 * size) on its own worker thread, so a review's projections of several runs use every core. The
 * same function on the same input gives the same numbers on any thread.
 */
export class ProjectionRunner {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly limit = Math.max(1, availableParallelism())) {}

  async project(job: ProjectionJob): Promise<Float64Array> {
    if (job.n < WORKER_MIN_POINTS || this.limit === 1) return project2d(job.data, job.n, job.dim, job.method, job.seed);
    if (this.running >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await new Promise<Float64Array>((resolve, reject) => {
        const w = new Worker(WORKER_URL, { workerData: job });
        let done = false;
        w.once('message', (coords: Float64Array) => {
          done = true;
          resolve(coords);
        });
        w.once('error', reject);
        w.once('exit', (code) => done || reject(new Error(`projection worker exited with code ${code} before answering`)));
      });
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
