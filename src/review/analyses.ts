import { CacheFsError } from '../runtime/cache/cache-fs-error.js';
import { hashJson, type Json, type JsonObject } from '../core/json.js';
import { jsonFile, npyFile, type ArtifactStore } from '../runtime/cache/artifact-store.js';
import type { SplitData } from '../runtime/data/dataset.js';
import type { UserItems } from '../core/user-items.js';
import { groupRecall } from './analysis/group-recall.js';
import { kmeans } from './analysis/kmeans.js';
import { exactTsneBytes, MAX_PROJECTED_ITEMS, projectionSample } from './analysis/projection-sample.js';
import { groupSizes, popularityGroups } from './analysis/popularity-groups.js';
import { typeShares } from './analysis/type-shares.js';
import { typeStatistics } from './analysis/type-statistics.js';
import { ProjectionRunner } from './project-in-worker.js';
import { finite, type ItemClustersRun, type ItemClustersSection, type PopularityGroupsSection, type TypeTableRow } from './review-data.js';

/** Seed of k-means and of the projections (recorded in every review). */
export const ANALYSIS_SEED = 2022;
/** Bump when an analysis computes different numbers, so cached results are not reused. */
const ANALYSIS_VERSION = 1;

/**
 * Analyses are pure functions of cached step results, so they are cached the same way: under
 * hashJson({analysis, version, params, inputs: the content keys they read}).
 */
export class AnalysisCache {
  computed = 0;
  cached = 0;
  readonly projections: ProjectionRunner;
  constructor(
    private readonly store: ArtifactStore,
    private readonly experiment: string,
    /** Projections computed at the same time, each on a worker thread. */
    parallelism?: number,
  ) {
    this.projections = new ProjectionRunner(parallelism);
  }

  /** Why analyses could not be cached, when they could not (said once by the review command). */
  unstored: string | undefined;

  key(analysis: string, params: Json, inputs: string[]): string {
    return hashJson({ analysis, version: ANALYSIS_VERSION, params, inputs });
  }

  /** The cached value of an analysis, or computes and stores it. Values are JSON plus named arrays. */
  async getOrCompute<T extends { json: Json; arrays: Record<string, { data: Int32Array | Float64Array; shape: number[] }> }>(
    analysis: string,
    params: Json,
    inputs: string[],
    compute: () => T | Promise<T>,
  ): Promise<{ json: Json; arrays: Record<string, Int32Array | Float64Array> }> {
    const key = this.key(analysis, params, inputs);
    const hit = this.store.get(key);
    if (hit) {
      this.cached++;
      const arrays: Record<string, Int32Array | Float64Array> = {};
      for (const name of (hit.meta['arrays'] as string[]) ?? []) arrays[name] = hit.npy(`${name}.npy`).data as Int32Array | Float64Array;
      return { json: hit.json('value.json'), arrays };
    }
    const value = await compute();
    this.computed++;
    const files: Record<string, Uint8Array> = { 'value.json': jsonFile(value.json) };
    for (const [name, a] of Object.entries(value.arrays)) files[`${name}.npy`] = npyFile(a.data, a.shape);
    const meta: JsonObject = { analysis, params, inputs, arrays: Object.keys(value.arrays) };
    try {
      this.store.put(key, 'review_analysis', `review:${this.experiment}/${analysis}`, { files, meta });
    } catch (e) {
      // Only a speed-up for the next review: a read-only or full cache still gets its review.
      if (!(e instanceof CacheFsError)) throw e;
      this.unstored ??= e.message;
    }
    return { json: value.json, arrays: Object.fromEntries(Object.entries(value.arrays).map(([n, a]) => [n, a.data])) };
  }
}

/** Training interactions per item. */
export function itemDegrees(train: UserItems, numItems: number): Float64Array {
  const d = new Float64Array(numItems);
  const { items } = train.pairs();
  for (let i = 0; i < items.length; i++) d[items[i]!]!++;
  return d;
}

