import { parentPort, workerData } from 'node:worker_threads';
import { project2d } from './analysis/project-2d.js';
import type { ProjectionJob } from './project-in-worker.js';

/** Runs one 2-D projection off the main thread (see project-in-worker.ts) and posts the coordinates back. */
const job = workerData as ProjectionJob;
const coords = project2d(job.data, job.n, job.dim, job.method, job.seed);
parentPort!.postMessage(coords, [coords.buffer as ArrayBuffer]);
