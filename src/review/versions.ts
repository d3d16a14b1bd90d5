import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { isJsonObject } from '../core/json.js';
import { REVIEW_FORMAT, type ReviewDocument } from './review-data.js';

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

/** Reads a review's JSON, checking that it is one. */
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
  return doc as unknown as ReviewDocument;
}

export function latestVersion(dir: string): { version: number; doc: ReviewDocument } | null {
  const versions = listVersions(dir);
  const last = versions[versions.length - 1];
  return last === undefined ? null : { version: last, doc: readReviewFile(versionPath(dir, last, 'json')) };
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
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Writes v<N>.md, v<N>.html and, last, v<N>.json. Returns the three paths. */
export function writeVersion(dir: string, doc: ReviewDocument, markdown: string, html: string, files: Record<string, string> = {}): { md: string; html: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { md: versionPath(dir, doc.version, 'md'), html: versionPath(dir, doc.version, 'html'), json: versionPath(dir, doc.version, 'json') };
  // The Markdown's plot files first: the JSON, written last, is what marks a version as present.
  for (const [name, text] of Object.entries(files)) writeAtomic(join(dir, name), text);
  writeAtomic(paths.md, markdown);
  writeAtomic(paths.html, html);
  writeAtomic(paths.json, `${JSON.stringify(doc, null, 1)}\n`);
  return paths;
}
