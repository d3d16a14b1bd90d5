import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

import { arr, int, nullable, num, obj, shapeProblem, str } from '../../core/json-shape.js';
import { cacheFsError } from '../cache/cache-fs-error.js';
import type { Tables, TrainerState } from '../engine/engine.js';
import type { Curves } from './artifact-codecs.js';

/** 2: the sha256 covers the header too (an altered nextEpoch or dim is detected, not used). */
const MAGIC = 'EXPCCKP2';

/** Everything a training step needs to continue after an interruption as if it never stopped. */
export interface TrainingCheckpoint {
  /** The next epoch to train (0-based). */
  nextEpoch: number;
  state: TrainerState;
  curves: Curves;
  /** The best epoch so far: its embeddings, and its parameters when they differ from the embeddings (graph encoders). */
  best: { epoch: number; value: number; tables: Tables; params: Tables | null } | null;
  evalsSinceBest: number;
}

/** What the trial being trained needs a checkpoint to match before it is used. */
export interface CheckpointExpectation {
  numUsers: number;
  numItems: number;
  dim: number;
  epochs: number;
}

const HEADER_SCHEMA = obj({
  nextEpoch: { type: 'integer', minimum: 1 },
  step: int,
  dim: { type: 'integer', minimum: 1 },
  arrays: arr(obj({ name: str, length: int })),
  curves: obj({ epochs: arr(obj({ epoch: int, loss: num, seconds: num })) }, ['epochs']),
  best: nullable(obj({ epoch: int, value: num })),
  evalsSinceBest: int,
});

export function checkpointPath(cacheRoot: string, key: string): string {
  return join(cacheRoot, 'checkpoints', `${key}.ckpt`);
}

/**
 * One file: magic, the sha256 of everything after it, header length, JSON header, float32
 * arrays. Written atomically (tmp + rename); a failed write removes its tmp file and throws a
 * CacheFsError for file-system refusals.
 */
export function writeCheckpoint(path: string, c: TrainingCheckpoint): void {
  const arrays: [string, Float32Array][] = [
    ['user', c.state.tables.user],
    ['item', c.state.tables.item],
    ...Object.entries(c.state.slots).map(([k, v]) => [`slot:${k}`, v] as [string, Float32Array]),
  ];
  if (c.best) arrays.push(['best:user', c.best.tables.user], ['best:item', c.best.tables.item]);
  if (c.state.sampler) arrays.push(['sampler', c.state.sampler]);
  if (c.best?.params) arrays.push(['best:param:user', c.best.params.user], ['best:param:item', c.best.params.item]);
  // an encoder's dense weights (ngcf), of the live state and of the best epoch's parameters
  for (const [k, v] of Object.entries(c.state.tables.weights ?? {})) arrays.push([`weight:${k}`, v]);
  for (const [k, v] of Object.entries(c.best?.params?.weights ?? {})) arrays.push([`best:param:weight:${k}`, v]);
  const header = JSON.stringify({
    nextEpoch: c.nextEpoch,
    step: c.state.step,
    dim: c.state.tables.dim,
    // the best embeddings' width when it differs from the parameters' (ngcf concatenates layers)
    ...(c.best && c.best.tables.dim !== c.state.tables.dim ? { embeddingDim: c.best.tables.dim } : {}),
    arrays: arrays.map(([name, a]) => ({ name, length: a.length })),
    curves: c.curves,
    best: c.best ? { epoch: c.best.epoch, value: c.best.value } : null,
    evalsSinceBest: c.evalsSinceBest,
  });
  const h = new TextEncoder().encode(header);
  const bodyLen = arrays.reduce((n, [, a]) => n + a.byteLength, 0);
  const out = new Uint8Array(8 + 32 + 4 + h.length + bodyLen);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(40, h.length, true);
  out.set(h, 44);
  let off = 44 + h.length;
  for (const [, a] of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength;
  }
  out.set(createHash('sha256').update(out.subarray(40)).digest(), 8);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(tmp, out);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* nothing more to do */
    }
    throw cacheFsError(e, path, 'write the training checkpoint') ?? e;
  }
}

