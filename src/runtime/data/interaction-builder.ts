import { InternalError } from '../../core/errors.js';
import type { InputFile, LoadedDataset } from './dataset.js';

/**
 * Collects (user, item[, part]) rows as a loader parses them and turns them into a LoadedDataset:
 * - ids become dense and 0-based, in the order of the original ids (numeric when every id is an
 *   integer, else by string), so the same file always gives the same dense ids;
 * - numUsers / numItems count every id seen in any part (train or test);
 * - repeated (user, item) pairs are dropped; a pair in both parts is kept in part 0 (train);
 * - the pairs come out sorted by (user, item): a split then depends only on the set of pairs,
 *   never on the order of lines in the file.
 * Raw ids are non-negative integers: the ids themselves (integer formats) or indices into a list of
 * names (formats with string ids, see IdInterner).
 */
export class InteractionBuilder {
  private users = new Int32Array(1 << 16);
  private items = new Int32Array(1 << 16);
  private parts = new Uint8Array(1 << 16);
  private n = 0;
  /** Users seen without any pair (a LightGCN line with no items). */
  private bareUsers: number[] = [];

  get size(): number {
    return this.n;
  }

  add(user: number, item: number, part = 0): void {
    if (this.n === this.users.length) this.grow();
    this.users[this.n] = user;
    this.items[this.n] = item;
    this.parts[this.n] = part;
    this.n++;
  }

  /** A user id that exists even if it has no pairs. */
  addUser(user: number): void {
    this.bareUsers.push(user);
  }

  private grow(): void {
    const cap = this.users.length * 2;
    const u = new Int32Array(cap);
    u.set(this.users);
    const i = new Int32Array(cap);
    i.set(this.items);
    const p = new Uint8Array(cap);
    p.set(this.parts);
    this.users = u;
    this.items = i;
    this.parts = p;
  }

  build(opts: BuildOptions): LoadedDataset {
    const n = this.n;
    const users = this.users.subarray(0, n);
    const items = this.items.subarray(0, n);
    const parts = this.parts.subarray(0, n);
    const U = densify(users, this.bareUsers, opts.userNames);
    const I = densify(items, [], opts.itemNames);
    const numUsers = U.originals.length;
    const numItems = I.originals.length;

    // group by user (counting sort), then sort each row by (item, part) and drop repeats
    const start = new Int32Array(numUsers + 1);
    for (let k = 0; k < n; k++) start[U.dense[k]! + 1]!++;
    for (let u = 0; u < numUsers; u++) start[u + 1]! += start[u]!;
    const fill = start.slice(0, numUsers);
    const keys = new Int32Array(n);
    for (let k = 0; k < n; k++) keys[fill[U.dense[k]!]!++] = I.dense[k]! * 2 + parts[k]!;
    const outUsers = new Int32Array(n);
    const outItems = new Int32Array(n);
    const outParts = new Uint8Array(n);
    let w = 0;
    let duplicates = 0;
    let overlaps = 0;
    for (let u = 0; u < numUsers; u++) {
      const row = keys.subarray(start[u]!, start[u + 1]!).sort();
      let keptItem = -1;
      let keptPart = 0;
      let overlapCounted = false;
      for (let j = 0; j < row.length; j++) {
        const item = row[j]! >> 1;
        const part = row[j]! & 1;
        if (item === keptItem) {
          if (part === keptPart) duplicates++;
          else if (!overlapCounted) {
            overlaps++;
            overlapCounted = true;
          }
          continue;
        }
        keptItem = item;
        keptPart = part;
        overlapCounted = false;
        outUsers[w] = u;
        outItems[w] = item;
        outParts[w] = part;
        w++;
      }
    }
    const [p0, p1] = opts.partNames ?? ['train', 'test'];
    if (duplicates > 0) opts.log(`${opts.label}: dropped ${duplicates} repeated (user, item) pair${duplicates === 1 ? '' : 's'}`);
    if (overlaps > 0) {
      opts.log(`${opts.label}: ${overlaps} (user, item) pair${overlaps === 1 ? ' is' : 's are'} in both ${p0} and ${p1}; kept in ${p0} only`);
    }

    let itemTypes: Int32Array | null = null;
    if (opts.itemTypesByRaw) {
      itemTypes = new Int32Array(numItems);
      for (let d = 0; d < numItems; d++) itemTypes[d] = opts.itemTypesByRaw[I.originals[d]!]!;
    }
    return {
      numUsers,
      numItems,
      users: outUsers.slice(0, w),
      items: outItems.slice(0, w),
      part: opts.withParts ? outParts.slice(0, w) : null,
      userIds: U.ids,
      itemIds: I.ids,
      itemTypes,
      inputs: opts.inputs,
    };
  }
}

