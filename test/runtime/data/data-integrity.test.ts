import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../../src/runtime/data/data-error.js';
import { csvLoader } from '../../../src/runtime/datasets/csv.js';
import { lightgcnLoader } from '../../../src/runtime/datasets/lightgcn.js';
import { movielens100kLoader } from '../../../src/runtime/datasets/movielens-100k.js';
import { ArtifactStore } from '../../../src/runtime/cache/artifact-store.js';
import { executeGraph } from '../../../src/runtime/executor/execute-graph.js';
import { RuntimeServices } from '../../../src/runtime/executor/services.js';
import { compileFiles } from '../../compiler/helpers.js';
import { makeCtx, tempDir } from './helpers.js';

const BOM = '\ufeff';
const csvParams = (train: string) => ({ train, separator: 'auto', header: 'auto', user: 0, item: 1, rating: null, min_rating: 0 }) as never;
const lgParams = (path: string) => ({ path, train: 'train.txt', test: 'test.txt' }) as never;

describe('data files: the bytes hashed are the bytes parsed, and clear messages (findings 3, 10)', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  it('a UTF-8 byte order mark before a LightGCN or u.data file is skipped, not read as part of an id', async () => {
    const lg = join(t.dir, 'lg');
    mkdirSync(lg);
    writeFileSync(join(lg, 'train.txt'), `${BOM}0 1 2\n1 0\n`);
    writeFileSync(join(lg, 'test.txt'), `${BOM}0 0\n1 2\n`);
    const ctx = makeCtx({ baseDir: t.dir });
    const inputs = await lightgcnLoader.resolveInputs(lgParams('lg'), ctx);
    const d = await lightgcnLoader.load(lgParams('lg'), ctx, inputs);
    assert.equal(d.numUsers, 2);
    writeFileSync(join(t.dir, 'u.data'), `${BOM}1\t1\t5\t0\n2\t1\t3\t0\n`);
    const mp = { path: 'u.data', min_rating: 0, download: false } as never;
    const md = await movielens100kLoader.load(mp, ctx, await movielens100kLoader.resolveInputs(mp, ctx));
    assert.equal(md.users.length, 2);
  });

  it('a header-only csv names the file and says what it holds', async () => {
    writeFileSync(join(t.dir, 'h.csv'), 'user,item\n');
    const ctx = makeCtx({ baseDir: t.dir });
    const p = csvParams('h.csv');
    await assert.rejects(csvLoader.load(p, ctx, await csvLoader.resolveInputs(p, ctx)), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(e.message, /h\.csv: expected rows of user and item ids after the header, found only the header line/);
      return true;
    });
  });

  it('a folder where train.txt should be is named as such', async () => {
    const lg = join(t.dir, 'lg');
    mkdirSync(join(lg, 'train.txt'), { recursive: true });
    writeFileSync(join(lg, 'test.txt'), '0 1\n');
    await assert.rejects(lightgcnLoader.resolveInputs(lgParams('lg'), makeCtx({ baseDir: t.dir })), /lg\/train\.txt: expected the file train\.txt, found a folder/);
  });

  for (const gz of [false, true]) {
    it(`a ${gz ? 'gzip ' : ''}file changed between hashing and loading is refused, not loaded under the old hash`, async () => {
      const lg = join(t.dir, 'lg');
      mkdirSync(lg);
      const write = (name: string, text: string) => writeFileSync(join(lg, gz ? `${name}.gz` : name), gz ? gzipSync(text) : text);
      write('train.txt', '0 1 2\n1 0\n');
      write('test.txt', '0 0\n1 2\n');
      const ctx = makeCtx({ baseDir: t.dir });
      const inputs = await lightgcnLoader.resolveInputs(lgParams('lg'), ctx);
      write('train.txt', '0 1 2\n1 0 1\n');
      await assert.rejects(lightgcnLoader.load(lgParams('lg'), ctx, inputs), /train\.txt(\.gz)?: the file changed while expc was reading it/);
    });
  }

  it('through the executor: a file changed after its hash entered the key caches nothing; once restored, the next run loads it afresh', async () => {
    writeFileSync(join(t.dir, 'r.csv'), 'user,item\nu1,i1\nu1,i2\nu2,i1\nu2,i3\nu3,i2\nu3,i3\nu4,i1\nu4,i2\n');
    const src = `experiment changing\ndataset d = csv(train: "r.csv") { split: holdout(test: 0.25) }\ndefaults { encoder: mf(dim: 4) training: (epochs: 1, batch: 4) sampler: uniform(negatives: 1) }\nrun a { }\n`;
    const { graph } = compileFiles({ [join(t.dir, 'e.exp')]: src });
    const services = new RuntimeServices({ backend: 'cpu', engine: 'fused', threads: 1, dataDirs: [], allowDownload: false, checkpointSeconds: 0 });
    const store = new ArtifactStore(join(t.dir, 'cache'));
    try {
      const first = await executeGraph(graph!, {
        store,
        services,
        emit: (e) => {
          if (e.type === 'node-start' && e.id === 'load:d') writeFileSync(join(t.dir, 'r.csv'), 'u1,i1\nu9,i9\n');
        },
      });
      const load = first.outcomes.find((o) => o.id === 'load:d')!;
      assert.equal(load.status, 'failed');
      assert.match(load.error!, /r\.csv: the file changed while expc was reading it/);
      assert.equal(store.listKeys().length, 0, 'nothing cached under the old content\'s key');
      writeFileSync(join(t.dir, 'r.csv'), 'user,item\nu1,i1\nu1,i2\nu2,i1\nu2,i3\nu3,i2\nu3,i3\nu4,i1\nu4,i2\n');
      const again = await executeGraph(graph!, { store, services, emit: () => {} });
      assert.deepEqual(again.outcomes.map((o) => o.status), ['ran', 'ran', 'ran', 'ran']);
      assert.equal(again.outcomes[0]!.meta!['interactions'], 8);
    } finally {
      await services.dispose();
    }
  });
});
