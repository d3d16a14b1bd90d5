import { join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { Json } from '../../core/json.js';
import { AnalysisCache } from '../../review/analyses.js';
import { buildReview } from '../../review/build-review.js';
import { diffReviews, renderDiff, type ReviewDiff } from '../../review/diff-reviews.js';
import { loadResults, missingStepsError } from '../../review/load-results.js';
import { renderFigures, renderHtml } from '../../review/render-html.js';
import { figureFile, renderMarkdown } from '../../review/render-markdown.js';
import { contentHash, REVIEW_FORMAT, type ReviewDocument } from '../../review/review-data.js';
import { experimentReviewDir, latestVersion, listVersions, readReviewFile, resolveVersion, versionPath, writeVersion } from '../../review/versions.js';
import { ArtifactStore } from '../../runtime/cache/artifact-store.js';
import { graphKeys } from '../../runtime/executor/graph-keys.js';
import { RuntimeServices, type RuntimeOptions } from '../../runtime/executor/services.js';
import { EXPC_VERSION, gitFacts } from '../../runtime/record/environment.js';
import { readRunRecords } from '../../runtime/record/run-record.js';
import { compileOrThrow } from '../compile-file.js';
import { keysWithRecordedData } from '../recorded-keys.js';
import type { ProjectRoot } from '../project-root.js';
import { displayPath } from '../paths.js';

export const DEFAULT_REVIEWS_DIR = 'reviews';

export interface ReviewOptions {
  file: string;
  cacheDir: string;
  root?: ProjectRoot;
  /** Command-line overrides (`-S path=value`): the review of the experiment as overridden. */
  overrides?: string[];
  /** Only errors and the final line. */
  quiet?: boolean;
  /** Reviews go to <reviewsDir>/<experiment>/v<N>.{md,html,json}. */
  reviewsDir: string;
  runtime: RuntimeOptions;
  /** Run the experiment first (cached steps are reused), instead of failing on missing steps. */
  run?: boolean;
  progress?: 'auto' | 'plain' | 'none';
  argv?: string[];
  out: (text: string) => void;
  warn: (text: string) => void;
  /** The clock (tests fix it). */
  now?: () => Date;
}

export interface ReviewResult {
  status: 'written' | 'current';
  version: number;
  dir: string;
  doc: ReviewDocument;
  paths?: { md: string; html: string; json: string };
  seconds: number;
  /** Analyses of this call: computed now or read from the cache. */
  analyses: { computed: number; cached: number };
}

/**
 * `expc review FILE`: builds the review of the experiment as compiled now from the cached results
 * (nothing is trained; analyses are cached too), and writes v<N+1> only when its configuration
 * or results differ from the latest version's.
 */
export async function review(o: ReviewOptions): Promise<ReviewResult> {
  const t0 = performance.now();
  if (o.run) {
    const { run } = await import('./run.js');
    await run({ file: o.file, cacheDir: o.cacheDir, root: o.root, overrides: o.overrides, runtime: o.runtime, force: false, progress: o.progress ?? 'auto', quiet: o.quiet, argv: o.argv ?? ['run', o.file], out: o.out, warn: o.warn });
    if (!o.quiet) o.out('');
  }
  const { model, graph } = compileOrThrow(o.file, o.run ? () => {} : o.warn, o.overrides ?? []);
  // Keys hash the data files; a review reads results and never downloads a dataset.
  const services = new RuntimeServices({ ...o.runtime, allowDownload: false });
  let keyed: Awaited<ReturnType<typeof graphKeys>>;
  try {
    keyed = await graphKeys(graph, services);
  } finally {
    await services.dispose();
  }
  const store = new ArtifactStore(o.cacheDir, (m) => o.warn(`warning: ${m}`));
  const keys = keysWithRecordedData(graph, keyed, o.cacheDir, (m) => o.warn(`note: ${m}`));
  const loaded = loadResults(model, graph, keys, new Map(), store);
  if ('missing' in loaded) throw missingStepsError(model.name, o.file, loaded.missing);

  const cache = new AnalysisCache(store, model.name, o.runtime.threads);
  const { content, facts } = await buildReview({
    model,
    inputs: loaded.inputs,
    records: readRunRecords(o.cacheDir, (m) => o.warn(`warning: ${m}`)),
    cache,
    git: gitFacts(model.files.map((f) => f.path)),
    reviewer: { expc: EXPC_VERSION, node: process.version },
  });
  if (cache.unstored) o.warn(`warning: ${cache.unstored}; the analyses were not cached`);
  const hash = contentHash(content);
  const dir = experimentReviewDir(o.reviewsDir, model.name);
  const latest = latestVersion(dir, (m) => o.warn(`warning: ${m}`));
  facts.source = relative(o.root?.dir ?? process.cwd(), resolve(o.file)).split(sep).join('/');
  warnSharedSeries(dir, model.name, facts.source, o.warn);
  const seconds = () => (performance.now() - t0) / 1000;
  if (latest?.doc && latest.doc.contentHash === hash) {
    o.out(`${displayPath(resolve(join(dir, `v${latest.version}`)))} is current (no change in configuration or results)`);
    return { status: 'current', version: latest.version, dir, doc: latest.doc, seconds: seconds(), analyses: { computed: cache.computed, cached: cache.cached } };
  }
  const version = (latest?.version ?? 0) + 1;
  const doc: ReviewDocument = { format: REVIEW_FORMAT, experiment: model.name, version, created: (o.now?.() ?? new Date()).toISOString(), contentHash: hash, facts, content };
  const markdown = renderMarkdown(doc);
  const svgs = await renderFigures(doc);
  const html = await renderHtml(doc, svgs);
  const paths = writeVersion(dir, doc, markdown, html, Object.fromEntries([...svgs].map(([id, svg]) => [figureFile(version, id), svg])));
  o.out(`wrote ${displayPath(resolve(paths.md))} (with ${svgs.size} SVG plots beside it), .html and .json in ${seconds().toFixed(1)} s`);
  if (latest?.doc) {
    const d = diffReviews(latest.doc, doc);
    const trials = new Set(d.metrics.map((m) => `${m.dataset}/${m.trial}`)).size;
    o.out(
      `since v${latest.version}: ${d.config.length} configuration change(s), reported metrics changed in ${trials} trial(s); ` +
        `\`expc review diff ${o.file} v${latest.version} v${version}\` shows them`,
    );
  }
  return { status: 'written', version, dir, doc, paths, seconds: seconds(), analyses: { computed: cache.computed, cached: cache.cached } };
}

export interface ReviewDiffOptions {
  /** `[FILE.exp, vA, vB?]` or `[A.json, B.json]`. */
  args: string[];
  reviewsDir: string;
  json: boolean;
  out: (text: string) => void;
  warn: (text: string) => void;
}

/**
 * `expc review diff FILE.exp vA [vB]` (vB defaults to the latest version) or
 * `expc review diff A.json B.json`: configuration changes and metric deltas between two versions.
 */
export async function reviewDiff(o: ReviewDiffOptions): Promise<ReviewDiff> {
  const [first, second, third] = o.args;
  let a: ReviewDocument;
  let b: ReviewDocument;
  if (first !== undefined && first.endsWith('.json')) {
    if (second === undefined || third !== undefined || !second.endsWith('.json'))
      throw new UsageError('review diff of two files takes exactly two v<N>.json paths', 'usage: expc review diff A.json B.json');
    a = readReviewFile(first);
    b = readReviewFile(second);
  } else {
    if (first === undefined || second === undefined)
      throw new UsageError('review diff needs an experiment file and one or two versions', 'usage: expc review diff FILE.exp vA [vB]   or   expc review diff A.json B.json');
    const { model } = compileOrThrow(first, o.warn);
    const dir = experimentReviewDir(o.reviewsDir, model.name);
    const va = resolveVersion(dir, second, model.name);
    const vb = resolveVersion(dir, third ?? 'latest', model.name);
    a = readReviewFile(versionPath(dir, va, 'json'));
    b = readReviewFile(versionPath(dir, vb, 'json'));
  }
  const d = diffReviews(a, b);
  o.out(o.json ? JSON.stringify(d as unknown as Json, null, 2) : renderDiff(d));
  return d;
}

/**
 * Two .exp files that declare the same `experiment` name write into one review series: say so,
 * and which file each earlier version came from, so a reader does not diff unrelated reviews.
 */
function warnSharedSeries(dir: string, experiment: string, source: string, warn: (t: string) => void): void {
  const bySource = new Map<string, number[]>();
  for (const v of listVersions(dir)) {
    let from: string | undefined;
    try {
      from = readReviewFile(versionPath(dir, v, 'json')).facts.source;
    } catch {
      continue; // an unreadable version is reported where it is read
    }
    if (from === undefined) continue;
    bySource.set(from, [...(bySource.get(from) ?? []), v]);
  }
  const others = [...bySource].filter(([f]) => f !== source);
  if (others.length === 0) return;
  const list = [...bySource].map(([f, vs]) => `${vs.map((v) => `v${v}`).join(', ')} from ${f}`).join('; ');
  warn(
    `warning: ${others.map(([f]) => f).join(', ')} also declare${others.length === 1 ? 's' : ''} experiment '${experiment}', so its reviews share one series with ${source} (${list}); ` +
      `give one of them another name with \`experiment NAME\``,
  );
}