export interface BuildOptions {
  inputs: InputFile[];
  /** Whether the rows' parts are a file-defined split (LoadedDataset.part) or all training data. */
  withParts: boolean;
  /** Prefix of log lines ("lightgcn gowalla"). */
  label: string;
  log(message: string): void;
  /** Names of part 0 and part 1 in messages (the file names). */
  partNames?: [string, string];
  /** When raw ids index into lists of names (IdInterner.names). */
  userNames?: string[];
  itemNames?: string[];
  /** A ground-truth type per raw item id. */
  itemTypesByRaw?: Int32Array;
}

interface Dense {
  /** Dense id of each raw id in the input. */
  dense: Int32Array;
  /** Raw id of each dense id. */
  originals: Int32Array;
  /** Original ids by dense id as text; null when dense id = original id. */
  ids: string[] | null;
}

function densify(raw: Int32Array, extra: number[], names?: string[]): Dense {
  return names ? densifyNames(raw, names) : densifyInts(raw, extra);
}

function densifyInts(raw: Int32Array, extra: number[]): Dense {
  let max = -1;
  for (let k = 0; k < raw.length; k++) if (raw[k]! > max) max = raw[k]!;
  for (const e of extra) if (e > max) max = e;
  if (raw.length > 0 || extra.length > 0) {
    let min = Infinity;
    for (let k = 0; k < raw.length; k++) if (raw[k]! < min) min = raw[k]!;
    for (const e of extra) if (e < min) min = e;
    if (min < 0) throw new InternalError(`raw ids must be non-negative, got ${min}`);
  }
  let originals: Int32Array;
  const dense = new Int32Array(raw.length);
  if (max < 4 * (raw.length + extra.length) + (1 << 20)) {
    // ids are compact enough for a direct lookup table
    const lookup = new Int32Array(max + 1).fill(-1);
    for (let k = 0; k < raw.length; k++) lookup[raw[k]!] = 0;
    for (const e of extra) lookup[e] = 0;
    let count = 0;
    for (let v = 0; v <= max; v++) if (lookup[v] === 0) lookup[v] = count++;
    originals = new Int32Array(count);
    for (let v = 0; v <= max; v++) if (lookup[v]! >= 0) originals[lookup[v]!] = v;
    for (let k = 0; k < raw.length; k++) dense[k] = lookup[raw[k]!]!;
  } else {
    const all = new Int32Array(raw.length + extra.length);
    all.set(raw);
    all.set(extra, raw.length);
    all.sort();
    let count = 0;
    for (let k = 0; k < all.length; k++) if (k === 0 || all[k] !== all[k - 1]) all[count++] = all[k]!;
    originals = all.slice(0, count);
    for (let k = 0; k < raw.length; k++) dense[k] = lowerBound(originals, raw[k]!);
  }
  let identity = true;
  for (let d = 0; d < originals.length && identity; d++) identity = originals[d] === d;
  return { dense, originals, ids: identity ? null : Array.from(originals, String) };
}

function lowerBound(a: Int32Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const INTEGER_ID = /^-?\d{1,15}$/;

/** Names sort numerically when all are integers (with the text as a tie-break: "07" vs "7"), else by UTF-16 code units. */
export function compareIds(numeric: boolean): (a: string, b: string) => number {
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return numeric ? (a, b) => Number(a) - Number(b) || text(a, b) : text;
}

function densifyNames(raw: Int32Array, names: string[]): Dense {
  const numeric = names.every((s) => INTEGER_ID.test(s));
  const cmp = compareIds(numeric);
  const order = Array.from(names.keys()).sort((a, b) => cmp(names[a]!, names[b]!));
  const rank = new Int32Array(names.length);
  order.forEach((raw, d) => (rank[raw] = d));
  const dense = new Int32Array(raw.length);
  for (let k = 0; k < raw.length; k++) dense[k] = rank[raw[k]!]!;
  const ids = order.map((r) => names[r]!);
  const identity = ids.every((s, d) => s === String(d));
  return { dense, originals: Int32Array.from(order), ids: identity ? null : ids };
}

/** Maps string ids to raw ids 0, 1, 2, ... in order of first appearance. */
export class IdInterner {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  id(name: string): number {
    let v = this.index.get(name);
    if (v === undefined) {
      v = this.names.length;
      this.index.set(name, v);
      this.names.push(name);
    }
    return v;
  }
}
