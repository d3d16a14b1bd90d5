import type { JsonObject } from '../../core/json.js';
import { MAX_SYNTHETIC_INTERACTIONS } from '../../runtime/resources/memory-estimate.js';
import { error, warning, type Diagnostic } from '../diagnostics.js';
import type { DatasetModel, RunConfig } from '../../contract/model.js';
import type { Range } from '../source.js';
import type { WrittenParams } from './validate-params.js';

/**
 * Dataset settings that pass their schema but cannot work, found at check time instead of when
 * the data is loaded: the loader would fail the same way, only later and without a location.
 */
export function checkLoaderParams(loader: string, dataset: string, params: JsonObject, written: WrittenParams, anchor: Range, diagnostics: Diagnostic[]): void {
  const at = (name: string) => written.get(name)?.value.range ?? written.get(name)?.key?.range ?? anchor;
  if (loader === 'csv') {
    const columns = (['user', 'item', 'rating'] as const).filter((c) => params[c] !== null && params[c] !== undefined);
    for (let i = 0; i < columns.length; i++)
      for (let j = i + 1; j < columns.length; j++) {
        const [a, b] = [columns[i]!, columns[j]!];
        if (params[a] === params[b])
          diagnostics.push(
            error('invalid-value', `dataset '${dataset}' (csv): the ${a} and ${b} columns are the same column (${JSON.stringify(params[a])})`, at(written.has(b) ? b : a), {
              expected: `different columns for ${a} and ${b}`,
              found: JSON.stringify(params[b]),
            }),
          );
      }
    if ((params['rating'] === null || params['rating'] === undefined) && params['min_rating'] !== 0)
      diagnostics.push(
        error('invalid-value', `dataset '${dataset}' (csv): min_rating needs a rating column`, at('min_rating'), {
          expected: 'rating: <column> together with min_rating',
          found: `min_rating: ${String(params['min_rating'])} without rating`,
          hint: 'add rating: <column index or header name>, or remove min_rating',
        }),
      );
  }
  if (loader === 'synthetic') {
    const users = Number(params['users']);
    const perUser = Number(params['per_user']);
    // Generation holds every pair several times over (draws, dedup, split): cap it where that still fits.
    if (users * perUser > MAX_SYNTHETIC_INTERACTIONS)
      diagnostics.push(
        error('invalid-value', `dataset '${dataset}' (synthetic) would generate about ${users * perUser} interactions (users x per_user)`, at(written.has('users') ? 'users' : 'per_user'), {
          expected: `at most ${MAX_SYNTHETIC_INTERACTIONS} interactions`,
          found: `users: ${users}, per_user: ${perUser}`,
          hint: `lower users to at most ${Math.floor(MAX_SYNTHETIC_INTERACTIONS / perUser)}, or per_user`,
        }),
      );
  }
  if (loader === 'lightgcn') {
    if (params['name'] !== undefined && params['path'] !== undefined)
      diagnostics.push(
        error('invalid-value', `dataset '${dataset}' (lightgcn): give either name or path, not both`, at('path'), {
          expected: "name: '<folder under the data directories>' or path: '<folder>'",
          found: 'both',
        }),
      );
    if (params['name'] === undefined && params['path'] === undefined)
      diagnostics.push(error('invalid-value', `dataset '${dataset}' (lightgcn) needs a name or a path`, anchor, { expected: "name: 'gowalla' or path: '<folder>'", found: 'neither' }));
  }
}

/**
 * A run's settings against what is known of a dataset before loading it: a synthetic dataset's
 * size is known exactly (items) or nearly (interactions: users x per_user, less what the split holds out).
 */
export function checkTrialAgainstDataset(config: RunConfig, ds: DatasetModel, trial: string, anchor: Range, diagnostics: Diagnostic[]): void {
  if (ds.loader.name !== 'synthetic') return;
  const p = ds.loader.params as { users: number; items: number; per_user: number };
  const negatives = config.sampler.params['negatives'];
  if (typeof negatives === 'number' && negatives >= p.items)
    diagnostics.push(
      error('incompatible-components', `trial '${trial}': sampler.negatives is ${negatives}, but dataset '${ds.name}' has only ${p.items} items`, anchor, {
        expected: `at most ${p.items - 1} negatives`,
        found: String(negatives),
      }),
    );
  const t = config.training;
  const held = (Number(ds.split.params['test']) || 0) + (Number(ds.split.params['valid']) || 0);
  const pairs = Math.floor(p.users * p.per_user * Math.max(0, 1 - held));
  if (t.drop_last && t.batch > pairs)
    diagnostics.push(
      warning('incompatible-components', `trial '${trial}': drop_last with batch ${t.batch} leaves no batch: dataset '${ds.name}' has about ${pairs} training pairs`, anchor, {
        expected: `training.batch below ~${pairs}, or drop_last: false`,
        found: `batch ${t.batch}`,
      }),
    );
}
