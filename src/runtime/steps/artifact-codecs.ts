import { InternalError } from '../../core/errors.js';
import { jsonFile, npyFile, type Artifact } from '../cache/artifact-store.js';
import type { LoadedDataset, SplitData } from '../data/dataset.js';
import { UserItems } from '../../core/user-items.js';
import type { CsrAdjacency, ModelDescription, Tables } from '../../contract/training.js';

/**
 * How step results are laid out as files (.npy arrays, readable with numpy.load; JSON for the
 * rest) and read back. One place, so that steps, reviews and tests agree.
 */

function pairsFile(s: UserItems): Uint8Array {
  const { users, items } = s.pairs();
  const out = new Int32Array(users.length * 2);
  for (let i = 0; i < users.length; i++) {
    out[2 * i] = users[i]!;
    out[2 * i + 1] = items[i]!;
  }
  return npyFile(out, [users.length, 2]);
}

function pairsFrom(a: Artifact, name: string, numUsers: number, numItems: number): UserItems {
  const { data, shape } = a.npy(name);
  if (!(data instanceof Int32Array) || shape.length !== 2 || shape[1] !== 2) throw new InternalError(`${name} is not an n x 2 int32 array`);
  const n = shape[0]!;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    users[i] = data[2 * i]!;
    items[i] = data[2 * i + 1]!;
  }
  return UserItems.fromPairs(numUsers, numItems, users, items);
}

export function encodeDataset(d: LoadedDataset): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {
    'users.npy': npyFile(d.users),
    'items.npy': npyFile(d.items),
    'ids.json': jsonFile({ users: d.userIds, items: d.itemIds }),
  };
  if (d.part) files['part.npy'] = npyFile(d.part);
  if (d.itemTypes) files['item_types.npy'] = npyFile(d.itemTypes);
  return files;
}

export function decodeDataset(a: Artifact): LoadedDataset {
  const m = a.meta;
  const ids = a.json<{ users: string[] | null; items: string[] | null }>('ids.json');
  return {
    numUsers: m['numUsers'] as number,
    numItems: m['numItems'] as number,
    users: a.npy('users.npy').data as Int32Array,
    items: a.npy('items.npy').data as Int32Array,
    part: a.has('part.npy') ? (a.npy('part.npy').data as Uint8Array) : null,
    userIds: ids.users,
    itemIds: ids.items,
    itemTypes: a.has('item_types.npy') ? (a.npy('item_types.npy').data as Int32Array) : null,
    inputs: (m['inputs'] as unknown as LoadedDataset['inputs']) ?? [],
  };
}

export function encodeSplit(s: SplitData): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = { 'train.npy': pairsFile(s.train), 'test.npy': pairsFile(s.test) };
  if (s.valid) files['valid.npy'] = pairsFile(s.valid);
  return files;
}

export function decodeSplit(a: Artifact): SplitData {
  const numUsers = a.meta['numUsers'] as number;
  const numItems = a.meta['numItems'] as number;
  return {
    numUsers,
    numItems,
    train: pairsFrom(a, 'train.npy', numUsers, numItems),
    valid: a.has('valid.npy') ? pairsFrom(a, 'valid.npy', numUsers, numItems) : null,
    test: pairsFrom(a, 'test.npy', numUsers, numItems),
  };
}

export function encodeTables(t: Tables, prefix = ''): Record<string, Uint8Array> {
  return {
    [`${prefix}user.npy`]: npyFile(t.user, [t.user.length / t.dim, t.dim]),
    [`${prefix}item.npy`]: npyFile(t.item, [t.item.length / t.dim, t.dim]),
  };
}

/**
 * A trained model: the embeddings (user.npy, item.npy: what evaluation, reviews and
 * recommendations read), the parameters when they differ (params_user.npy, params_item.npy),
 * and model.json (encoder, scorer), so that nothing downstream reads a loss's parameters.
 */
export function encodeModel(description: ModelDescription, embeddings: Tables, parameters: Tables | null): Record<string, Uint8Array> {
  // an encoder's dense weights (ngcf's W and b per layer) as params_w_<name>.npy, flat
  const weights = Object.fromEntries(Object.entries(parameters?.weights ?? {}).map(([k, v]) => [`params_w_${k}.npy`, npyFile(v, [v.length])]));
  return { ...encodeTables(embeddings), ...(parameters ? encodeTables(parameters, 'params_') : {}), ...weights, 'model.json': jsonFile(description) };
}

/** The model description of a train artifact; entries written before model.json existed were mf models, scored as their meta says. */
export function decodeModel(a: Artifact): ModelDescription {
  if (a.has('model.json')) return a.json<ModelDescription>('model.json');
  return { encoder: 'mf', scorer: a.meta['similarity'] === 'cosine' ? 'cosine' : 'dot', embeddingsAreParameters: true };
}

export function decodeTables(a: Artifact): Tables {
  const u = a.npy('user.npy');
  const v = a.npy('item.npy');
  if (!(u.data instanceof Float32Array) || !(v.data instanceof Float32Array)) throw new InternalError('embeddings are not float32');
  return { user: u.data, item: v.data, dim: u.shape[1]! };
}

/** Training curves: one entry per epoch; `metrics` only on evaluated epochs. */
export interface Curves {
  epochs: { epoch: number; loss: number; seconds: number; metrics?: Record<string, number> }[];
  monitored: 'valid' | 'test' | null;
}

/** A normalised adjacency as three CSR arrays; the sizes are in the arrays' shapes. */
export function encodeAdjacency(a: CsrAdjacency): Record<string, Uint8Array> {
  return {
    'indptr.npy': npyFile(a.indptr.subarray(0, a.n + 1)),
    'indices.npy': npyFile(a.indices.subarray(0, a.nnz)),
    'values.npy': npyFile(a.values.subarray(0, a.nnz)),
    'shape.json': jsonFile({ numUsers: a.numUsers, numItems: a.numItems }),
  };
}

export function decodeAdjacency(art: Artifact): CsrAdjacency {
  const indptr = art.npy('indptr.npy').data;
  const indices = art.npy('indices.npy').data;
  const values = art.npy('values.npy').data;
  const { numUsers, numItems } = art.json<{ numUsers: number; numItems: number }>('shape.json');
  if (!(indptr instanceof Int32Array) || !(indices instanceof Int32Array) || !(values instanceof Float32Array)) throw new InternalError('adjacency arrays are not int32/int32/float32');
  const n = numUsers + numItems;
  if (indptr.length !== n + 1 || indices.length !== values.length || indptr[n] !== indices.length) throw new InternalError(`adjacency arrays do not fit ${numUsers} users and ${numItems} items`);
  return { numUsers, numItems, n, nnz: indices.length, indptr, indices, values };
}
