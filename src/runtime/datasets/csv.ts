import { basename } from 'node:path';
import { InternalError, UserError } from '../../core/errors.js';
import { DataError, quoteFound } from '../data/data-error.js';
import type { DataContext, InputFile } from '../data/dataset.js';
import { findUserPath, listSearched } from '../data/find-data-file.js';
import { hashFile } from '../data/hash-file.js';
import { IdInterner, InteractionBuilder } from '../data/interaction-builder.js';
import { forEachLine } from '../data/read-text.js';
import { csvSpec, type CsvParams } from '../../components/datasets/csv.js';
import type { DatasetLoader } from './dataset-loader.js';

/**
 * A generic CSV/TSV file of interactions: one row per (user, item[, rating]). Ids are strings
 * (dense ids follow them, numerically when all are integers). Each file (train, and test when
 * given) detects its own separator and header. Double-quoted fields may contain the separator
 * ("a,b") and doubled quotes; a quoted field cannot span lines. With a rating column, rows with
 * rating < min_rating are skipped. A .gz file is read transparently.
 */
export const csvLoader: DatasetLoader<CsvParams> = {
  spec: csvSpec,

  async resolveInputs(params, ctx) {
    const files = [locate(params.train, 'train', ctx)];
    if (params.test !== undefined) files.push(locate(params.test, 'test', ctx));
    return Promise.all(files.map(hashFile));
  },

  async load(params, ctx, inputs) {
    const expected = params.test !== undefined ? 2 : 1;
    if (inputs.length !== expected) throw new InternalError(`csv.load needs ${expected} inputs, got ${inputs.length}`);
    if (params.rating === null && params.min_rating !== 0) {
      throw new UserError(`csv: min_rating ${params.min_rating} needs a rating column (set rating: <column>)`);
    }
    const b = new InteractionBuilder();
    const users = new IdInterner();
    const items = new IdInterner();
    for (let part = 0; part < inputs.length; part++) {
      await parseCsv(inputs[part]!, params, (u, i) => b.add(users.id(u), items.id(i), part));
    }
    return b.build({
      inputs,
      withParts: inputs.length === 2,
      label: `csv ${basename(inputs[0]!.path)}`,
      log: ctx.log,
      partNames: [basename(inputs[0]!.path), basename(inputs[inputs.length - 1]!.path)],
      userNames: users.names,
      itemNames: items.names,
    });
  },
};

function locate(p: string, role: string, ctx: DataContext): string {
  const found = findUserPath(p, ctx);
  if (found.path !== null) return found.path;
  throw new DataError(`could not find the csv ${role} file '${p}' (searched: ${listSearched(found.searched)})`, {});
}

type Separator = ',' | '\t' | ';' | ' ';

interface Layout {
  sep: Separator;
  user: number;
  item: number;
  rating: number;
  /** Fields a row needs: 1 + the largest column index used. */
  width: number;
}

