import { join, resolve } from 'node:path';
import { InternalError } from '../../core/errors.js';
import { DataError } from '../data/data-error.js';
import type { DataContext, InputFile, LoadedDataset } from '../data/dataset.js';
import { dataDirs, findInDataDirs, findUserPath, isDirectory, isFile, listSearched } from '../data/find-data-file.js';
import { hashFile } from '../data/hash-file.js';
import { InteractionBuilder } from '../data/interaction-builder.js';
import { forEachLine, isBlank, lineText, parseUint } from '../data/read-text.js';
import { downloadZipEntry, firstWritableDir } from './download.js';
import type { DatasetLoader } from './dataset-loader.js';
import { movielens100kSpec, type Movielens100kParams } from '../../components/datasets/movielens-100k.js';

/**
 * MovieLens-100K from GroupLens u.data: `user\titem\trating\ttimestamp`, 1-based ids, no header.
 * Dense ids follow the original ids (user 1 -> 0). With min_rating, only ratings >= it are read,
 * and only users and items that keep a rating count.
 */

export const ML100K_URL = 'https://files.grouplens.org/datasets/movielens/ml-100k.zip';
export const ML100K_ENTRY = 'ml-100k/u.data';
export const ML100K_SHA256 = '06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490';

const FIELDS = 'user item rating timestamp';

export const movielens100kLoader: DatasetLoader<Movielens100kParams> = {
  spec: movielens100kSpec,

  async resolveInputs(params, ctx) {
    return [await hashFile(await locate(params, ctx))];
  },

  async load(params, ctx, inputs) {
    const file = inputs[0]?.path;
    if (file === undefined) throw new InternalError('movielens_100k.load called without the resolved u.data');
    return parseUData(file, params.min_rating, inputs, ctx.log);
  },
};

async function locate(params: Movielens100kParams, ctx: DataContext): Promise<string> {
  if (params.path !== undefined) {
    const found = findUserPath(params.path, ctx, (p) => isFile(p) || isFile(join(p, 'u.data')));
    if (found.path !== null) return isDirectory(found.path) ? join(found.path, 'u.data') : found.path;
    throw new DataError(
      `could not find MovieLens-100K u.data at path '${params.path}' (searched: ${listSearched(found.searched)}); ` +
        `put u.data from ${ML100K_URL} there, or leave out path to use <data dir>/${ML100K_ENTRY}`,
      {},
    );
  }
  const found = findInDataDirs(ML100K_ENTRY, ctx);
  if (found.path !== null) return found.path;

  const dirs = dataDirs(ctx);
  const where = `put u.data from ${ML100K_URL} at ${join(dirs[0] ?? resolve('data'), ML100K_ENTRY)} (searched: ${listSearched(found.searched)}), or pass --data-dir / set EXPC_DATA_DIR`;
  if (!params.download) throw new DataError(`MovieLens-100K u.data not found and download: false; ${where}`, {});
  if (!ctx.allowDownload) throw new DataError(`MovieLens-100K u.data not found and downloads are off (offline); ${where}`, {});
  const dest = join(await firstWritableDir(dirs, 'ml-100k'), ML100K_ENTRY);
  try {
    await downloadZipEntry({ url: process.env['EXPC_ML100K_URL'] || ML100K_URL, entry: ML100K_ENTRY, sha256: ML100K_SHA256, dest, log: ctx.log });
  } catch (e) {
    throw new DataError(`MovieLens-100K u.data not found, and the download failed: ${(e as Error).message}; ${where}`, {});
  }
  return dest;
}

/** Parses u.data; exported for tests and for formats that reuse it. */
export async function parseUData(file: string, minRating: number, inputs: InputFile[], log: (m: string) => void): Promise<LoadedDataset> {
  const b = new InteractionBuilder();
  let nonEmpty = 0;
  const tabs = [0, 0, 0];
  // The resolved input carries the hash of the key: the bytes parsed are checked against it.
  await forEachLine(inputs.find((f) => f.path === file) ?? file, (buf, start, end, line) => {
    if (isBlank(buf, start, end)) return;
    nonEmpty++;
    let nt = 0;
    for (let i = buf.indexOf(9, start); i >= 0 && i < end; i = buf.indexOf(9, i + 1)) {
      if (nt < 3) tabs[nt] = i;
      nt++;
    }
    if (nt !== 3) {
      throw new DataError('', { file, line, expected: `4 tab-separated fields (${FIELDS})`, found: `${nt + 1}: ${lineText(buf, start, end)}` });
    }
    const fields: [number, number][] = [[start, tabs[0]!], [tabs[0]! + 1, tabs[1]!], [tabs[1]! + 1, tabs[2]!], [tabs[2]! + 1, end]];
    const v = fields.map(([s, e]) => parseUint(buf, s, e));
    const names = ['an integer user id', 'an integer item id', 'an integer rating', 'an integer timestamp'];
    for (let f = 0; f < 4; f++) {
      if (v[f]! < 0) throw new DataError('', { file, line, expected: names[f]!, found: lineText(buf, fields[f]![0], fields[f]![1]) });
    }
    if (v[2]! >= minRating) b.add(v[0]!, v[1]!);
  });
  if (nonEmpty === 0) throw new DataError('', { file, expected: `lines of ${FIELDS} (tab-separated)`, found: 'an empty file' });
  if (b.size === 0) throw new DataError(`no rating is >= min_rating ${minRating}`, { file });
  return b.build({ inputs, withParts: false, label: 'movielens_100k', log });
}