/** What the analyses read of one trial. */
export interface AnalysisTrial {
  id: string;
  trainKey: string;
  evaluateKey: string;
  users: Int32Array;
  topK: Int32Array;
  k: number;
  tables: () => { user: Float32Array; item: Float32Array; dim: number };
}

/**
 * SSM eq. 29 per compared run: items in `groups` groups of equal training-interaction mass, and
 * Recall@k split into the parts contributed by each group (averaged over a run's seeds). The
 * parts must add up to Recall@k computed directly: `sum` and `total` are both kept to show it.
 */
export async function popularityGroupsAnalysis(
  cache: AnalysisCache,
  split: () => SplitData,
  splitKey: string,
  runs: { run: string; trials: AnalysisTrial[] }[],
  groups: number,
  K: number,
): Promise<PopularityGroupsSection> {
  let groupOf: Int32Array | undefined;
  const ensureGroups = () => {
    if (!groupOf) {
      const s = split();
      groupOf = popularityGroups(itemDegrees(s.train, s.numItems), groups);
    }
    return groupOf;
  };
  const sizesValue = await cache.getOrCompute('popularity_groups', { groups }, [splitKey], () => {
    const s = split();
    const degrees = itemDegrees(s.train, s.numItems);
    const g = ensureGroups();
    const sizes = groupSizes(degrees, g, groups);
    return { json: { items: Array.from(sizes.items), interactions: Array.from(sizes.interactions) }, arrays: { groupOf: { data: g, shape: [g.length] } } };
  });
  groupOf ??= sizesValue.arrays['groupOf'] as Int32Array;
  const out: PopularityGroupsSection['runs'] = [];
  for (const r of runs) {
    const perTrial: { perGroup: number[]; total: number; users: number }[] = [];
    for (const t of r.trials) {
      const v = await cache.getOrCompute('group_recall', { groups, k: K }, [splitKey, t.evaluateKey], () => {
        const gr = groupRecall(t.topK, t.k, K, t.users, split().test, ensureGroups(), groups);
        return { json: { perGroup: Array.from(gr.perGroup), total: gr.total, users: gr.users }, arrays: {} };
      });
      perTrial.push(v.json as unknown as { perGroup: number[]; total: number; users: number });
    }
    const n = perTrial.length;
    const perGroup = Array.from({ length: groups }, (_, g) => perTrial.reduce((a, p) => a + p.perGroup[g]!, 0) / n);
    out.push({
      run: r.run,
      trials: r.trials.map((t) => t.id),
      perGroup,
      sum: perGroup.reduce((a, b) => a + b, 0),
      total: perTrial.reduce((a, p) => a + p.total, 0) / n,
      users: perTrial[0]?.users ?? 0,
    });
  }
  const sizes = sizesValue.json as { items: number[]; interactions: number[] };
  return { groups, k: K, sizes, runs: out };
}

interface ClusterStats {
  inertia: number;
  sizes: number[];
  atK: ItemClustersRun['atK'];
}

/** Pooled over the test users: per type, list slots, hits and test items among the top K. */
function perTypeTable(labels: Int32Array, numTypes: number, t: AnalysisTrial, split: SplitData, K: number): TypeTableRow[] {
  const recommended = new Float64Array(numTypes);
  const hits = new Float64Array(numTypes);
  const relevant = new Float64Array(numTypes);
  let slots = 0;
  for (let i = 0; i < t.users.length; i++) {
    const u = t.users[i]!;
    const s = typeStatistics(labels, numTypes, split.train.row(u), split.test.row(u), t.topK.subarray(i * t.k, (i + 1) * t.k), K);
    for (const row of s.perType) {
      recommended[row.type]! += row.recommended;
      hits[row.type]! += row.hits;
      relevant[row.type]! += row.relevant;
      slots += row.recommended;
    }
  }
  const items = new Float64Array(numTypes);
  for (const l of labels) items[l]!++;
  return Array.from({ length: numTypes }, (_, type) => ({
    type,
    items: items[type]!,
    precision: recommended[type]! > 0 ? hits[type]! / recommended[type]! : null,
    recall: relevant[type]! > 0 ? hits[type]! / relevant[type]! : null,
    listShare: slots > 0 ? recommended[type]! / slots : 0,
  }));
}

