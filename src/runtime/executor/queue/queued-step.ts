import { UsageError } from '../../../core/errors.js';
import type { JsonObject } from '../../../core/json.js';
import type { BackendName } from '../../backend/select-backend.js';
import type { EngineChoice } from '../services.js';

/** One queue for every expc step job; jobs carry their sweep, so one Redis serves many users. */
export const QUEUE_NAME = 'expc-steps';

/** The steps that run on workers; load/split/adjacency are cheap and run in the submitting CLI. */
export const REMOTE_KINDS: ReadonlySet<string> = new Set(['train', 'evaluate']);

/**
 * What a train or evaluate job carries: its content key, its serialized parameters and the keys
 * of its inputs, nothing else. The worker reads the inputs from the shared store by key and
 * writes the output there under `key` (DESIGN "Scale-out": nodes are pure functions of their
 * inputs' artifacts and parameters).
 */
export interface QueuedStep {
  /** The submission this job belongs to (one `expc run --queue`). */
  sweep: string;
  /** The flow's root job, which carries the sweep's cancellation flag. */
  rootId: string;
  key: string;
  node: { id: string; kind: 'train' | 'evaluate'; label: string; params: JsonObject; inputs: string[]; dataset: string; trial?: string; run?: string };
  /** Content keys of node.inputs, in the same order. */
  inputKeys: string[];
  /** The submitter's choices that select the code path (the engine decides the arithmetic). */
  engine: EngineChoice;
  backend: BackendName | 'auto' | 'webgpu';
  force: boolean;
}

/** The root job of a sweep's flow: its children are the trials' evaluate jobs. */
export interface SweepData {
  sweep: string;
  experiment: string;
  submittedBy: string;
  submitted: string;
  steps: number;
  cancelled?: boolean;
}

/** What a worker reports while it trains (job.updateProgress). */
export interface StepProgress {
  worker: string;
  epoch: number;
  epochs: number;
  loss: number;
  /** Seconds of this epoch. */
  seconds: number;
  metric?: { name: string; value: number; best: number; bestEpoch: number };
}

/** A finished job's return value. */
export interface StepReturn {
  /** 'cached': the key was already in the store when the worker looked (finished at once). */
  status: 'ran' | 'cached';
  worker: string;
  seconds: number;
  summary?: string;
}

/** BullMQ job ids may not contain ':'; these are unique per submission and generation. */
export function stepJobId(sweep: string, generation: number, kind: string, key: string): string {
  return `${sweep}.g${generation}.${kind}.${key.slice(0, 24)}`;
}

export function rootJobId(sweep: string, generation: number): string {
  return `${sweep}.g${generation}.sweep`;
}

/**
 * `redis://HOST:PORT[/DB]` (or rediss:// for TLS) as BullMQ connection options. Workers block on
 * the connection, so requests never give up while Redis is away (maxRetriesPerRequest: null):
 * they wait for it to come back.
 */
export function queueConnection(url: string, flag = '--queue'): { url: string; maxRetriesPerRequest: null; retryStrategy: (times: number) => number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`${flag} must be a Redis URL such as redis://127.0.0.1:6379, got '${url}'`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`${flag} must be a redis:// or rediss:// URL, got '${url}' (protocol ${u.protocol})`);
  if (!u.hostname) throw new UsageError(`${flag} names no host: '${url}'`);
  // Reconnect quickly at first, then every 2 s at most: a restarted Redis is found within 2 s.
  return { url, maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000) };
}
