import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { sha256Hex } from '../../core/json.js';

/**
 * Fetching an official archive: download, take one entry out of the zip, check its sha256, write it
 * atomically. Failures throw DownloadError whose message says what happened (no network, an
 * HTTP status, a checksum mismatch); the loader adds where the user can put the file instead.
 */
export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface ZipEntryDownload {
  url: string;
  /** Path of the entry inside the archive ("ml-100k/u.data"). */
  entry: string;
  /** Expected sha256 (hex) of the extracted entry. */
  sha256: string;
  /** Where to write it. */
  dest: string;
  log(message: string): void;
  timeoutMs?: number;
}

export async function downloadZipEntry(d: ZipEntryDownload): Promise<void> {
  d.log(`downloading ${d.url}`);
  const zip = await fetchBytes(d.url, d.timeoutMs ?? 120_000);
  const data = extractZipEntry(zip, d.entry);
  const found = sha256Hex(data);
  if (found !== d.sha256) {
    throw new DownloadError(`checksum mismatch for ${d.entry} from ${d.url}: expected sha256 ${d.sha256}, found ${found}`);
  }
  await writeFileAtomic(d.dest, data);
  d.log(`saved ${d.entry} (${data.length} bytes, sha256 verified) to ${d.dest}`);
}

export async function fetchBytes(url: string, timeoutMs: number): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (e) {
    throw new DownloadError(`no network: could not reach ${url} (${describeFetchError(e)})`);
  }
  if (!res.ok) {
    throw new DownloadError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} from ${url}`);
  }
  try {
    return Buffer.from(await res.arrayBuffer());
  } catch (e) {
    throw new DownloadError(`the download from ${url} broke off (${describeFetchError(e)})`);
  }
}

function describeFetchError(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

/**
 * One entry of a zip archive, read through the central directory (the local headers' sizes may be
 * zero when the archive was streamed). Stored and deflated entries; no zip64, no encryption.
 */
export function extractZipEntry(zip: Buffer, entry: string): Buffer {
  const eocd = findEndOfCentralDirectory(zip);
  if (eocd < 0) throw new DownloadError('the download is not a zip archive (no end-of-central-directory record)');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let k = 0; k < count; k++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== 0x02014b50) {
      throw new DownloadError('the zip archive is corrupt (bad central directory)');
    }
    const flags = zip.readUInt16LE(p + 8);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compSize = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name !== entry) continue;
    if (flags & 1) throw new DownloadError(`zip entry ${entry} is encrypted`);
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) {
      throw new DownloadError(`the zip archive is corrupt (bad local header of ${entry})`);
    }
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    if (dataStart + compSize > zip.length) throw new DownloadError(`the zip archive is truncated (entry ${entry})`);
    const raw = zip.subarray(dataStart, dataStart + compSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) {
      try {
        data = inflateRawSync(raw);
      } catch (e) {
        throw new DownloadError(`zip entry ${entry} does not inflate (${(e as Error).message})`);
      }
    } else throw new DownloadError(`zip entry ${entry} uses compression method ${method}; only stored (0) and deflate (8) are read`);
    if (data.length !== size || crc32(data) !== crc) {
      throw new DownloadError(`zip entry ${entry} is corrupt (size or CRC-32 does not match the directory)`);
    }
    return data;
  }
  throw new DownloadError(`the zip archive has no entry ${entry}`);
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const last = zip.length - 22;
  const first = Math.max(0, last - 0xffff);
  for (let p = last; p >= first; p--) if (zip.readUInt32LE(p) === 0x06054b50) return p;
  return -1;
}

/** Writes to a temp file beside `path`, then renames: a reader never sees half a file. */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** The first of `dirs` where `<dir>/<sub>` can be created and written, else `./data`. */
export async function firstWritableDir(dirs: string[], sub: string): Promise<string> {
  for (const dir of [...dirs, 'data']) {
    const target = join(resolve(dir), sub);
    try {
      await mkdir(target, { recursive: true });
      await access(target, constants.W_OK);
      return resolve(dir);
    } catch {
      // read-only or not creatable: try the next one
    }
  }
  return resolve('data');
}
