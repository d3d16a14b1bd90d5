import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '../../../src/core/errors.js';
import { DataError } from '../../../src/runtime/data/data-error.js';
import { forEachLine, parseUint } from '../../../src/runtime/data/read-text.js';
import { tempDir } from './helpers.js';

async function lines(path: string): Promise<string[]> {
  const out: string[] = [];
  await forEachLine(path, (buf, s, e, n) => {
    assert.equal(n, out.length + 1);
    out.push(buf.toString('utf8', s, e));
  });
  return out;
}

describe('read-text', () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  const file = (name: string, data: string | Buffer): string => {
    const p = join(tmp.dir, name);
    writeFileSync(p, data);
    return p;
  };

  it('splits LF and CRLF lines and keeps a last line without newline', async () => {
    assert.deepEqual(await lines(file('a.txt', 'a b\r\n\nc\r\nlast')), ['a b', '', 'c', 'last']);
    assert.deepEqual(await lines(file('b.txt', 'x\n')), ['x']);
    assert.deepEqual(await lines(file('c.txt', '')), []);
  });

  it('joins lines across 1 MiB chunk boundaries', async () => {
    // lines of varying length so that boundaries fall mid-line, plus one line longer than a chunk
    const want: string[] = [];
    for (let k = 0; k < 60000; k++) want.push(`${k} ${'x'.repeat(k % 97)}`);
    want.push('y'.repeat(3 << 20));
    want.push('end');
    const text = want.join('\n');
    assert.deepEqual(await lines(file('big.txt', text)), want);
    assert.deepEqual(await lines(file('big.txt.gz', gzipSync(text))), want);
  });

  it('reads gzip by its magic bytes, whatever the name', async () => {
    assert.deepEqual(await lines(file('plain-name.txt', gzipSync('1 2\r\n3 4\n'))), ['1 2', '3 4']);
  });

  it('rejects a .gz file that is not gzip', async () => {
    const p = file('fake.txt.gz', 'hello\n');
    await assert.rejects(lines(p), (e: unknown) => {
      assert.ok(e instanceof DataError && e instanceof UserError);
      assert.equal(e.message, `${p}: not a valid gzip file: expected gzip data (starting with bytes 1f 8b), found other bytes`);
      return true;
    });
  });

  it('rejects corrupt and truncated gzip', async () => {
    const gz = gzipSync('0 1 2\n'.repeat(5000));
    const bad = Buffer.from(gz);
    for (let k = 20; k < 60; k++) bad[k] = bad[k]! ^ 0x5a;
    const p1 = file('corrupt.txt.gz', bad);
    await assert.rejects(lines(p1), (e: unknown) => e instanceof DataError && e.message.startsWith(`${p1}: not a valid gzip file (zlib: `));
    const p2 = file('cut.txt.gz', gz.subarray(0, gz.length - 30));
    await assert.rejects(lines(p2), (e: unknown) => e instanceof DataError && e.message === `${p2}: not a valid gzip file (truncated: unexpected end of file)`);
  });

  it('rejects binary data, naming the line of the first NUL byte', async () => {
    const p = file('bin.data', Buffer.concat([Buffer.from('1\t2\t3\t4\nok\n'), Buffer.from([0x89, 0x50, 0x00, 0x0a])]));
    await assert.rejects(lines(p), (e: unknown) => e instanceof DataError && e.message === `${p}:3: expected a text file, found binary data (a NUL byte)`);
  });

  it('parseUint accepts digits below 2^31 only', () => {
    const b = Buffer.from('0 42 2147483647 2147483648 -1 4x 12345678901');
    const tok = b.toString().split(' ');
    let s = 0;
    const got = tok.map((t) => {
      const v = parseUint(b, s, s + t.length);
      s += t.length + 1;
      return v;
    });
    assert.deepEqual(got, [0, 42, 2147483647, -1, -1, -1, -1]);
    assert.equal(parseUint(b, 0, 0), -1);
  });
});
