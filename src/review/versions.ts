import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cacheFsError, guardFs } from '../runtime/cache/cache-fs-error.js';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { isJsonObject } from '../core/json.js';
import { arr, int, obj, shapeProblem, str } from '../core/json-shape.js';
import { contentHash, REVIEW_FORMAT, type ReviewDocument } from './review-data.js';

const component = obj({ name: str, version: int, params: { type: 'object' } }, ['name', 'params']);
const runConfig = obj({ encoder: component, sampler: component, loss: component, backprop: component, optimizer: component, training: { type: 'object' } });
/** What `review` and `review diff` read of a version (the rest is rendered, never read back). */
const REVIEW_SCHEMA = obj({
  format: { const: REVIEW_FORMAT },
  experiment: str,
  version: { type: 'integer', minimum: 1 },
  contentHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  facts: { type: 'object' },
  content: obj(
    {
      config: obj({
        datasets: arr(obj({ name: str, loader: component, split: component, protocol: str }, ['name', 'loader', 'split', 'protocol'])),
        runs: arr(obj({ name: str, config: runConfig, datasets: arr(str), seeds: arr({ type: 'number' }) })),
        sweeps: arr(obj({ name: str, run: str, strategy: {}, axes: arr(obj({ path: str, values: { type: 'array' } })) }, ['name', 'run', 'axes'])),
        trials: arr(obj({ id: str, dataset: str }, ['id', 'dataset'])),
        evaluate: obj({ metrics: arr(str), cutoffs: arr({ type: 'number' }) }),
        review: obj({ compare: arr(str), baseline: {}, significance: {}, plots: arr(obj({ kind: str, args: { type: 'object' } })) }),
      }),
      datasets: arr(obj({ name: str, columns: arr(str), trials: arr(obj({ id: str, metrics: { type: 'object' } }, ['id', 'metrics'])) }, ['name', 'columns', 'trials'])),
    },
    ['config', 'datasets'],
  ),
});

/**
 * Review versions live in <reviews>/<experiment>/v<N>.{md,html,json}. A version exists once its
 * JSON exists: it is written last, and every file is written to a temporary name and renamed,
 * so an interrupted review never leaves a version that later reviews compare against.
 */
export function experimentReviewDir(reviewsRoot: string, experiment: string): string {
  return join(reviewsRoot, experiment);
}

/** Version numbers present, ascending. */
export function listVersions(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => /^v(\d+)\.json$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export function versionPath(dir: string, version: number, ext: 'md' | 'html' | 'json'): string {
  return join(dir, `v${version}.${ext}`);
}

/**
 * Reads a review's JSON, checking that it is one: the shape of what is read back, and the content
 * against its contentHash (an edited or damaged version is never taken as current or compared).
 */
export function readReviewFile(path: string): ReviewDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read review ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isJsonObject(doc) || doc['format'] !== REVIEW_FORMAT || typeof doc['contentHash'] !== 'string' || !isJsonObject(doc['content']) || !isJsonObject(doc['facts']))
    throw new UserError(`${path} is not an expc review (expected the v<N>.json that \`expc review\` writes, format ${REVIEW_FORMAT})`);
  const shape = shapeProblem(REVIEW_SCHEMA, doc);
  if (shape) throw new UserError(`${path} is not an expc review of this version: ${shape}`, { hint: 'restore it from git, or remove it' });
  const review = doc as unknown as ReviewDocument;
  let actual: string;
  try {
    actual = contentHash(review.content);
  } catch (e) {
    throw new UserError(`${path} cannot be hashed: ${(e as Error).message}`);
  }
  if (actual !== review.contentHash)
    throw new UserError(`${path}: its content does not match its contentHash (edited or damaged)`, { hint: 'restore it from git, or remove it; `expc review` then writes a new version' });
  return review;
}

/**
 * The latest version; `doc` is null when it fails its checks (said to `warn`): it is then not
 * current, whatever its hash says, and the next version is written after it.
 */
export function latestVersion(dir: string, warn: (m: string) => void = () => {}): { version: number; doc: ReviewDocument | null } | null {
  const versions = listVersions(dir);
  const last = versions[versions.length - 1];
  if (last === undefined) return null;
  try {
    return { version: last, doc: readReviewFile(versionPath(dir, last, 'json')) };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    warn(`${e.message}; it is not taken as current`);
    return { version: last, doc: null };
  }
}

/**
 * A version reference as the user writes it: `v3`, `3` or `latest`. Unknown versions are a
 * UserError that lists the ones there are.
 */
export function resolveVersion(dir: string, ref: string, experiment: string): number {
  const versions = listVersions(dir);
  const available = versions.length ? `available: ${versions.map((v) => `v${v}`).join(', ')}` : `no review of ${experiment} has been written yet (in ${dir})`;
  if (ref === 'latest') {
    if (!versions.length) throw new UserError(`no review version to compare: ${available}`);
    return versions[versions.length - 1]!;
  }
  const m = /^v?(\d+)$/.exec(ref);
  if (!m) throw new UserError(`'${ref}' is not a review version`, { hint: `write a version as v1, v2, ... or latest; ${available}` });
  const v = Number(m[1]);
  if (!versions.includes(v)) throw new UserError(`review ${experiment} has no version v${v}`, { hint: available });
  return v;
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* nothing more to do */
    }
    throw cacheFsError(e, path, 'write the review') ?? e;
  }
}

/** Writes v<N>.md, v<N>.html and, last, v<N>.json. Returns the three paths. */
export function writeVersion(dir: string, doc: ReviewDocument, markdown: string, html: string, files: Record<string, string> = {}): { md: string; html: string; json: string } {
  guardFs(dir, 'create the review folder', () => mkdirSync(dir, { recursive: true }));
  const paths = { md: versionPath(dir, doc.version, 'md'), html: versionPath(dir, doc.version, 'html'), json: versionPath(dir, doc.version, 'json') };
  // The Markdown's plot files first: the JSON, written last, is what marks a version as present.
  for (const [name, text] of Object.entries(files)) writeAtomic(join(dir, name), text);
  writeAtomic(paths.md, markdown);
  writeAtomic(paths.html, html);
  writeAtomic(paths.json, `${JSON.stringify(doc, null, 1)}\n`);
  return paths;
}