/**
 * Returns undefined when there is no usable checkpoint: absent, failing its hash or shape, or
 * not matching the trial (`expect`). A bad one is reported to `warn` and removed: training then
 * starts from the beginning, which gives the same result.
 */
export function readCheckpoint(path: string, warn: (m: string) => void, expect: CheckpointExpectation): TrainingCheckpoint | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  try {
    if (bytes.length < 44 || bytes.subarray(0, 8).toString('latin1') !== MAGIC) throw new Error('not an expc checkpoint of this version');
    if (!createHash('sha256').update(bytes.subarray(40)).digest().equals(bytes.subarray(8, 40))) throw new Error('it does not match its sha256');
    const hLen = bytes.readUInt32LE(40);
    if (44 + hLen > bytes.length) throw new Error('truncated header');
    const header = JSON.parse(bytes.subarray(44, 44 + hLen).toString('utf8')) as Record<string, unknown>;
    const shape = shapeProblem(HEADER_SCHEMA, header);
    if (shape) throw new Error(`header ${shape}`);
    const h = header as { nextEpoch: number; step: number; dim: number; embeddingDim?: number; arrays: { name: string; length: number }[]; curves: Curves; best: { epoch: number; value: number } | null; evalsSinceBest: number };
    // Hash-valid but for another trial shape (a bug, or a file copied by hand): never used.
    if (h.dim !== expect.dim) throw new Error(`it has dimension ${h.dim}, the trial ${expect.dim}`);
    if (h.nextEpoch >= expect.epochs) throw new Error(`it resumes at epoch ${h.nextEpoch + 1}, the trial has ${expect.epochs} epochs`);
    const body = bytes.subarray(44 + hLen);
    const arrays = new Map<string, Float32Array>();
    let off = 0;
    for (const { name, length } of h.arrays) {
      if (off + length * 4 > body.length) throw new Error('body shorter than its header says');
      const copy = new Float32Array(length);
      new Uint8Array(copy.buffer).set(body.subarray(off, off + length * 4));
      arrays.set(name, copy);
      off += length * 4;
    }
    if (off !== body.length) throw new Error('body length mismatch');
    const sized = (name: string, rows: number, dim = expect.dim): Float32Array => {
      const a = arrays.get(name);
      if (!a || a.length !== rows * dim) throw new Error(`array ${name} is ${a ? `${a.length} values` : 'missing'}, expected ${rows} x ${dim}`);
      return a;
    };
    const weightsUnder = (prefix: string): { weights?: Record<string, Float32Array> } => {
      const w: Record<string, Float32Array> = {};
      for (const [k, v] of arrays) if (k.startsWith(prefix)) w[k.slice(prefix.length)] = v;
      return Object.keys(w).length ? { weights: w } : {};
    };
    const embeddingDim = typeof h.embeddingDim === 'number' && Number.isInteger(h.embeddingDim) && h.embeddingDim > 0 ? h.embeddingDim : expect.dim;
    const slots: Record<string, Float32Array> = {};
    for (const [k, v] of arrays) if (k.startsWith('slot:')) slots[k.slice(5)] = v;
    const dim = h.dim;
    const user = sized('user', expect.numUsers);
    const item = sized('item', expect.numItems);
    return {
      nextEpoch: h.nextEpoch,
      state: { step: h.step, tables: { user, item, dim, ...weightsUnder('weight:') }, slots, ...(arrays.has('sampler') ? { sampler: arrays.get('sampler')! } : {}) },
      curves: h.curves,
      best: h.best
        ? {
            ...h.best,
            tables: { user: sized('best:user', expect.numUsers, embeddingDim), item: sized('best:item', expect.numItems, embeddingDim), dim: embeddingDim },
            params: arrays.has('best:param:user')
              ? { user: sized('best:param:user', expect.numUsers), item: sized('best:param:item', expect.numItems), dim, ...weightsUnder('best:param:weight:') }
              : null,
          }
        : null,
      evalsSinceBest: h.evalsSinceBest,
    };
  } catch (e) {
    warn(`ignoring checkpoint ${path} (${(e as Error).message}); training this trial from the start`);
    removeCheckpoint(path);
    return undefined;
  }
}

export function removeCheckpoint(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    /* a read-only cache: it stays, and is verified again before any use */
  }
}
