import type { ExecutionGraph } from '../contract/graph.js';
import { computeKeys, type NodeKey } from '../contract/content-key.js';
import { canonicalJson, type Json } from '../core/json.js';
import { UserError } from '../core/errors.js';
import type { GraphKeys } from '../runtime/executor/graph-keys.js';
import { readKeyIndex } from '../runtime/executor/index-file.js';

/**
 * Content keys for reading results without the data. A dataset's key hashes its files; when they
 * cannot be found now (no --data-dir), the file hashes the last run recorded for that same load
 * step (same loader and parameters) stand in for them, so a review finds what was computed.
 * A dataset with no such record is an error that says the data is missing, not that nothing ran.
 */
export function keysWithRecordedData(graph: ExecutionGraph, keyed: GraphKeys, cacheDir: string, note: (message: string) => void): Map<string, NodeKey> {
  if (keyed.blocked.size === 0) return keyed.keys;
  const index = readKeyIndex(cacheDir, graph.experiment);
  const external = new Map<string, Json>();
  for (const n of graph.nodes) {
    if (n.kind !== 'load_dataset') continue;
    const now = keyed.keys.get(n.id);
    if (now) {
      external.set(n.id, now.details.external);
      continue;
    }
    const reason = keyed.blocked.get(n.id)?.message ?? 'its files cannot be found';
    const recorded = index.nodes[n.id];
    if (!recorded || recorded.details.kind !== n.kind || canonicalJson(recorded.details.params) !== canonicalJson(n.params))
      throw new UserError(`cannot find the data of dataset '${n.dataset}', and no run of this experiment recorded it: ${reason}`, {
        hint: 'pass --data-dir DIR or set $EXPC_DATA_DIR to the folder with the dataset files',
      });
    note(`dataset '${n.dataset}': data not found (${firstLine(reason)}); using the file hashes recorded by the last run`);
    external.set(n.id, recorded.details.external);
  }
  return computeKeys(graph, external);
}

const firstLine = (s: string) => s.split('\n')[0]!;
