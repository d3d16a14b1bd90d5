import { resolve } from 'node:path';
import { ArtifactStore } from '../../runtime/cache/artifact-store.js';
import { collectGarbage, type GcResult } from '../../runtime/cache/collect-garbage.js';
import { displayPath } from '../paths.js';

export interface GcOptions {
  cacheDir: string;
  dryRun: boolean;
  out: (text: string) => void;
  warn: (text: string) => void;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** `expc gc`: removes cache entries that no recorded run references (safe while runs are going). */
export async function gc(o: GcOptions): Promise<GcResult> {
  const store = new ArtifactStore(o.cacheDir, (m) => o.warn(`warning: ${m}`));
  store.checkRoot();
  const r = collectGarbage(store, o.cacheDir, { dryRun: o.dryRun, warn: (m) => o.warn(`warning: ${m}`) });
  const verb = o.dryRun ? 'would remove' : 'removed';
  const running = r.keptForRunning ? ` (${r.keptForRunning} kept for runs in progress)` : '';
  o.out(
    `${displayPath(resolve(o.cacheDir))}: ${verb} ${r.removed.length} unreferenced entr${r.removed.length === 1 ? 'y' : 'ies'}, ${r.checkpoints} finished checkpoint(s) and ${r.tmp} tmp leftover(s), ${mib(r.bytes)}; kept ${r.kept}${running}`,
  );
  return r;
}
