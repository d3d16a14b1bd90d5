import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../src/core/errors.js';
import { DataError } from '../../../src/runtime/data/data-error.js';
import { csvLoader as loader, splitFields } from '../../../src/runtime/datasets/csv.js';
import type { CsvParams } from '../../../src/components/datasets/csv.js';
import { FIXTURES, makeCtx, originalPairs, tempDir, type TestContext } from './helpers.js';

const P = (over: Partial<CsvParams> & { train: string }): CsvParams => ({
  separator: 'auto',
  header: 'auto',
  user: 0,
  item: 1,
  rating: null,
  min_rating: 0,
  ...over,
});

async function load(params: CsvParams, ctx: TestContext) {
  return loader.load(params, ctx, await loader.resolveInputs(params, ctx));
}

const rejectsData = (p: Promise<unknown>, message: string) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DataError, String(e));
    assert.equal(e.message, message);
    return true;
  });

describe('csv loader', () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  const file = (name: string, text: string): string => {
    writeFileSync(join(tmp.dir, name), text);
    return join(tmp.dir, name);
  };

  it('detects the header, takes columns by name, handles quoted commas and string ids', async () => {
    const ctx = makeCtx({ baseDir: join(FIXTURES, 'csv') });
    const d = await load(P({ train: 'ratings.csv', user: 'userId', item: 'movieId' }), ctx);
    assert.deepEqual(d.userIds, ['u1', 'u10', 'u2']);
    assert.deepEqual(d.itemIds, ['Alien', 'The Matrix, 1999']);
    assert.deepEqual(originalPairs(d), ['u1:The Matrix, 1999', 'u10:Alien', 'u2:Alien', 'u2:The Matrix, 1999']);
    assert.deepEqual(ctx.logs, ['csv ratings.csv: dropped 1 repeated (user, item) pair']);
    assert.equal(d.part, null);
  });

  it('filters by a rating column given by index', async () => {
    const ctx = makeCtx({ baseDir: join(FIXTURES, 'csv') });
    const d = await load(P({ train: 'ratings.csv', rating: 2, min_rating: 3 }), ctx);
    assert.deepEqual(originalPairs(d), ['u1:The Matrix, 1999', 'u10:Alien', 'u2:The Matrix, 1999']);
  });

  it('reads a headerless TSV pair as a predefined split, numeric ids in numeric order', async () => {
    const ctx = makeCtx({ dataDirs: [join(FIXTURES, 'csv')] }); // found through the data directories
    const d = await load(P({ train: 'train.tsv', test: 'test.tsv' }), ctx);
    assert.deepEqual(d.userIds, ['1', '3', '10']);
    assert.deepEqual(d.itemIds, ['2', '7', '10']);
    assert.deepEqual(originalPairs(d), ['1:2/0', '1:7/1', '3:2/1', '3:10/0', '10:2/0']);
  });

  it('honours explicit separator and header settings', async () => {
    const p = file('semi.txt', '5;6\n7;8\n');
    const d = await load(P({ train: p, separator: ';', header: 'no' }), makeCtx());
    assert.deepEqual(originalPairs(d), ['5:6', '7:8']);
    const h = await load(P({ train: p, separator: ';', header: 'yes' }), makeCtx());
    assert.deepEqual(originalPairs(h), ['7:8']);
    const s = await load(P({ train: file('space.txt', 'a  b\n c d \n'), separator: ' ', header: 'no' }), makeCtx());
    assert.deepEqual(originalPairs(s), ['a:b', 'c:d']);
  });

  it('splits quoted fields', () => {
    assert.deepEqual(splitFields('a,"b,c", "d ""e"""  ,', ',', 'f', 1), ['a', 'b,c', 'd "e"', '']);
    assert.throws(() => splitFields('a,"b', ',', 'f', 4), (e: unknown) => e instanceof DataError && e.message === 'f:4: expected a closing double quote, found an unterminated quoted field: "\\"b"');
  });

  it('names file and line of bad rows', async () => {
    const short = file('short.csv', 'user,item\n1,2\n3\n');
    await rejectsData(load(P({ train: short }), makeCtx()), `${short}:3: expected at least 2 comma-separated fields, found 1: "3"`);
    const rating = join(FIXTURES, 'bad/rating.csv');
    await rejectsData(load(P({ train: rating, rating: 'rating', min_rating: 1 }), makeCtx()), `${rating}:2: expected a numeric rating in column 3, found "x"`);
    const emptyId = file('emptyid.csv', '1,2\n,3\n');
    await rejectsData(load(P({ train: emptyId }), makeCtx()), `${emptyId}:2: expected a user id in column 1, found an empty field`);
    const empty = file('empty.csv', '');
    await rejectsData(load(P({ train: empty }), makeCtx()), `${empty}: expected rows of user and item ids, found an empty file`);
  });

  it('reports unknown column names and names without a header', async () => {
    const ratings = join(FIXTURES, 'csv/ratings.csv');
    await rejectsData(
      load(P({ train: ratings, user: 'user_id' }), makeCtx()),
      `${ratings}:1: expected a column named 'user_id' (user) in the header, found columns "userId", "movieId", "rating", "timestamp"`,
    );
    const tsv = join(FIXTURES, 'csv/train.tsv');
    await rejectsData(
      load(P({ train: tsv, header: 'no', item: 'movieId' }), makeCtx()),
      `${tsv}: the item column is named 'movieId' but the file has no header line (header: no); give a 0-based column index instead`,
    );
    await assert.rejects(load(P({ train: tsv, min_rating: 3 }), makeCtx()), (e: unknown) => e instanceof UserError && /min_rating 3 needs a rating column/.test(e.message));
  });

  it('lists where it searched for a missing file', async () => {
    const ctx = makeCtx({ baseDir: tmp.dir, dataDirs: [join(tmp.dir, 'd1')] });
    await rejectsData(
      loader.resolveInputs(P({ train: 'x.csv' }), ctx),
      `could not find the csv train file 'x.csv' (searched: ${join(tmp.dir, 'x.csv')}, ${join(tmp.dir, 'd1', 'x.csv')})`,
    );
  });
});
