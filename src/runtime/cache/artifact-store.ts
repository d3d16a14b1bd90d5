import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, sha256Hex, type Json, type JsonObject } from '../../core/json.js';
import { int, obj, sha256, shapeProblem, str } from '../../core/json-shape.js';
import { CacheFsError, cacheFsError, guardFs } from './cache-fs-error.js';
import { decodeNpy, encodeNpy, type DecodedNpy, type NpyArray } from './npy.js';

/** 2: the manifest carries the sha256 of its own canonical JSON, so metadata is verified too. */
const FORMAT = 2;

export interface ManifestFile {
  bytes: number;
  sha256: string;
}

/** Written last, inside the entry: an entry without a valid manifest does not exist. */
export interface Manifest {
  format: number;
  key: string;
  kind: string;
  nodeId: string;
  created: string;
  files: Record<string, ManifestFile>;
  meta: JsonObject;
  /** sha256 of the canonical JSON of every other member: metadata is data and is verified like it. */
  sha256: string;
}

const MANIFEST_SCHEMA = obj({
  format: { const: FORMAT },
  key: sha256,
  kind: str,
  nodeId: str,
  created: str,
  files: { type: 'object', additionalProperties: obj({ bytes: int, sha256 }) },
  meta: { type: 'object' },
  sha256,
});

/** A validated cache entry: its files and metadata were checked against the manifest's hashes. */
export class Artifact {
  constructor(
    readonly dir: string,
    readonly manifest: Manifest,
    private readonly contents: Map<string, Uint8Array>,
  ) {}
  get key(): string {
    return this.manifest.key;
  }
  get meta(): JsonObject {
    return this.manifest.meta;
  }
  has(name: string): boolean {
    return this.contents.has(name);
  }
  bytes(name: string): Uint8Array {
    const b = this.contents.get(name);
    if (!b) throw new Error(`artifact ${this.key.slice(0, 12)} has no file ${name}`);
    return b;
  }
  npy(name: string): DecodedNpy {
    return decodeNpy(this.bytes(name));
  }
  json<T = Json>(name: string): T {
    return JSON.parse(new TextDecoder().decode(this.bytes(name))) as T;
  }
}

/** What a step returns: named files and metadata; the store adds the manifest. */
export interface ArtifactContent {
  files: Record<string, Uint8Array>;
  meta: JsonObject;
}

export function npyFile(data: NpyArray, shape: readonly number[] = [data.length]): Uint8Array {
  return encodeNpy(data, shape);
}

