import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sha256Hex } from '../../../src/core/json.js';
import { DataError } from '../../../src/runtime/data/data-error.js';
import { DATASET_LOADERS } from '../../../src/runtime/datasets/loaders.js';
import { ML100K_SHA256, ML100K_URL, movielens100kLoader as loader } from '../../../src/runtime/datasets/movielens-100k.js';
import type { Movielens100kParams } from '../../../src/components/datasets/movielens-100k.js';
import { FIXTURES, makeCtx, makeZip, originalPairs, requireShared, SHARED, tempDir, type TestContext } from './helpers.js';

const P = (over: Partial<Movielens100kParams> = {}): Movielens100kParams => ({ min_rating: 0, download: true, ...over });

async function load(params: Movielens100kParams, ctx: TestContext) {
  return loader.load(params, ctx, await loader.resolveInputs(params, ctx));
}

function rejectsWith(p: Promise<unknown>, message: string | RegExp): Promise<void> {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('movielens_100k loader', () => {
  it('is registered under its spec name', () => {
    assert.equal(DATASET_LOADERS['movielens_100k']?.spec.name, 'movielens_100k');
  });

  it('finds ml-100k/u.data in the data directories in order, dedupes and keeps original ids', async () => {
    const ctx = makeCtx({ dataDirs: [join(FIXTURES, 'nowhere'), join(FIXTURES, 'ml100k-mini')] });
    const d = await load(P(), ctx);
    const file = join(FIXTURES, 'ml100k-mini/ml-100k/u.data');
    assert.equal(d.inputs.length, 1);
    assert.equal(d.inputs[0]!.path, file);
    assert.equal(d.inputs[0]!.sha256, sha256Hex(readFileSync(file)));
    assert.equal(d.inputs[0]!.bytes, readFileSync(file).length);
    assert.equal(d.numUsers, 4);
    assert.equal(d.numItems, 3);
    assert.deepEqual(d.userIds, ['1', '2', '3', '10']);
    assert.deepEqual(d.itemIds, ['7', '10', '20']);
    assert.deepEqual(originalPairs(d), ['1:10', '1:20', '2:10', '3:7', '10:20']);
    assert.deepEqual(ctx.logs, ['movielens_100k: dropped 1 repeated (user, item) pair']);
  });

  it('keeps ratings >= min_rating only, and only the ids that keep one', async () => {
    const d = await load(P({ min_rating: 3 }), makeCtx({ dataDirs: [join(FIXTURES, 'ml100k-mini')] }));
    assert.deepEqual(originalPairs(d), ['1:10', '1:20', '2:10']);
    assert.deepEqual([d.numUsers, d.numItems], [2, 2]);
  });

  it('takes path as a file or a folder, relative to the .exp folder', async () => {
    const ctx = makeCtx({ baseDir: FIXTURES });
    const a = await loader.resolveInputs(P({ path: 'ml100k-mini/ml-100k' }), ctx);
    const b = await loader.resolveInputs(P({ path: 'ml100k-mini/ml-100k/u.data' }), ctx);
    assert.equal(a[0]!.path, join(FIXTURES, 'ml100k-mini/ml-100k/u.data'));
    assert.deepEqual(a, b);
  });

  it('names file and line of a row with the wrong number of fields', async () => {
    const file = join(FIXTURES, 'bad/u-fields.data');
    await rejectsWith(load(P({ path: file }), makeCtx()), `${file}:3: expected 4 tab-separated fields (user item rating timestamp), found 3: "1\\t2\\t5"`);
  });

  it('names file and line of a non-integer id', async () => {
    const file = join(FIXTURES, 'bad/u-item.data');
    await rejectsWith(load(P({ path: file }), makeCtx()), `${file}:2: expected an integer item id, found "abc"`);
  });

  it('rejects an empty file', async () => {
    const file = join(FIXTURES, 'bad/empty.data');
    await rejectsWith(load(P({ path: file }), makeCtx()), `${file}: expected lines of user item rating timestamp (tab-separated), found an empty file`);
  });

  it('rejects binary garbage', async () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'u.data');
      writeFileSync(file, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0xff, 0xfe]));
      await rejectsWith(load(P({ path: file }), makeCtx()), `${file}:1: expected a text file, found binary data (a NUL byte)`);
    } finally {
      tmp.cleanup();
    }
  });

  it('reports a file that vanished between locating and reading, and a folder given as the file', async () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'u.data');
      writeFileSync(file, '1\t2\t3\t4\n');
      const ctx = makeCtx();
      const inputs = await loader.resolveInputs(P({ path: file }), ctx);
      rmSync(file);
      await rejectsWith(loader.load(P(), ctx, inputs), `${file}: the file does not exist (any more)`);
      await rejectsWith(loader.load(P(), ctx, [{ path: tmp.dir, sha256: '', bytes: 0 }]), `${tmp.dir}: expected a file, found a folder`);
    } finally {
      tmp.cleanup();
    }
  });

  it('cuts long offending lines in messages', async () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'u.data');
      writeFileSync(file, `1 2 3 ${'9'.repeat(200)}\n`);
      await rejectsWith(load(P({ path: file }), makeCtx()), `${file}:1: expected 4 tab-separated fields (user item rating timestamp), found 1: "1 2 3 ${'9'.repeat(54)}…"`);
    } finally {
      tmp.cleanup();
    }
  });

  it('says where to put u.data when it is missing and downloads are off', async () => {
    const dirs = [join(FIXTURES, 'nowhere-a'), join(FIXTURES, 'nowhere-b')];
    const where =
      `put u.data from ${ML100K_URL} at ${join(dirs[0]!, 'ml-100k/u.data')} (searched: ${dirs.map((d) => join(d, 'ml-100k/u.data')).join(', ')}), ` +
      'or pass --data-dir / set EXPC_DATA_DIR';
    await rejectsWith(loader.resolveInputs(P(), makeCtx({ dataDirs: dirs })), `MovieLens-100K u.data not found and downloads are off (offline); ${where}`);
    await rejectsWith(
      loader.resolveInputs(P({ download: false }), makeCtx({ dataDirs: dirs, allowDownload: true })),
      `MovieLens-100K u.data not found and download: false; ${where}`,
    );
  });

  it('reports a missing explicit path', async () => {
    await rejectsWith(loader.resolveInputs(P({ path: 'no/such' }), makeCtx({ baseDir: FIXTURES })), /^could not find MovieLens-100K u\.data at path 'no\/such' \(searched: .*no\/such\)/);
  });

  describe('download', () => {
    let server: Server;
    let base = '';
    let routes: Record<string, Buffer> = {};
    let hits = 0;
    const saved = process.env['EXPC_ML100K_URL'];

    before(async () => {
      server = createServer((req, res) => {
        hits++;
        const body = routes[req.url ?? ''];
        if (!body) {
          res.writeHead(404, 'Not Found').end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      if (saved === undefined) delete process.env['EXPC_ML100K_URL'];
      else process.env['EXPC_ML100K_URL'] = saved;
      await new Promise<void>((ok) => server.close(() => ok()));
    });
    beforeEach(() => {
      routes = {};
      hits = 0;
    });

    const withTemp = async (f: (dir: string) => Promise<void>): Promise<void> => {
      const tmp = tempDir();
      try {
        await f(tmp.dir);
      } finally {
        tmp.cleanup();
      }
    };

    for (const method of [8, 0] as const) {
      it(`fetches the archive, extracts ${method === 8 ? 'a deflated' : 'a stored'} u.data, verifies it and saves it atomically`, async function () {
        const real = join(requireShared(this, 'ml-100k'), 'u.data');
        const data = readFileSync(real);
        routes['/ml-100k.zip'] = makeZip([
          { name: 'ml-100k/README', data: Buffer.from('readme'), method },
          { name: 'ml-100k/u.data', data, method },
        ]);
        process.env['EXPC_ML100K_URL'] = `${base}/ml-100k.zip`;
        await withTemp(async (dir) => {
          const ctx = makeCtx({ dataDirs: [dir], allowDownload: true });
          const inputs = await loader.resolveInputs(P(), ctx);
          assert.equal(hits, 1);
          assert.equal(inputs[0]!.path, join(dir, 'ml-100k/u.data'));
          assert.equal(inputs[0]!.sha256, ML100K_SHA256);
          assert.deepEqual(readdirSync(join(dir, 'ml-100k')), ['u.data']); // no temp file left
          assert.match(ctx.logs.join('\n'), /sha256 verified/);
          // the second time it is found, not fetched
          await loader.resolveInputs(P(), ctx);
          assert.equal(hits, 1);
        });
      });
    }

    it('rejects a checksum mismatch, says expected and found, and writes nothing', async () => {
      const fake = Buffer.from('1\t1\t5\t881250949\n');
      routes['/ml-100k.zip'] = makeZip([{ name: 'ml-100k/u.data', data: fake, method: 8 }]);
      process.env['EXPC_ML100K_URL'] = `${base}/ml-100k.zip`;
      await withTemp(async (dir) => {
        const url = `${base}/ml-100k.zip`;
        await rejectsWith(
          loader.resolveInputs(P(), makeCtx({ dataDirs: [dir], allowDownload: true })),
          `MovieLens-100K u.data not found, and the download failed: checksum mismatch for ml-100k/u.data from ${url}: ` +
            `expected sha256 ${ML100K_SHA256}, found ${sha256Hex(fake)}; put u.data from ${ML100K_URL} at ${join(dir, 'ml-100k/u.data')} ` +
            `(searched: ${join(dir, 'ml-100k/u.data')}), or pass --data-dir / set EXPC_DATA_DIR`,
        );
        assert.equal(existsSync(join(dir, 'ml-100k/u.data')), false);
      });
    });

    it('reports the HTTP status', async () => {
      process.env['EXPC_ML100K_URL'] = `${base}/missing.zip`;
      await withTemp(async (dir) => {
        await rejectsWith(
          loader.resolveInputs(P(), makeCtx({ dataDirs: [dir], allowDownload: true })),
          new RegExp(`^MovieLens-100K u\\.data not found, and the download failed: HTTP 404 Not Found from ${base}/missing\\.zip; put u\\.data from `),
        );
      });
    });

    it('reports an archive without u.data', async () => {
      routes['/other.zip'] = makeZip([{ name: 'ml-1m/ratings.dat', data: Buffer.from('x'), method: 0 }]);
      process.env['EXPC_ML100K_URL'] = `${base}/other.zip`;
      await withTemp(async (dir) => {
        await rejectsWith(loader.resolveInputs(P(), makeCtx({ dataDirs: [dir], allowDownload: true })), /download failed: the zip archive has no entry ml-100k\/u\.data; put u\.data/);
      });
    });

    it('reports no network when nothing listens', async () => {
      const closed = createServer();
      await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((ok) => closed.close(() => ok()));
      process.env['EXPC_ML100K_URL'] = `http://127.0.0.1:${port}/ml-100k.zip`;
      await withTemp(async (dir) => {
        await rejectsWith(
          loader.resolveInputs(P(), makeCtx({ dataDirs: [dir], allowDownload: true })),
          new RegExp(`download failed: no network: could not reach http://127\\.0\\.0\\.1:${port}/ml-100k\\.zip \\(ECONNREFUSED\\); put u\\.data`),
        );
      });
    });

    it('does not touch the network when offline', async () => {
      process.env['EXPC_ML100K_URL'] = `${base}/ml-100k.zip`;
      await withTemp(async (dir) => {
        await rejectsWith(loader.resolveInputs(P(), makeCtx({ dataDirs: [dir], allowDownload: false })), /downloads are off/);
        assert.equal(hits, 0);
      });
    });
  });

  describe('the shared copy', () => {
    it('has 943 users, 1,682 items and 100,000 ratings with the pinned sha256', async function () {
      requireShared(this, 'ml-100k');
      const d = await load(P(), makeCtx({ dataDirs: [SHARED] }));
      assert.equal(d.inputs[0]!.sha256, ML100K_SHA256);
      assert.deepEqual([d.numUsers, d.numItems, d.users.length], [943, 1682, 100000]);
      assert.equal(d.userIds![942], '943');
      const four = await load(P({ min_rating: 4 }), makeCtx({ dataDirs: [SHARED] }));
      assert.equal(four.users.length, 34174 + 21201);
    });
  });
});
