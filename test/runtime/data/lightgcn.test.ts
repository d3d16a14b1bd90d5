import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../../src/runtime/data/data-error.js';
import { lightgcnLoader as loader } from '../../../src/runtime/datasets/lightgcn.js';
import type { LightgcnParams } from '../../../src/components/datasets/lightgcn.js';
import { FIXTURES, makeCtx, originalPairs, requireShared, SHARED, tempDir, type TestContext } from './helpers.js';

const P = (over: Partial<LightgcnParams> = {}): LightgcnParams => ({ train: 'train.txt', test: 'test.txt', ...over });

async function load(params: LightgcnParams, ctx: TestContext) {
  return loader.load(params, ctx, await loader.resolveInputs(params, ctx));
}

describe('lightgcn loader', () => {
  const tmp = tempDir();
  after(tmp.cleanup);

  it('reads CRLF lines, skips empty lines, allows a user without items, marks parts', async () => {
    const ctx = makeCtx({ dataDirs: [FIXTURES] });
    const d = await load(P({ name: 'lightgcn-mini' }), ctx);
    assert.deepEqual(
      d.inputs.map((f) => f.path),
      ['train.txt', 'test.txt'].map((f) => join(FIXTURES, 'lightgcn-mini', f)),
    );
    // users 0..4 (2 has an empty line, 3 is only in test), items 0..5: dense ids are the original ids
    assert.deepEqual([d.numUsers, d.numItems, d.userIds, d.itemIds], [5, 6, null, null]);
    assert.deepEqual(originalPairs(d), ['0:1/0', '0:2/0', '0:3/0', '0:4/1', '1:2/0', '1:3/1', '1:4/0', '3:5/1', '4:0/0']);
    assert.deepEqual(ctx.logs, [
      'lightgcn lightgcn-mini: dropped 1 repeated (user, item) pair',
      'lightgcn lightgcn-mini: 1 (user, item) pair is in both train.txt and test.txt; kept in train.txt only',
    ]);
  });

  it('reads train.txt.gz / test.txt.gz when the plain files are absent', async () => {
    const dir = join(tmp.dir, 'gz');
    mkdirSync(dir);
    for (const f of ['train.txt', 'test.txt']) writeFileSync(join(dir, `${f}.gz`), gzipSync(readFileSync(join(FIXTURES, 'lightgcn-mini', f))));
    const ctx = makeCtx({ baseDir: tmp.dir });
    const d = await load(P({ path: 'gz' }), ctx);
    assert.deepEqual(
      d.inputs.map((f) => f.path),
      [join(dir, 'train.txt.gz'), join(dir, 'test.txt.gz')],
    );
    const plain = await load(P({ name: 'lightgcn-mini' }), makeCtx({ dataDirs: [FIXTURES] }));
    assert.deepEqual(originalPairs(d), originalPairs(plain));
    assert.notEqual(d.inputs[0]!.sha256, plain.inputs[0]!.sha256);
  });

  it('names file and line of a bad id', async () => {
    const dir = join(tmp.dir, 'bad');
    mkdirSync(dir);
    copyFileSync(join(FIXTURES, 'bad/lightgcn-item.txt'), join(dir, 'train.txt'));
    writeFileSync(join(dir, 'test.txt'), 'u1 3\n');
    const ctx = makeCtx({ baseDir: tmp.dir });
    await assert.rejects(load(P({ path: 'bad' }), ctx), (e: unknown) => e instanceof DataError && e.message === `${join(dir, 'train.txt')}:3: expected an integer item id, found "x7"`);
    writeFileSync(join(dir, 'train.txt'), '0 1\n');
    await assert.rejects(load(P({ path: 'bad' }), ctx), (e: unknown) => e instanceof DataError && e.message === `${join(dir, 'test.txt')}:1: expected an integer user id, found "u1"`);
  });

  it('rejects an empty file and a corrupt gzip', async () => {
    const dir = join(tmp.dir, 'empty');
    mkdirSync(dir);
    writeFileSync(join(dir, 'train.txt'), '\n\r\n');
    writeFileSync(join(dir, 'test.txt.gz'), Buffer.from('1f8b0800000000000003ffff', 'hex'));
    const ctx = makeCtx({ baseDir: tmp.dir });
    await assert.rejects(load(P({ path: 'empty' }), ctx), (e: unknown) => e instanceof DataError && e.message === `${join(dir, 'train.txt')}: expected lines of 'user item item ...', found an empty file`);
    writeFileSync(join(dir, 'train.txt'), '0 1\n');
    await assert.rejects(load(P({ path: 'empty' }), ctx), (e: unknown) => e instanceof DataError && e.message.startsWith(`${join(dir, 'test.txt.gz')}: not a valid gzip file (`));
  });

  it('says where it searched and where to put the files', async () => {
    const dirs = [join(tmp.dir, 'a'), join(tmp.dir, 'b')];
    await assert.rejects(loader.resolveInputs(P({ name: 'gowalla' }), makeCtx({ dataDirs: dirs })), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(
        e.message,
        `could not find the LightGCN data set 'gowalla' (searched: ${join(dirs[0]!, 'gowalla')}, ${join(dirs[1]!, 'gowalla')}); ` +
          `put its train.txt and test.txt (or .gz) in ${join(dirs[0]!, 'gowalla')}, or pass --data-dir / set EXPC_DATA_DIR`,
      );
      return true;
    });
  });

  it('reports a folder with train but no test', async () => {
    const dir = join(tmp.dir, 'half');
    mkdirSync(dir);
    writeFileSync(join(dir, 'train.txt'), '0 1\n');
    await assert.rejects(loader.resolveInputs(P({ path: dir }), makeCtx()), (e: unknown) => e instanceof DataError && e.message === `missing test.txt (nor test.txt.gz) in the LightGCN folder ${dir}; it needs both train.txt and test.txt`);
  });

  describe('the shared copies (counts from their PROVENANCE.md)', () => {
    const cases: [string, number, number, number, number][] = [
      ['gowalla', 29858, 40981, 810128, 217242],
      ['yelp2018', 31668, 38048, 1237259, 324147],
      ['ml-1m', 6022, 3043, 796244, 99455],
    ];
    for (const [name, users, items, train, test] of cases) {
      it(`${name}: ${users} users, ${items} items, ${train} train and ${test} test pairs`, async function () {
        requireShared(this, name);
        const ctx = makeCtx({ dataDirs: [SHARED] });
        const d = await load(P({ name }), ctx);
        let nTest = 0;
        for (const p of d.part!) nTest += p;
        assert.deepEqual([d.numUsers, d.numItems, d.users.length - nTest, nTest], [users, items, train, test]);
        assert.deepEqual([d.userIds, d.itemIds], [null, null]);
        assert.deepEqual(ctx.logs, []); // no repeats, no overlap
        assert.ok(d.inputs.every((f) => f.path.endsWith('.gz')));
      });
    }
  });
});
