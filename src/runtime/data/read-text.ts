import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DataError, fileSystemError, quoteFound } from './data-error.js';
import type { InputFile } from './dataset.js';

/**
 * Streaming reading of data files. Files are read in 1 MiB chunks, and gzip files (by magic
 * bytes, whatever their name) are gunzipped on the fly, so a large .gz never becomes one giant
 * string. Lines are handed out as byte ranges so that parsers of numeric formats can parse ids
 * straight from the bytes.
 */

const CHUNK = 1 << 20;

/** Called for each line: bytes buf[start, end) without the line ending (LF, CRLF's CR stripped). */
export type LineSink = (buf: Buffer, start: number, end: number, lineNo: number) => void;

export interface ReadStats {
  /** Number of lines (a final line without a newline counts). */
  lines: number;
  /** Decompressed bytes. */
  bytes: number;
}

/** True when the file starts with the gzip magic bytes 1f 8b. */
export async function isGzipFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * The file's content as a stream of chunks; gunzipped when it is gzip. A `.gz` name without gzip
 * magic is an error. `onRaw` sees the file's bytes as stored (before gunzip).
 */
export async function openChunks(path: string, onRaw?: (chunk: Buffer) => void): Promise<Readable> {
  const gz = await isGzipFile(path);
  if (!gz && /\.gz$/i.test(path)) {
    throw new DataError('not a valid gzip file', { file: path, expected: 'gzip data (starting with bytes 1f 8b)', found: 'other bytes' });
  }
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  if (!gz) return raw;
  if (onRaw) raw.on('data', (c) => onRaw(c as Buffer));
  return pipeline(raw, createGunzip({ chunkSize: CHUNK }), () => {
    // errors surface through the async iterator of the returned stream
  });
}

function zlibError(path: string, e: unknown): DataError | null {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === 'string' && err.code.startsWith('Z_')) {
    const detail = err.message === 'unexpected end of file' ? 'truncated: unexpected end of file' : `zlib: ${err.message}`;
    return new DataError(`not a valid gzip file (${detail})`, { file: path });
  }
  return null;
}

/**
 * Calls `sink` for every line of the file. Rejects binary files (a NUL byte) and corrupt gzip
 * with a DataError naming the file (and the line, for binary data). A UTF-8 byte order mark at
 * the start is skipped (it is invisible in every editor, so it must not become part of an id).
 *
 * Given the InputFile whose hash entered the content key, it hashes the bytes it parses and
 * fails when they are not those: a file changed between hashing and loading is never cached
 * under the old content's key.
 */
export async function forEachLine(file: string | InputFile, sink: LineSink): Promise<ReadStats> {
  const path = typeof file === 'string' ? file : file.path;
  const expect = typeof file === 'string' ? undefined : file;
  const hash = expect ? createHash('sha256') : undefined;
  let rawBytes = 0;
  const onRaw = (chunk: Buffer): void => {
    hash?.update(chunk);
    rawBytes += chunk.length;
  };
  let stream: Readable;
  let gz: boolean;
  try {
    gz = await isGzipFile(path);
    stream = await openChunks(path, onRaw);
  } catch (e) {
    throw fileSystemError(path, e) ?? e;
  }
  // the partial line at the end of the previous chunks (a list, so a very long line stays linear)
  let carry: Buffer[] = [];
  let lineNo = 0;
  let bytes = 0;
  const emit = (buf: Buffer, start: number, end: number): void => {
    lineNo++;
    if (lineNo === 1 && end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    if (end > start && buf[end - 1] === 13) end--;
    sink(buf, start, end, lineNo);
  };
  try {
    for await (const buf of stream as AsyncIterable<Buffer>) {
      if (!gz) onRaw(buf);
      bytes += buf.length;
      const nul = buf.indexOf(0);
      if (nul >= 0) {
        const line = lineNo + countNewlines(buf, nul) + 1;
        throw new DataError('', { file: path, line, expected: 'a text file', found: 'binary data (a NUL byte)' });
      }
      let start = 0;
      let nl = buf.indexOf(10);
      if (carry.length > 0) {
        if (nl < 0) {
          carry.push(Buffer.from(buf));
          continue;
        }
        carry.push(buf.subarray(0, nl));
        const joined = Buffer.concat(carry);
        carry = [];
        emit(joined, 0, joined.length);
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
      while (nl >= 0) {
        emit(buf, start, nl);
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
      if (start < buf.length) carry.push(Buffer.from(buf.subarray(start)));
    }
  } catch (e) {
    throw zlibError(path, e) ?? fileSystemError(path, e) ?? e;
  } finally {
    stream.destroy();
  }
  if (carry.length > 0) {
    const last = Buffer.concat(carry);
    emit(last, 0, last.length);
  }
  if (expect && hash && (rawBytes !== expect.bytes || hash.digest('hex') !== expect.sha256))
    throw new DataError('the file changed while expc was reading it (its content is not the one it hashed a moment before)', {
      file: path,
      hint: 'run again once nothing writes to it; nothing was cached from it',
    });
  return { lines: lineNo, bytes };
}

/** Newlines in buf[0, end). */
function countNewlines(buf: Buffer, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(10); i >= 0 && i < end; i = buf.indexOf(10, i + 1)) n++;
  return n;
}
/** A line's text for messages: UTF-8, quoted and cut. */
export function lineText(buf: Buffer, start: number, end: number, max = 60): string {
  return quoteFound(buf.toString('utf8', start, Math.min(end, start + max * 4)), max);
}

/** True when bytes [start, end) hold only spaces, tabs and CRs. */
export function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c !== 32 && c !== 9 && c !== 13 && c !== 11 && c !== 12) return false;
  }
  return true;
}

/**
 * Parses a non-negative decimal integer from bytes [start, end): digits only, below 2^31.
 * Returns -1 when the field is not such an integer.
 */
export function parseUint(buf: Buffer, start: number, end: number): number {
  if (end <= start || end - start > 10) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v <= 0x7fffffff ? v : -1;
}
