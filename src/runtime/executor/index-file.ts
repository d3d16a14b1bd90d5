import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentKey, type NodeKey } from '../../contract/content-key.js';
import { int, obj, sha256, shapeProblem, str } from '../../core/json-shape.js';
import { cacheFsError } from '../cache/cache-fs-error.js';

/**
 * The last key (with its details) of every node of an experiment, kept so that `expc plan`
 * can explain a miss: which parameter, input or data file changed since the last run.
 */
export interface KeyIndex {
  experiment: string;
  nodes: Record<string, NodeKey>;
}

const NODE_KEY_SCHEMA = obj({
  key: sha256,
  details: obj({ kind: str, version: int, params: { type: 'object' }, inputs: { type: 'object', additionalProperties: sha256 }, external: {} }),
});
const INDEX_SCHEMA = obj({ experiment: str, nodes: { type: 'object' } });

export function indexPath(cacheDir: string, experiment: string): string {
  return join(cacheDir, 'index', `${experiment}.json`);
}

/**
 * The index, or an empty one. It only explains misses, so a damaged one is never an error: an
 * entry is kept only when it has the right shape and its key is the hash of its details (the
 * details are what `plan` reports, so they must be what the key was computed from).
 */
export function readKeyIndex(cacheDir: string, experiment: string, warn: (m: string) => void = () => {}): KeyIndex {
  const path = indexPath(cacheDir, experiment);
  const empty: KeyIndex = { experiment, nodes: {} };
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`ignoring ${path}: ${(e as Error).message}`);
    return empty;
  }
  const shape = shapeProblem(INDEX_SCHEMA, v);
  if (shape) {
    warn(`ignoring ${path}: ${shape}`);
    return empty;
  }
  const nodes: Record<string, NodeKey> = {};
  let dropped = 0;
  for (const [id, k] of Object.entries((v as KeyIndex).nodes)) {
    if (shapeProblem(NODE_KEY_SCHEMA, k) === null && contentKey(k.details) === k.key) nodes[id] = k;
    else dropped++;
  }
  if (dropped) warn(`ignoring ${dropped} damaged entr${dropped === 1 ? 'y' : 'ies'} of ${path}`);
  return { experiment, nodes };
}

/** Written atomically; a refused write is a CacheFsError (the caller decides whether that matters). */
export function writeKeyIndex(cacheDir: string, index: KeyIndex): void {
  const p = indexPath(cacheDir, index.experiment);
  const tmp = `${p}.${process.pid}.tmp`;
  try {
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(tmp, JSON.stringify(index));
    renameSync(tmp, p);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* nothing more to do */
    }
    throw cacheFsError(e, p, 'write the key index') ?? e;
  }
}
