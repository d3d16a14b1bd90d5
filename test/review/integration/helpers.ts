import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { run } from '../../../src/cli/commands/run.js';
import type { RuntimeOptions } from '../../../src/runtime/executor/services.js';

export const RUNTIME: RuntimeOptions = { backend: 'cpu', engine: 'auto', threads: 2, dataDirs: [], allowDownload: false, checkpointSeconds: 0 };

/** Collected output of a command function. */
export function io(): { out: (t: string) => void; warn: (t: string) => void; lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  return { out: (t) => lines.push(t), warn: (t) => warnings.push(t), lines, warnings };
}

/** `expc run FILE` through the command's function, quietly. */
export async function runExperiment(file: string, cacheDir: string, runtime: RuntimeOptions = RUNTIME): Promise<void> {
  const o = io();
  await run({ file, cacheDir, runtime, force: false, progress: 'none', argv: ['run', file], out: o.out, warn: o.warn });
}

/** The headless Chromium binary (Debian's `chromium`), or null when none is installed. */
export function findChromium(): string | null {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' });
  const found = r.stdout.trim();
  return r.status === 0 && found ? found : null;
}

/** The DOM of a local HTML file after Chromium loaded it (no network, no GPU, throwaway profile). */
export function dumpDom(chromium: string, htmlPath: string, profileDir: string): string {
  return execFileSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profileDir}`,
      '--dump-dom',
      `file://${htmlPath}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
}

export const count = (text: string, needle: string | RegExp): number => (typeof needle === 'string' ? text.split(needle).length - 1 : (text.match(needle) ?? []).length);
