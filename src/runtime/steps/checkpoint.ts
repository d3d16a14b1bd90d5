import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex, type Json } from '../../core/json.js';
import type { Tables, TrainerState } from '../engine/engine.js';

const MAGIC = 'EXPCCKP1';

/** Everything a training step needs to continue after an interruption as if it never stopped. */
export interface TrainingCheckpoint {
  /** The next epoch to train (0-based). */
  nextEpoch: number;
  state: TrainerState;
  curves: Json;
  /** The best epoch so far: its embeddings, and its parameters when they differ from the embeddings (graph encoders). */
  best: { epoch: number; value: number; tables: Tables; params: Tables | null } | null;
  evalsSinceBest: number;
}

export function checkpointPath(cacheRoot: string, key: string): string {
  return join(cacheRoot, 'checkpoints', `${key}.ckpt`);
}

/** One file: magic, header length, JSON header (with the body's sha256), float32 arrays. Written atomically. */
export function writeCheckpoint(path: string, c: TrainingCheckpoint): void {
  const arrays: [string, Float32Array][] = [
    ['user', c.state.tables.user],
    ['item', c.state.tables.item],
    ...Object.entries(c.state.slots).map(([k, v]) => [`slot:${k}`, v] as [string, Float32Array]),
  ];
  if (c.best) arrays.push(['best:user', c.best.tables.user], ['best:item', c.best.tables.item]);
  if (c.best?.params) arrays.push(['best:param:user', c.best.params.user], ['best:param:item', c.best.params.item]);
  const bodyLen = arrays.reduce((n, [, a]) => n + a.byteLength, 0);
  const body = new Uint8Array(bodyLen);
  let off = 0;
  for (const [, a] of arrays) {
    body.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength;
  }
  const header = JSON.stringify({
    nextEpoch: c.nextEpoch,
    step: c.state.step,
    dim: c.state.tables.dim,
    arrays: arrays.map(([name, a]) => ({ name, length: a.length })),
    curves: c.curves,
    best: c.best ? { epoch: c.best.epoch, value: c.best.value } : null,
    evalsSinceBest: c.evalsSinceBest,
    sha256: sha256Hex(body),
  });
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + 4 + h.length + body.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, h.length, true);
  out.set(h, 12);
  out.set(body, 12 + h.length);
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, path);
}

/** Returns undefined when there is no usable checkpoint (absent, or failing its checks, which `warn` reports). */
export function readCheckpoint(path: string, warn: (m: string) => void): TrainingCheckpoint | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  try {
    if (bytes.subarray(0, 8).toString('latin1') !== MAGIC) throw new Error('bad magic');
    const hLen = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.subarray(12, 12 + hLen).toString('utf8'));
    const body = bytes.subarray(12 + hLen);
    if (sha256Hex(body) !== header.sha256) throw new Error('body does not match its sha256');
    const arrays = new Map<string, Float32Array>();
    let off = 0;
    for (const { name, length } of header.arrays as { name: string; length: number }[]) {
      const copy = new Float32Array(length);
      new Uint8Array(copy.buffer).set(body.subarray(off, off + length * 4));
      arrays.set(name, copy);
      off += length * 4;
    }
    if (off !== body.length) throw new Error('body length mismatch');
    const slots: Record<string, Float32Array> = {};
    for (const [k, v] of arrays) if (k.startsWith('slot:')) slots[k.slice(5)] = v;
    const dim = header.dim as number;
    return {
      nextEpoch: header.nextEpoch,
      state: { step: header.step, tables: { user: arrays.get('user')!, item: arrays.get('item')!, dim }, slots },
      curves: header.curves,
      best: header.best
        ? {
            ...header.best,
            tables: { user: arrays.get('best:user')!, item: arrays.get('best:item')!, dim },
            params: arrays.has('best:param:user') ? { user: arrays.get('best:param:user')!, item: arrays.get('best:param:item')!, dim } : null,
          }
        : null,
      evalsSinceBest: header.evalsSinceBest,
    };
  } catch (e) {
    warn(`ignoring checkpoint ${path}: ${(e as Error).message}`);
    rmSync(path, { force: true });
    return undefined;
  }
}

export function removeCheckpoint(path: string): void {
  rmSync(path, { force: true });
}
