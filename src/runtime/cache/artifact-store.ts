import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isJsonObject, sha256Hex, type Json, type JsonObject } from '../../core/json.js';
import { decodeNpy, encodeNpy, type DecodedNpy, type NpyArray } from './npy.js';

const FORMAT = 1;

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
}

/** A validated cache entry: its files were checked against the manifest's sizes and hashes. */
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

/**
 * A content-addressed store of step results (DVC's run-cache, made crash-safe):
 *
 *   <root>/objects/<key[0:2]>/<key>/{manifest.json, files...}
 *
 * Entries are assembled in <root>/tmp/ and renamed into place in one step, so a killed run
 * never leaves a half-written entry under objects/. Reads re-hash every file; an entry that does
 * not match its manifest is reported, removed and treated as a miss, so it gets recomputed.
 */
export class ArtifactStore {
  constructor(
    readonly root: string,
    private readonly warn: StoreWarning = () => {},
  ) {}

  entryDir(key: string): string {
    return join(this.root, 'objects', key.slice(0, 2), key);
  }

  /** Cheap check used by `expc plan`: a manifest that parses. Full validation happens in get(). */
  has(key: string): boolean {
    return readManifest(this.entryDir(key), key) !== undefined;
  }

  get(key: string): Artifact | null {
    const dir = this.entryDir(key);
    if (!existsSync(dir)) return null;
    const problem = (why: string): null => {
      this.warn(`cache entry ${key.slice(0, 12)} is corrupt (${why}); removing it and recomputing`);
      this.remove(key);
      return null;
    };
    const manifest = readManifest(dir, key);
    if (!manifest) return problem('missing or invalid manifest.json');
    const contents = new Map<string, Uint8Array>();
    for (const [name, f] of Object.entries(manifest.files)) {
      let b: Uint8Array;
      try {
        b = readFileSync(join(dir, name));
      } catch {
        return problem(`file ${name} is missing`);
      }
      if (b.length !== f.bytes) return problem(`file ${name} has ${b.length} bytes, the manifest says ${f.bytes}`);
      if (sha256Hex(b) !== f.sha256) return problem(`file ${name} does not match its sha256`);
      contents.set(name, b);
    }
    return new Artifact(dir, manifest, contents);
  }

  put(key: string, kind: string, nodeId: string, content: ArtifactContent): Artifact {
    const tmp = join(this.root, 'tmp', `${key.slice(0, 12)}-${process.pid}-${randomBytes(6).toString('hex')}`);
    mkdirSync(tmp, { recursive: true });
    const files: Record<string, ManifestFile> = {};
    const contents = new Map<string, Uint8Array>();
    for (const [name, bytes] of Object.entries(content.files)) {
      if (name === 'manifest.json' || name.includes('/') || name.startsWith('.')) throw new Error(`invalid artifact file name ${name}`);
      writeFileSync(join(tmp, name), bytes);
      files[name] = { bytes: bytes.length, sha256: sha256Hex(bytes) };
      contents.set(name, bytes);
    }
    const manifest: Manifest = { format: FORMAT, key, kind, nodeId, created: new Date().toISOString(), files, meta: content.meta };
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1));
    const dir = this.entryDir(key);
    mkdirSync(join(dir, '..'), { recursive: true });
    if (existsSync(dir)) this.remove(key); // a corrupt leftover; a valid one would have been a hit
    try {
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      if (!readManifest(dir, key)) throw e; // someone else won the race with a valid entry: fine
    }
    return new Artifact(dir, manifest, contents);
  }

  remove(key: string): void {
    rmSync(this.entryDir(key), { recursive: true, force: true });
  }

  /** Leftovers of killed runs; safe to delete when no run is in progress. */
  cleanTmp(olderThanMs = 24 * 3600 * 1000): void {
    const tmp = join(this.root, 'tmp');
    if (!existsSync(tmp)) return;
    const now = Date.now();
    for (const e of readdirSync(tmp)) {
      const p = join(tmp, e);
      try {
        if (now - statSync(p).mtimeMs > olderThanMs) rmSync(p, { recursive: true, force: true });
      } catch {
        /* raced with another cleaner */
      }
    }
  }
}

function readManifest(dir: string, key: string): Manifest | undefined {
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isJsonObject(m) || m['format'] !== FORMAT || m['key'] !== key || !isJsonObject(m['files']) || !isJsonObject(m['meta'])) return undefined;
  for (const f of Object.values(m['files'])) if (!isJsonObject(f) || typeof f['bytes'] !== 'number' || typeof f['sha256'] !== 'string') return undefined;
  return m as unknown as Manifest;
}
