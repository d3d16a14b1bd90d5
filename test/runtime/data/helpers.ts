import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
import type { DataContext } from '../../../src/runtime/data/dataset.js';
import { isDirectory } from '../../../src/runtime/data/find-data-file.js';

/** The repository root (tests run from dist/test/runtime/data). */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const FIXTURES = join(ROOT, 'test/fixtures/data');
/** The public benchmark copies (never committed): $EXPC_DATA_DIR or ../shared/datasets. */
export const SHARED = resolve(ROOT, process.env['EXPC_DATA_DIR'] ?? '../shared/datasets');

/** Skips the calling suite or test when the shared data set folder is absent. */
export function requireShared(ctx: Mocha.Context, sub: string): string {
  const dir = join(SHARED, sub);
  if (!isDirectory(dir)) {
    console.log(`      (skipped: shared data ${dir} is absent; set EXPC_DATA_DIR to the shared datasets folder)`);
    ctx.skip();
  }
  return dir;
}

export interface TestContext extends DataContext {
  logs: string[];
}

export function makeCtx(over: Partial<DataContext> = {}): TestContext {
  const logs: string[] = [];
  return { dataDirs: [], baseDir: ROOT, allowDownload: false, log: (m) => logs.push(m), ...over, logs };
}

/** A fresh temp folder; call the returned cleanup in after(). */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'expc-data-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A minimal zip archive with the given entries (method 0 = stored, 8 = deflated). */
export function makeZip(entries: { name: string; data: Buffer; method: 0 | 8 }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.method === 8 ? deflateRawSync(e.data) : e.data;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Pairs of a loaded data set as "user:item" strings in the original ids (for readable assertions). */
export function originalPairs(d: { users: Int32Array; items: Int32Array; userIds: string[] | null; itemIds: string[] | null; part: Uint8Array | null }): string[] {
  const out: string[] = [];
  for (let k = 0; k < d.users.length; k++) {
    const u = d.userIds ? d.userIds[d.users[k]!] : String(d.users[k]);
    const i = d.itemIds ? d.itemIds[d.items[k]!] : String(d.items[k]);
    out.push(d.part ? `${u}:${i}/${d.part[k]}` : `${u}:${i}`);
  }
  return out;
}
