import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/** What reading a source file can come to. The compiler turns failures into diagnostics. */
export type ReadResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'not-found' | 'too-large' | 'binary' | 'unreadable'; detail: string; at?: BytePosition };

/** Where in a file's bytes a whole-file problem is (1-based line and column, as an editor counts). */
export interface BytePosition {
  offset: number;
  line: number;
  column: number;
}

/** Line and column of byte `offset`: columns count the characters of the line before it. */
export function positionOfByte(bytes: Uint8Array, offset: number): BytePosition {
  let lineStart = 0;
  let line = 1;
  for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset)).length + 1;
  return { offset, line, column };
}

/** Offset of the first byte that is not part of valid UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
    }
    // Overlong 3-byte, surrogates, overlong 4-byte and beyond U+10FFFF.
    if (n === 2 && ((c === 0xe0 && b[i + 1]! < 0xa0) || (c === 0xed && b[i + 1]! >= 0xa0))) return i;
    if (n === 3 && ((c === 0xf0 && b[i + 1]! < 0x90) || (c === 0xf4 && b[i + 1]! >= 0x90))) return i;
    i += n + 1;
  }
  return -1;
}

const at = (p: BytePosition) => `line ${p.line}, column ${p.column}`;

/**
 * The compiler's only window on the file system, so that compile() stays pure and tests can
 * compile from memory (Langium's FileSystemProvider; tsc's CompilerHost).
 */
export interface CompilerHost {
  read(path: string): ReadResult;
  /** Resolves an import path written in `fromFile` to the path used as the file's identity. */
  resolveImport(fromFile: string, importPath: string): string;
}

/** .exp files are small; anything larger is almost certainly the wrong file. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

/** Classifies bytes that are not a text file: NUL bytes or invalid UTF-8. */
export function decodeSource(bytes: Uint8Array, totalBytes = bytes.length): ReadResult {
  if (totalBytes > MAX_SOURCE_BYTES) {
    const p = positionOfByte(bytes, Math.min(bytes.length, MAX_SOURCE_BYTES));
    return { ok: false, reason: 'too-large', detail: `${totalBytes} bytes; .exp files are limited to ${MAX_SOURCE_BYTES} bytes (1 MiB), reached at ${at(p)}`, at: p };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const p = positionOfByte(bytes, nul);
    return { ok: false, reason: 'binary', detail: `a NUL byte at offset ${nul} (${at(p)})`, at: p };
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const p = positionOfByte(bytes, bad);
    return { ok: false, reason: 'binary', detail: `not valid UTF-8 text: byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad} (${at(p)})`, at: p };
  }
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text };
}

/** The real file system; paths are shown relative to the working directory. */
export class NodeCompilerHost implements CompilerHost {
  constructor(private readonly cwd = process.cwd()) {}

  read(path: string): ReadResult {
    const abs = resolve(this.cwd, path);
    let size: number;
    try {
      const st = statSync(abs);
      if (st.isDirectory()) return { ok: false, reason: 'unreadable', detail: 'is a directory, not a file' };
      size = st.size;
    } catch {
      return { ok: false, reason: 'not-found', detail: 'no such file' };
    }
    try {
      if (size > MAX_SOURCE_BYTES) {
        // Only the part up to the limit is read: enough to say where the limit is reached.
        const head = Buffer.alloc(MAX_SOURCE_BYTES);
        const fd = openSync(abs, 'r');
        try {
          readSync(fd, head, 0, MAX_SOURCE_BYTES, 0);
        } finally {
          closeSync(fd);
        }
        return decodeSource(head, size);
      }
      return decodeSource(readFileSync(abs));
    } catch (e) {
      return { ok: false, reason: 'unreadable', detail: (e as Error).message };
    }
  }

  resolveImport(fromFile: string, importPath: string): string {
    const abs = isAbsolute(importPath) ? importPath : resolve(this.cwd, dirname(fromFile), importPath);
    const rel = relative(this.cwd, abs);
    return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  }
}

/** In-memory sources for tests: `{ 'a.exp': 'experiment a ...' }`. */
export class MemoryCompilerHost implements CompilerHost {
  constructor(private readonly files: Record<string, string | Uint8Array>) {}

  read(path: string): ReadResult {
    const f = this.files[path];
    if (f === undefined) return { ok: false, reason: 'not-found', detail: 'no such file' };
    return typeof f === 'string' ? decodeSource(new TextEncoder().encode(f)) : decodeSource(f);
  }

  resolveImport(fromFile: string, importPath: string): string {
    const dir = fromFile.includes('/') ? fromFile.slice(0, fromFile.lastIndexOf('/') + 1) : '';
    const parts = (dir + importPath).split('/');
    const out: string[] = [];
    for (const p of parts) {
      if (p === '..') out.pop();
      else if (p !== '.' && p !== '') out.push(p);
    }
    return out.join('/');
  }
}