/** Parses one file and hands each kept row's (user, item) to `row`. */
export async function parseCsv(input: string | InputFile, params: CsvParams, row: (user: string, item: string) => void): Promise<void> {
  const file = typeof input === 'string' ? input : input.path;
  let layout: Layout | null = null;
  let rows = 0;
  await forEachLine(input, (buf, start, end, line) => {
    let text = buf.toString('utf8', start, end);
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // UTF-8 byte order mark
    if (text.trim() === '') return;
    if (layout === null) {
      const sep: Separator = params.separator === 'auto' ? (text.includes('\t') ? '\t' : ',') : params.separator;
      const fields = splitFields(text, sep, file, line);
      const header = hasHeader(params, fields);
      layout = resolveLayout(params, sep, header ? fields : null, file, line);
      if (header) return;
    }
    const f = splitFields(text, layout.sep, file, line);
    if (f.length < layout.width) {
      throw new DataError('', {
        file,
        line,
        expected: `at least ${layout.width} ${sepName(layout.sep)}-separated fields`,
        found: `${f.length}: ${quoteFound(text)}`,
      });
    }
    const user = f[layout.user]!;
    const item = f[layout.item]!;
    if (user === '') throw new DataError('', { file, line, expected: `a user id in column ${layout.user + 1}`, found: 'an empty field' });
    if (item === '') throw new DataError('', { file, line, expected: `an item id in column ${layout.item + 1}`, found: 'an empty field' });
    if (layout.rating >= 0) {
      const r = f[layout.rating]!;
      const v = r === '' ? NaN : Number(r);
      if (!Number.isFinite(v)) throw new DataError('', { file, line, expected: `a numeric rating in column ${layout.rating + 1}`, found: quoteFound(r) });
      if (v < params.min_rating) return;
    }
    rows++;
    row(user, item);
  });
  if (layout === null) throw new DataError('', { file, expected: 'rows of user and item ids', found: 'an empty file' });
  if (rows === 0)
    throw new DataError('', { file, expected: 'rows of user and item ids after the header', found: params.rating !== null && params.min_rating > 0 ? `no row with rating >= min_rating ${params.min_rating}` : 'only the header line' });
}

function sepName(sep: Separator): string {
  return sep === '\t' ? 'tab' : sep === ' ' ? 'space' : sep === ',' ? 'comma' : 'semicolon';
}

function isNumber(s: string): boolean {
  return s !== '' && Number.isFinite(Number(s));
}

function hasHeader(params: CsvParams, first: string[]): boolean {
  if (params.header !== 'auto') return params.header === 'yes';
  if (typeof params.user === 'string' || typeof params.item === 'string') return true;
  return !isNumber(first[params.user] ?? '') || !isNumber(first[params.item] ?? '');
}

function resolveLayout(params: CsvParams, sep: Separator, header: string[] | null, file: string, line: number): Layout {
  const column = (role: string, c: string | number): number => {
    if (typeof c === 'number') return c;
    if (header === null) {
      throw new DataError(`the ${role} column is named '${c}' but the file has no header line (header: ${params.header}); give a 0-based column index instead`, { file });
    }
    const k = header.indexOf(c);
    if (k < 0) {
      throw new DataError('', { file, line, expected: `a column named '${c}' (${role}) in the header`, found: `columns ${header.map((h) => quoteFound(h)).join(', ')}` });
    }
    return k;
  };
  const user = column('user', params.user);
  const item = column('item', params.item);
  const rating = params.rating === null ? -1 : column('rating', params.rating);
  if (user === item) throw new UserError(`csv: the user and item columns are the same column (${user})`);
  return { sep, user, item, rating, width: Math.max(user, item, rating) + 1 };
}

/** Splits one line; fields are trimmed. Double quotes group a field that may hold the separator. */
export function splitFields(text: string, sep: Separator, file: string, line: number): string[] {
  if (sep === ' ') return text.trim().split(/ +/);
  if (!text.includes('"')) return text.split(sep).map((s) => s.trim());
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (text[i] === ' ' || (text[i] === '\t' && sep !== '\t')) i++;
    if (text[i] === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new DataError('', { file, line, expected: 'a closing double quote', found: `an unterminated quoted field: ${quoteFound(text.slice(i))}` });
        v += text.slice(j, q);
        if (text[q + 1] === '"') {
          v += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      const next = text.indexOf(sep, j);
      const rest = (next < 0 ? text.slice(j) : text.slice(j, next)).trim();
      if (rest !== '') throw new DataError('', { file, line, expected: `the ${sepName(sep)} after a quoted field`, found: quoteFound(rest) });
      out.push(v);
      if (next < 0) return out;
      i = next + 1;
    } else {
      const next = text.indexOf(sep, i);
      out.push((next < 0 ? text.slice(i) : text.slice(i, next)).trim());
      if (next < 0) return out;
      i = next + 1;
    }
  }
}