/**
 * The deterministic choice of the user marked in the projections: among test users whose
 * training items span at least min(3, k) latent types under every compared run's clustering,
 * the one with the median number of training items (the lower median), lowest id on ties.
 */
export function chooseUser(users: Int32Array, train: UserItems, labelings: Int32Array[], k: number): { user: number; why: string } {
  const need = Math.min(3, k);
  const spans = (u: number) =>
    labelings.every((labels) => {
      const seen = new Set<number>();
      for (const item of train.row(u)) seen.add(labels[item]!);
      return seen.size >= need;
    });
  let pool = Array.from(users).filter((u) => train.count(u) > 0 && spans(u));
  let rule = `whose training items span at least ${need} latent types in every compared run's clustering`;
  if (pool.length === 0) {
    pool = Array.from(users).filter((u) => train.count(u) > 0);
    rule = `with training items (none spans ${need} latent types in every run's clustering)`;
  }
  if (pool.length === 0) return { user: users[0] ?? 0, why: 'no test user has training items; the first test user' };
  const counts = pool.map((u) => train.count(u)).sort((a, b) => a - b);
  const median = counts[Math.floor((counts.length - 1) / 2)]!;
  const user = Math.min(...pool.filter((u) => train.count(u) === median));
  return { user, why: `the test user with the median number of training items (${median}) among the ${pool.length} test users ${rule}; lowest id on ties` };
}

/**
 * OneBP 5.5 per compared run: k-means on the kept item embeddings gives latent types; per type
 * the pooled precision and recall of the top-K lists and each list's share of slots; the users'
 * majority/minority type shares for every K of the evaluate block (Fig. 7-8); and a 2-D
 * projection of the items with one user and their training items marked (Fig. 5).
 */
