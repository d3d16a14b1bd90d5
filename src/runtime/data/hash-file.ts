import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { fileSystemError } from './data-error.js';
import type { InputFile } from './dataset.js';

/** sha256 and size of a file's bytes as stored (a .gz is hashed compressed), streamed. */
export async function hashFile(path: string): Promise<InputFile> {
  const abs = resolve(path);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } catch (e) {
    throw fileSystemError(abs, e) ?? e;
  }
  return { path: abs, sha256: hash.digest('hex'), bytes };
}
