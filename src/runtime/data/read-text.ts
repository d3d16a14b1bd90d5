import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DataError, fileSystemError, quoteFound } from './data-error.js';

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

/** The file's content as a stream of chunks; gunzipped when it is gzip. A `.gz` name without gzip magic is an error. */
export async function openChunks(path: string): Promise<Readable> {
  const gz = await isGzipFile(path);
  if (!gz && /\.gz$/i.test(path)) {
    throw new DataError('not a valid gzip file', { file: path, expected: 'gzip data (starting with bytes 1f 8b)', found: 'other bytes' });
  }
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  if (!gz) return raw;
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
 * with a DataError naming the file (and the line, for binary data).
 */
export async function forEachLine(path: string, sink: LineSink): Promise<ReadStats> {
  let stream: Readable;
  try {
    stream = await openChunks(path);
  } catch (e) {
    throw fileSystemError(path, e) ?? e;
  }
  // the partial line at the end of the previous chunks (a list, so a very long line stays linear)
  let carry: Buffer[] = [];
  let lineNo = 0;
  let bytes = 0;
  const emit = (buf: Buffer, start: number, end: number): void => {
    lineNo++;
    if (end > start && buf[end - 1] === 13) end--;
    sink(buf, start, end, lineNo);
  };
  try {
    for await (const buf of stream as AsyncIterable<Buffer>) {
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