export async function itemClustersAnalysis(
  cache: AnalysisCache,
  split: () => SplitData,
  splitKey: string,
  userIds: () => string[] | null,
  runs: { run: string; trial: AnalysisTrial }[],
  k: number,
  projection: 'pca' | 'tsne',
  cutoffs: number[],
): Promise<ItemClustersSection> {
  const Ks = [...cutoffs].sort((a, b) => a - b);
  const clustered: { run: string; trial: AnalysisTrial; labels: Int32Array; stats: ClusterStats }[] = [];
  for (const { run, trial } of runs) {
    const v = await cache.getOrCompute('item_clusters', { k, seed: ANALYSIS_SEED, cutoffs: Ks }, [splitKey, trial.trainKey, trial.evaluateKey], () => {
      const tables = trial.tables();
      const s = split();
      const numItems = tables.item.length / tables.dim;
      const km = kmeans(tables.item, numItems, tables.dim, Math.min(k, numItems), ANALYSIS_SEED);
      const shares = typeShares({ itemTypes: km.labels, numTypes: k, users: trial.users, topK: trial.topK, k: trial.k, train: s.train, test: s.test, Ks });
      const sizes = new Array<number>(k).fill(0);
      for (const l of km.labels) sizes[l]!++;
      const atK = Ks.map((K, q) => {
        const a = shares[q]!;
        return {
          K,
          perType: perTypeTable(km.labels, k, trial, s, K),
          majorityShare: finite(a.majorityShare),
          minorityShare: finite(a.minorityShare),
          minorityByRank: Array.from(a.minorityByRank, finite),
          majorityPrecision: finite(a.majorityPrecision),
          minorityPrecision: finite(a.minorityPrecision),
          majorityRecall: finite(a.majorityRecall),
          minorityRecall: finite(a.minorityRecall),
          minorityEvenness: finite(a.minorityEvenness),
          trainingMajorityShare: finite(a.trainingMajorityShare),
        };
      });
      const stats: ClusterStats = { inertia: km.inertia, sizes, atK };
      return { json: stats as unknown as Json, arrays: { labels: { data: km.labels, shape: [km.labels.length] } } };
    });
    clustered.push({ run, trial, labels: v.arrays['labels'] as Int32Array, stats: v.json as unknown as ClusterStats });
  }

  const s = split();
  const testUsers = clustered[0]?.trial.users ?? s.test.activeUsers();
  const chosen = chooseUser(testUsers, s.train, clustered.map((c) => c.labels), k);
  const u = chosen.user;
  const trainingItems = Array.from(s.train.row(u)).sort((a, b) => a - b);
  const ids = userIds();
  const Kmax = Ks[Ks.length - 1]!;

  // Beyond MAX_PROJECTED_ITEMS items (Gowalla: 40,981) a seeded sample is projected, the user's
  // training items always in it, so exact t-SNE stays within 2 x 3,001^2 float64 (144 MB).
  const sample = projectionSample(s.numItems, trainingItems, ANALYSIS_SEED);
  const sampled = sample.items.length < s.numItems;
  // The projections of all runs at once (each exact t-SNE is O(n^2) per step): one worker each.
  const projected = await Promise.all(
    clustered.map((c) =>
      cache.getOrCompute('projection', { method: projection, seed: ANALYSIS_SEED, user: u, ...(sampled ? { sample: MAX_PROJECTED_ITEMS } : {}) }, [c.trial.trainKey], async () => {
        const t = c.trial.tables();
        const m = sample.items.length;
        const data = new Float32Array((m + 1) * t.dim);
        sample.items.forEach((item, r) => data.set(t.item.subarray(item * t.dim, (item + 1) * t.dim), r * t.dim));
        data.set(t.user.subarray(u * t.dim, (u + 1) * t.dim), m * t.dim);
        const coords = await cache.projections.project({ data, n: m + 1, dim: t.dim, method: projection, seed: ANALYSIS_SEED });
        return { json: null, arrays: { coords: { data: coords, shape: [m + 1, 2] } } };
      }),
    ),
  );
  const out: ItemClustersRun[] = [];
  for (const [i, c] of clustered.entries()) {
    const p = projected[i]!;
    const coords = p.arrays['coords'] as Float64Array;
    const row = c.trial.users.indexOf(u);
    const list = row >= 0 ? c.trial.topK.subarray(row * c.trial.k, (row + 1) * c.trial.k) : new Int32Array(Kmax).fill(-1);
    const st = typeStatistics(c.labels, k, s.train.row(u), s.test.row(u), list, Kmax);
    const round = (x: number) => Number(x.toPrecision(6));
    out.push({
      run: c.run,
      trial: c.trial.id,
      inertia: c.stats.inertia,
      sizes: c.stats.sizes,
      atK: c.stats.atK,
      user: {
        majorityType: st.majorityType,
        perType: st.perType.map((r) => ({ ...r, precision: finite(r.precision), recall: finite(r.recall) })),
        precision: st.precision,
        recall: finite(st.recall),
      },
      coords: Array.from({ length: coords.length / 2 }, (_, i) => [round(coords[2 * i]!), round(coords[2 * i + 1]!)] as [number, number]),
      labels: Array.from(c.labels),
    });
  }
  return {
    k,
    projection,
    seed: ANALYSIS_SEED,
    cutoffs: Ks,
    user: { id: u, label: ids?.[u] ?? null, trainingItems, why: chosen.why },
    runs: out,
    ...(sampled
      ? {
          projectionSample: {
            items: Array.from(sample.items),
            of: sample.of,
            seed: sample.seed,
            kept: sample.kept,
            rule: `${sample.items.length} of ${sample.of} items projected: the selected user's ${sample.kept} training items and a seeded uniform draw without replacement (seed ${sample.seed}) from the rest; exact t-SNE on ${sample.items.length + 1} points holds ${(exactTsneBytes(sample.items.length + 1) / 1e6).toFixed(0)} MB`,
          },
        }
      : {}),
  };
}
