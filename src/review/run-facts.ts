import type { Json } from '../core/json.js';
import type { RunRecord } from '../runtime/record/run-record.js';
import type { StepStatus } from './review-data.js';

export interface KeyFacts {
  status: StepStatus;
  record: string | null;
}

/**
 * What run records say about the steps a review reads, looked up by content key (so renamed runs
 * and datasets still match): for each key the latest record that holds it, and whether that run
 * computed the step or found it in the cache.
 */
export class RunFacts {
  private readonly byKey = new Map<string, { record: RunRecord; status: string }>();
  /** The latest record that computed each key (a fully cached run never starts a backend, so its environment says little). */
  private readonly ranBy = new Map<string, RunRecord>();

  /** `records` oldest first (readRunRecords' order). */
  constructor(records: readonly RunRecord[]) {
    for (const r of records)
      for (const n of r.nodes) {
        if (n.key && (n.status === 'ran' || n.status === 'cached')) this.byKey.set(n.key, { record: r, status: n.status });
        if (n.key && n.status === 'ran') this.ranBy.set(n.key, r);
      }
  }

  step(key: string): KeyFacts {
    const hit = this.byKey.get(key);
    if (!hit) return { status: 'unknown', record: null };
    return { status: hit.status === 'ran' ? 'ran' : 'cached', record: hit.record.id };
  }

  /** The records that hold any of the keys, newest first. */
  recordsFor(keys: Iterable<string>): RunRecord[] {
    const seen = new Map<string, RunRecord>();
    for (const k of keys) {
      const hit = this.byKey.get(k);
      if (hit) seen.set(hit.record.id, hit.record);
    }
    return newestFirst([...seen.values()]);
  }

  /**
   * The environment the results were computed in: that of the newest record that computed any of
   * the keys, else of the newest record that holds any (empty when no record does).
   */
  environmentFor(keys: Iterable<string>): Record<string, Json> {
    const list = [...keys];
    return this.computedBy(list)[0]?.environment ?? this.recordsFor(list)[0]?.environment ?? {};
  }

  /** The records that computed any of the keys (the latest one per key), newest first. */
  computedBy(keys: Iterable<string>): RunRecord[] {
    const seen = new Map<string, RunRecord>();
    for (const k of keys) {
      const r = this.ranBy.get(k);
      if (r) seen.set(r.id, r);
    }
    return newestFirst([...seen.values()]);
  }
}

const newestFirst = (records: RunRecord[]): RunRecord[] => records.sort((a, b) => (a.started < b.started ? 1 : a.started > b.started ? -1 : 0));
