import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, UserError } from '../../core/errors.js';
import { npyFile } from '../../runtime/cache/artifact-store.js';
import { displayPath } from '../paths.js';
import { formatTable } from '../summary.js';
import { loadTrainedModel, originalId, type TrainedModel, type TrainedModelOptions } from '../trained-model.js';

export interface RecommendOptions extends TrainedModelOptions {
  /** User ids as the data names them. */
  users: string[];
  k: number;
  json: boolean;
  out: (text: string) => void;
}

export interface Recommendation {
  user: string;
  items: { item: string; score: number }[];
}

/**
 * `expc recommend FILE --run R --users 1,2 -k 20`: each user's top-K items by the trained
 * model's score (its similarity: dot or cosine), the items the user has in the training and
 * validation splits left out, as the evaluation masks them; ties go to the lower item id.
 */
export async function recommend(o: RecommendOptions): Promise<Recommendation[]> {
  if (!Number.isInteger(o.k) || o.k < 1) throw new UsageError(`-k must be an integer >= 1, got '${o.k}'`);
  if (o.users.length === 0) throw new UsageError('--users needs at least one user id, e.g. --users 1,2,3');
  const m = await loadTrainedModel(o);
  const byId = userIndex(m);
  const recs: Recommendation[] = [];
  for (const user of o.users) {
    const u = byId.get(user);
    if (u === undefined) {
      const some = [...byId.keys()].slice(0, 5).join(', ');
      throw new UserError(`--users: user '${user}' is not in dataset '${m.trial.dataset}' (${byId.size} users, e.g. ${some})`);
    }
    recs.push({ user, items: topK(m, u, o.k, o.warn) });
  }
  if (o.json) {
    o.out(JSON.stringify({ experiment: m.model.name, trial: m.trial.id, dataset: m.trial.dataset, seed: m.trial.seed, similarity: m.similarity, k: o.k, excluded: 'train and valid items of each user', recommendations: recs }, null, 2));
    return recs;
  }
  o.out(`top ${o.k} of ${m.trial.id} on ${m.trial.dataset} (seed ${m.trial.seed}; ${m.similarity} score; training and validation items excluded)`);
  for (const r of recs) {
    o.out('');
    o.out(`user ${r.user}`);
    o.out(formatTable(['rank', 'item', 'score'], r.items.map((x, i) => [String(i + 1), x.item, x.score.toFixed(4)])).replace(/^/gm, '  '));
  }
  return recs;
}

function userIndex(m: TrainedModel): Map<string, number> {
  const out = new Map<string, number>();
  for (let u = 0; u < m.dataset.numUsers; u++) out.set(originalId(m.dataset.userIds, u), u);
  return out;
}

/** Scores every item for user `u`, drops the user's training and validation items, keeps the best k. */
export function topK(m: TrainedModel, u: number, k: number, warn: (t: string) => void): { item: string; score: number }[] {
  const { user, item, dim } = m.tables;
  const numItems = item.length / dim;
  const norm = (a: Float32Array, row: number) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += a[row * dim + d]! ** 2;
    return Math.sqrt(s) || 1;
  };
  const un = m.similarity === 'cosine' ? norm(user, u) : 1;
  const seen = new Set<number>([...m.split.train.row(u), ...(m.split.valid ? m.split.valid.row(u) : [])]);
  const scored: { i: number; s: number }[] = [];
  for (let i = 0; i < numItems; i++) {
    if (seen.has(i)) continue;
    let s = 0;
    for (let d = 0; d < dim; d++) s += user[u * dim + d]! * item[i * dim + d]!;
    scored.push({ i, s: m.similarity === 'cosine' ? s / (un * norm(item, i)) : s });
  }
  if (k > scored.length) warn(`note: -k ${k} is more than the ${scored.length} items user ${originalId(m.dataset.userIds, u)} has not interacted with; showing all of them`);
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return scored.slice(0, k).map((x) => ({ item: originalId(m.dataset.itemIds, x.i), score: x.s }));
}

export interface ExportOptions extends TrainedModelOptions {
  outDir: string;
  json: boolean;
  out: (text: string) => void;
}

/**
 * `expc export FILE --run R --out DIR`: the trained embeddings as .npy (float32, rows = dense
 * ids, readable with numpy.load) with the id maps from dense ids to the data's ids, so that
 * row i of user_embeddings.npy is user user_ids.json[i].
 */
export async function exportModel(o: ExportOptions): Promise<{ dir: string; files: string[] }> {
  const m = await loadTrainedModel(o);
  const { user, item, dim } = m.tables;
  const dir = resolve(o.outDir);
  const ids = (list: string[] | null, n: number) => Array.from({ length: n }, (_, i) => originalId(list, i));
  const files: Record<string, Uint8Array | string> = {
    'user_embeddings.npy': npyFile(user, [user.length / dim, dim]),
    'item_embeddings.npy': npyFile(item, [item.length / dim, dim]),
    'user_ids.json': `${JSON.stringify(ids(m.dataset.userIds, user.length / dim))}\n`,
    'item_ids.json': `${JSON.stringify(ids(m.dataset.itemIds, item.length / dim))}\n`,
    'model.json': `${JSON.stringify(
      {
        experiment: m.model.name,
        trial: m.trial.id,
        run: m.trial.run,
        dataset: m.trial.dataset,
        seed: m.trial.seed,
        contentKey: m.key,
        score: m.similarity === 'cosine' ? 'cosine(user, item)' : 'dot(user, item)',
        dim,
        config: m.trial.config,
        overrides: m.model.overrides ?? [],
      },
      null,
      2,
    )}\n`,
  };
  try {
    mkdirSync(dir, { recursive: true });
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UserError(`--out ${o.outDir}: cannot write the export (${err.code ?? 'error'}: ${err.message})`);
  }
  const names = Object.keys(files);
  if (o.json) o.out(JSON.stringify({ dir, files: names, trial: m.trial.id, dataset: m.trial.dataset }, null, 2));
  else o.out(`exported ${m.trial.id} on ${m.trial.dataset} (${user.length / dim} users, ${item.length / dim} items, dim ${dim}) to ${displayPath(dir)}: ${names.join(', ')}`);
  return { dir, files: names };
}
