import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/** What reading a source file can come to. The compiler turns failures into diagnostics. */
export type ReadResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'not-found' | 'too-large' | 'binary' | 'unreadable'; detail: string };

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
export function decodeSource(bytes: Uint8Array): ReadResult {
  if (bytes.length > MAX_SOURCE_BYTES)
    return { ok: false, reason: 'too-large', detail: `${bytes.length} bytes; .exp files are limited to ${MAX_SOURCE_BYTES} bytes (1 MiB)` };
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { ok: false, reason: 'binary', detail: `a NUL byte at offset ${nul}` };
  try {
    let text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { ok: true, text };
  } catch {
    return { ok: false, reason: 'binary', detail: 'not valid UTF-8 text' };
  }
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
    if (size > MAX_SOURCE_BYTES) return { ok: false, reason: 'too-large', detail: `${size} bytes; .exp files are limited to ${MAX_SOURCE_BYTES} bytes (1 MiB)` };
    try {
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