export function jsonFile(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

export type StoreWarning = (message: string) => void;

type Check = { artifact: Artifact } | { missing: true } | { corrupt: string; manifestText: string | null };

/**
 * A content-addressed store of step results (DVC's run-cache, made crash-safe):
 *
 *   <root>/objects/<key[0:2]>/<key>/{manifest.json, files...}
 *
 * Entries are assembled in <root>/tmp/ and renamed into place in one step, so a killed run
 * never leaves a half-written entry under objects/. Reads re-hash every file and the manifest
 * itself; an entry that does not match is reported, removed and treated as a miss, so it gets
 * recomputed. A valid entry is never removed or replaced: concurrent writers of one key keep
 * whichever landed first (they hold the same content).
 */
export class ArtifactStore {
  constructor(
    readonly root: string,
    private readonly warn: StoreWarning = () => {},
  ) {}

  entryDir(key: string): string {
    return join(this.root, 'objects', key.slice(0, 2), key);
  }

  /** A cache path that exists but is not a folder is refused before anything is computed. */
  checkRoot(): void {
    let isDir: boolean;
    try {
      isDir = statSync(this.root).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw cacheFsError(e, this.root, 'use the cache folder') ?? e;
    }
    if (!isDir) throw new CacheFsError(this.root, 'ENOTDIR', 'use the cache folder');
  }

  /** Cheap check used by `expc plan`: a manifest that is valid and matches its hash. */
  has(key: string): boolean {
    return readManifest(this.entryDir(key), key).manifest !== undefined;
  }

  get(key: string): Artifact | null {
    for (let attempt = 0; ; attempt++) {
      const c = this.check(key);
      if ('artifact' in c) return c.artifact;
      if ('missing' in c) return null;
      // Another process may have replaced the entry between our reads: look again before judging.
      const now = readManifest(this.entryDir(key), key).text;
      if (attempt === 0 && now !== c.manifestText) continue;
      this.warn(`cache entry ${key.slice(0, 12)} is corrupt (${c.corrupt}); removing it and recomputing`);
      this.discard(key);
      return null;
    }
  }

  /** Full validation without side effects. */
  private check(key: string): Check {
    const dir = this.entryDir(key);
    if (!existsSync(dir)) return { missing: true };
    const { manifest, text, problem } = readManifest(dir, key);
    if (!manifest) {
      if (!existsSync(dir)) return { missing: true }; // removed while we looked: a miss, not corruption
      return { corrupt: problem ?? 'invalid manifest.json', manifestText: text };
    }
    const contents = new Map<string, Uint8Array>();
    for (const [name, f] of Object.entries(manifest.files)) {
      let b: Uint8Array;
      try {
        b = readFileSync(join(dir, name));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && !existsSync(dir)) return { missing: true };
        if (code === 'ENOENT' || code === 'EISDIR') return { corrupt: `file ${name} is ${code === 'ENOENT' ? 'missing' : 'a folder'}`, manifestText: text };
        throw cacheFsError(e, join(dir, name), 'read the cache file') ?? e;
      }
      if (b.length !== f.bytes) return { corrupt: `file ${name} has ${b.length} bytes, the manifest says ${f.bytes}`, manifestText: text };
      if (sha256Hex(b) !== f.sha256) return { corrupt: `file ${name} does not match its sha256`, manifestText: text };
      contents.set(name, b);
    }
    return { artifact: new Artifact(dir, manifest, contents) };
  }

  /**
   * Stores an entry. A valid entry already there is kept (same key, same content) unless
   * `replace` (--force, under the key's lock): then it is moved aside and this one takes its place.
   */
  put(key: string, kind: string, nodeId: string, content: ArtifactContent, options: { replace?: boolean } = {}): Artifact {
    for (const name of Object.keys(content.files))
      if (name === 'manifest.json' || name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`invalid artifact file name ${name}`);
    const tmpRoot = join(this.root, 'tmp');
    const tmp = join(tmpRoot, `${key.slice(0, 12)}-${process.pid}-${randomBytes(6).toString('hex')}`);
    const files: Record<string, ManifestFile> = {};
    const contents = new Map<string, Uint8Array>();
    // Metadata goes through JSON once, so what this run returns is exactly what a later run reads.
    const meta = JSON.parse(JSON.stringify(content.meta)) as JsonObject;
    let manifest: Manifest;
    try {
      guardFs(tmp, 'create the cache folder', () => mkdirSync(tmp, { recursive: true }));
      for (const [name, bytes] of Object.entries(content.files)) {
        guardFs(join(tmp, name), 'write the cache file', () => writeFileSync(join(tmp, name), bytes));
        files[name] = { bytes: bytes.length, sha256: sha256Hex(bytes) };
        contents.set(name, bytes);
      }
      const body = { format: FORMAT, key, kind, nodeId, created: new Date().toISOString(), files, meta };
      manifest = { ...body, sha256: sha256Hex(canonicalJson(body)) };
      guardFs(join(tmp, 'manifest.json'), 'write the cache file', () => writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1)));
      const dir = this.entryDir(key);
      guardFs(join(dir, '..'), 'create the cache folder', () => mkdirSync(join(dir, '..'), { recursive: true }));
      for (let attempt = 0; ; attempt++) {
        const existing = this.check(key);
        if ('artifact' in existing && !(options.replace && attempt === 0)) return existing.artifact; // same key, same content: keep the one there
        if (!('missing' in existing)) this.discard(key);
        try {
          renameSync(tmp, dir);
          return new Artifact(dir, manifest, contents);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          // Another writer landed first (a non-empty folder is in the way): look at it again.
          if ((code === 'ENOTEMPTY' || code === 'EEXIST') && attempt < 3) continue;
          throw cacheFsError(e, dir, 'move the finished entry into') ?? e;
        }
      }
    } finally {
      try {
        rmSync(tmp, { recursive: true, force: true });
      } catch {
        /* the tmp folder itself cannot be removed (read-only); nothing more to do */
      }
    }
  }

  /** Removes an entry: first moved out of objects/ in one rename, so no reader sees it half removed. */
  private discard(key: string): void {
    const dir = this.entryDir(key);
    const aside = join(this.root, 'tmp', `discard-${key.slice(0, 12)}-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      mkdirSync(join(this.root, 'tmp'), { recursive: true });
      renameSync(dir, aside);
      rmSync(aside, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // already gone
      this.warn(`could not remove cache entry ${dir}: ${(e as Error).message}`);
    }
  }

  remove(key: string): void {
    this.discard(key);
  }

  /** Leftovers of killed runs; only ones older than `olderThanMs` (a running process's are fresh). */
  cleanTmp(olderThanMs = 24 * 3600 * 1000): void {
    const tmp = join(this.root, 'tmp');
    let entries: string[];
    try {
      entries = readdirSync(tmp);
    } catch {
      return;
    }
    const now = Date.now();
    for (const e of entries) {
      const p = join(tmp, e);
      try {
        if (now - statSync(p).mtimeMs > olderThanMs) rmSync(p, { recursive: true, force: true });
      } catch {
        /* raced with another cleaner, or a read-only cache */
      }
    }
  }

  /** Every key that has an entry folder (valid or not), for `expc gc`. */
  listKeys(): string[] {
    const objects = join(this.root, 'objects');
    const keys: string[] = [];
    let prefixes: string[];
    try {
      prefixes = readdirSync(objects);
    } catch {
      return keys;
    }
    for (const p of prefixes) {
      try {
        for (const k of readdirSync(join(objects, p))) if (/^[0-9a-f]{64}$/.test(k) && k.startsWith(p)) keys.push(k);
      } catch {
        /* not a folder */
      }
    }
    return keys.sort();
  }
}

/** The manifest when it parses, has the right shape and matches its own hash; else why not. */
function readManifest(dir: string, key: string): { manifest?: Manifest; text: string | null; problem?: string } {
  let text: string;
  try {
    text = readFileSync(join(dir, 'manifest.json'), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return { text: null, problem: code === 'EISDIR' ? 'manifest.json is a folder' : 'manifest.json is missing' };
    throw cacheFsError(e, join(dir, 'manifest.json'), 'read the cache file') ?? e;
  }
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return { text, problem: 'manifest.json is not valid JSON' };
  }
  const shape = shapeProblem(MANIFEST_SCHEMA, m);
  if (shape) {
    const format = (m as { format?: unknown } | null)?.format;
    return { text, problem: typeof format === 'number' && format !== FORMAT ? `written in cache format ${format}, this expc uses ${FORMAT}` : `manifest.json ${shape}` };
  }
  const manifest = m as Manifest;
  if (manifest.key !== key) return { text, problem: 'manifest.json names another key' };
  const { sha256: claimed, ...body } = manifest;
  if (sha256Hex(canonicalJson(body)) !== claimed) return { text, problem: 'manifest.json (its metadata) does not match its sha256' };
  return { manifest, text };
}
