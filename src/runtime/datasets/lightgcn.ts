import { basename, join, resolve } from 'node:path';
import { InternalError, UserError } from '../../core/errors.js';
import { DataError } from '../data/data-error.js';
import type { DataContext, InputFile } from '../data/dataset.js';
import { dataDirs, findInDataDirs, findUserPath, isDirectory, listSearched, plainOrGz } from '../data/find-data-file.js';
import { hashFile } from '../data/hash-file.js';
import { InteractionBuilder } from '../data/interaction-builder.js';
import { forEachLine, lineText, parseUint } from '../data/read-text.js';
import type { DatasetLoader } from './dataset-loader.js';
import { lightgcnSpec, type LightgcnParams } from '../../components/datasets/lightgcn.js';

/**
 * The LightGCN benchmark format: a folder with train.txt and test.txt (or .gz), one line per user,
 * `uid iid iid ...`, whitespace separated, 0-based ids. CRLF is accepted (the ml-1m copy has it),
 * empty lines are skipped and a user line without items is allowed (the user still counts).
 * part = 0 for train, 1 for test; a pair in both files stays in train and is reported.
 */
export const lightgcnLoader: DatasetLoader<LightgcnParams> = {
  spec: lightgcnSpec,

  async resolveInputs(params, ctx) {
    const dir = locateFolder(params, ctx);
    const files = [params.train, params.test].map((name) => {
      const f = plainOrGz(join(dir, name));
      if (f === null && isDirectory(join(dir, name))) throw new DataError('', { file: join(dir, name), expected: `the file ${name}`, found: 'a folder' });
      if (f === null) {
        throw new DataError(`missing ${name} (nor ${name}.gz) in the LightGCN folder ${dir}; it needs both ${params.train} and ${params.test}`, {});
      }
      return f;
    });
    return Promise.all(files.map(hashFile));
  },

  async load(params, ctx, inputs) {
    if (inputs.length !== 2) throw new InternalError(`lightgcn.load needs the train and test inputs, got ${inputs.length}`);
    const b = new InteractionBuilder();
    for (let part = 0; part < 2; part++) await parseUserLines(inputs[part]!, part, b);
    const label = `lightgcn ${params.name ?? params.path ?? ''}`.trim();
    return b.build({
      inputs,
      withParts: true,
      label,
      log: ctx.log,
      partNames: [basename(inputs[0]!.path), basename(inputs[1]!.path)],
    });
  },
};

function locateFolder(params: LightgcnParams, ctx: DataContext): string {
  // A folder in place of train.txt still identifies the data set's folder: the error then names that entry.
  const hasTrain = (dir: string): boolean => isDirectory(dir) && (plainOrGz(join(dir, params.train)) !== null || isDirectory(join(dir, params.train)));
  if (params.path !== undefined && params.name !== undefined) {
    throw new UserError(`lightgcn: give either name ('${params.name}') or path ('${params.path}'), not both`);
  }
  if (params.path !== undefined) {
    const found = findUserPath(params.path, ctx, hasTrain);
    if (found.path !== null) return found.path;
    throw new DataError(
      `could not find a LightGCN folder with ${params.train} (or ${params.train}.gz) at path '${params.path}' (searched: ${listSearched(found.searched)})`,
      {},
    );
  }
  if (params.name === undefined) throw new UserError("lightgcn needs a name (a folder under the data directories, e.g. name: 'gowalla') or a path");
  const found = findInDataDirs(params.name, ctx, hasTrain);
  if (found.path !== null) return found.path;
  const first = join(dataDirs(ctx)[0] ?? resolve('data'), params.name);
  throw new DataError(
    `could not find the LightGCN data set '${params.name}' (searched: ${listSearched(found.searched)}); ` +
      `put its ${params.train} and ${params.test} (or .gz) in ${first}, or pass --data-dir / set EXPC_DATA_DIR`,
    {},
  );
}

/** Parses `uid iid iid ...` lines straight from the bytes into `b` with the given part. */
async function parseUserLines(input: InputFile, part: number, b: InteractionBuilder): Promise<void> {
  const file = input.path;
  let lines = 0;
  await forEachLine(input, (buf, start, end, line) => {
    let p = start;
    let first = true;
    let user = 0;
    let items = 0;
    while (p < end) {
      const c = buf[p]!;
      if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
        p++;
        continue;
      }
      let q = p + 1;
      while (q < end) {
        const d = buf[q]!;
        if (d === 32 || d === 9 || d === 13 || d === 11 || d === 12) break;
        q++;
      }
      const v = parseUint(buf, p, q);
      if (v < 0) {
        throw new DataError('', { file, line, expected: first ? 'an integer user id' : 'an integer item id', found: lineText(buf, p, q) });
      }
      if (first) {
        user = v;
        first = false;
      } else {
        b.add(user, v, part);
        items++;
      }
      p = q;
    }
    if (first) return;
    lines++;
    if (items === 0) b.addUser(user);
  });
  if (lines === 0) throw new DataError('', { file, expected: "lines of 'user item item ...'", found: 'an empty file' });
}
