import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeKey } from '../../contract/content-key.js';

/**
 * The last key (with its details) of every node of an experiment, kept so that `expc plan`
 * can explain a miss: which parameter, input or data file changed since the last run.
 */
export interface KeyIndex {
  experiment: string;
  nodes: Record<string, NodeKey>;
}

export function indexPath(cacheDir: string, experiment: string): string {
  return join(cacheDir, 'index', `${experiment}.json`);
}

export function readKeyIndex(cacheDir: string, experiment: string): KeyIndex {
  try {
    const v = JSON.parse(readFileSync(indexPath(cacheDir, experiment), 'utf8')) as KeyIndex;
    if (v && typeof v.nodes === 'object') return v;
  } catch {
    /* no index yet, or unreadable: nothing to compare with */
  }
  return { experiment, nodes: {} };
}

export function writeKeyIndex(cacheDir: string, index: KeyIndex): void {
  const p = indexPath(cacheDir, index.experiment);
  mkdirSync(join(p, '..'), { recursive: true });
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(index));
  renameSync(tmp, p);
}
