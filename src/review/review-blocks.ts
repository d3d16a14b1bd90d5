import { isCorpusColumn } from '../contract/training-schema.js';
import type { Json } from '../core/json.js';
import { PAPER_PROTOCOL_NOTE } from './protocol-text.js';
import type { DatasetSection, MeanStd, ReviewDocument, TrialFacts } from './review-data.js';
import { datasetFigures, type ReviewFigure } from './review-plots.js';

/**
 * A review as a list of blocks (headings, paragraphs, lists, tables, figures), built once from
 * the review data; the Markdown and HTML renderers only decide how each block looks, so the two
 * pages always say the same.
 */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4; text: string; id?: string }
  | { kind: 'paragraph'; text: string; emphasis?: 'strong' | 'note' }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; caption?: string; header: string[]; rows: string[][]; numeric?: boolean[] }
  | { kind: 'figure'; figure: ReviewFigure };

const SHORT: Record<string, string> = { precision: 'P', recall: 'R', f1: 'F1', ndcg: 'NDCG', hr: 'HR', mrr: 'MRR', map: 'MAP', recall_calibrated: 'Rc', avg_pop: 'Pop', coverage: 'Cov', gini: 'Gini' };

/** `a x zip(b, c)`: the grid's axes, the paths of a zip group together (they vary as one). */
export function sweepShape(axes: readonly { path: string; zip?: number }[]): string {
  const parts: string[] = [];
  const zips = new Map<number, string[]>();
  for (const a of axes) {
    if (a.zip === undefined) parts.push(a.path);
    else if (zips.has(a.zip)) zips.get(a.zip)!.push(a.path);
    else {
      const group = [a.path];
      zips.set(a.zip, group);
      parts.push(`\u0000${a.zip}`);
    }
  }
  return parts.map((p) => (p.startsWith('\u0000') ? `zip(${zips.get(Number(p.slice(1)))!.join(', ')})` : p)).join(' x ');
}

export function shortColumn(c: string): string {
  const [m, k] = c.split('@');
  return `${SHORT[m!] ?? m}@${k}`;
}

export const fmt = (x: number | null | undefined, digits = 4): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-');

export function fmtMeanStd(m: MeanStd | undefined): string {
  if (!m || m.mean === null) return '-';
  return m.std !== null ? `${fmt(m.mean)} ± ${fmt(m.std)}` : fmt(m.mean);
}

const fmtPct = (x: number | null): string => (x === null ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`);
/** p-values as a reader can trust them: below what doubles resolve, a bound, never "0.0e+0". */
export const fmtP = (p: number | null): string => (p === null ? '-' : p < 1e-300 ? '< 1e-300' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));
const fmtSeconds = (s: number | null | undefined): string => (typeof s === 'number' ? (s < 0.1 ? s.toFixed(4) : s.toFixed(3)) : '-');

/** Significance marks of the delta tables. */
export const MARKS = { paired_t: '†', wilcoxon: '‡' } as const;

function distinct<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function headerBlocks(doc: ReviewDocument): Block[] {
  const { facts, content } = doc;
  const env = facts.environment;
  const trialFacts = Object.values(facts.trials);
  const engines = distinct(trialFacts.map((t) => t.engine ?? 'unknown'));
  const backends = distinct(trialFacts.map((t) => t.backend ?? 'unknown'));
  const str = (v: Json | undefined) => (v === undefined || v === null ? 'unknown' : String(v));
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `Review of ${doc.experiment}, v${doc.version}` },
    {
      kind: 'paragraph',
      text: `Written ${doc.created} by expc ${facts.reviewer.expc} (Node ${facts.reviewer.node}). Content hash ${doc.contentHash.slice(0, 16)} (configuration and results; a new version is written only when it changes).`,
    },
    { kind: 'heading', level: 2, text: 'Sources', id: 'sources' },
    ...(facts.source ? [{ kind: 'paragraph', text: `Written from ${facts.source} (relative to the project root).` } as Block] : []),
    { kind: 'table', header: ['file', 'sha256'], rows: facts.files.map((f) => [f.path, f.sha256]) },
    {
      kind: 'paragraph',
      text: facts.git ? `git commit ${facts.git.commit}${facts.git.dirty ? ' (work tree dirty: uncommitted changes)' : ' (work tree clean)'}` : 'not inside a git repository',
    },
    { kind: 'heading', level: 2, text: 'Environment', id: 'environment' },
    {
      kind: 'list',
      items: [
        `backend: ${backends.join(', ')}${env['backendPackage'] ? ` (${str(env['backendPackage'])} ${str(env['tfjsVersion'])})` : ''}`,
        `engine: ${engines.join(', ')}; ranker: ${str(env['ranker'])}`,
        `Node ${str(env['node'])}, tfjs-core ${str(env['tfjsCore'])}, expc ${str(env['expc'])} (the run); review written with expc ${facts.reviewer.expc}, Node ${facts.reviewer.node}`,
        `CPU: ${str(env['cpu'])} (${str(env['cores'])} cores)${env['memoryGiB'] ? `, ${str(env['memoryGiB'])} GiB` : ''}; GPU: ${env['gpu'] ? str(env['gpu']) : 'none'}; platform ${str(env['platform'])}`,
        `run records: ${facts.records.length ? facts.records.join(', ') : 'none found (results were found in the cache only)'}`,
        `analyses (k-means, projections, popularity groups): ${facts.analyses.computed} computed, ${facts.analyses.cached} from the cache; tables and analyses built in ${facts.analyses.seconds.toFixed(1)} s`,
      ],
    },
    { kind: 'heading', level: 2, text: 'Evaluation protocol', id: 'protocol' },
    {
      kind: 'list',
      items: [
        `Ranking: ${content.protocol.ranking}.`,
        `Masking: ${content.protocol.masking}.`,
        `Ties: ${content.protocol.ties}.`,
        `Averaging: ${content.protocol.averaging}.`,
        `Metrics, for a user with n relevant test items and h hits among the first K: ${content.protocol.metrics.map((m) => m.formula).join('; ')}.`,
        ...content.protocol.selection.map((s) => `Model selection on ${s.dataset}: ${s.text}.`),
        `Significance: ${content.protocol.significance}.`,
        `Seeds: split ${Object.entries(content.seeds.splits).map(([d, s]) => `${d} ${String(s)}`).join(', ')}; training ${distinct(Object.values(content.seeds.trials)).join(', ')}; analyses (k-means, projections) ${content.seeds.analyses}.`,
      ],
    },
  ];
  return blocks;
}

function cacheCell(facts: (TrialFacts | undefined)[]): string {
  const steps = facts.flatMap((f) => (f ? [f.train, f.evaluate] : []));
  const cached = steps.filter((s) => s === 'cached').length;
  const unknown = steps.filter((s) => s === 'unknown').length;
  return `${cached}/${steps.length}${unknown ? ` (${unknown} unrecorded)` : ''}`;
}

/**
 * What a reader should know before trusting a dataset's numbers: a kept epoch at the edge of the
 * evaluated range (the training was probably too short, or the best came first and later epochs
 * overfit), significance claimed from one training seed (the tests pair users, so they say
 * nothing about the spread over seeds), and cutoffs larger than the number of items.
 */
export function trustWarnings(doc: ReviewDocument, ds: DatasetSection): string[] {
  const out: string[] = [];
  const compared = new Set(ds.table.flatMap((r) => r.trials));
  const first: string[] = [];
  const last: string[] = [];
  for (const t of ds.trials) {
    if (!compared.has(t.id) && !t.sweeps.length) continue;
    const evaluated = t.curves.filter((c) => c.metric !== null).map((c) => c.epoch);
    if (!t.monitored || evaluated.length < 3 || ds.protocol === 'paper') continue;
    if (t.keptEpoch === evaluated[0]) first.push(t.id);
    else if (t.keptEpoch === evaluated[evaluated.length - 1] && !t.stoppedEarly) last.push(t.id);
  }
  const some = (ids: string[]) => (ids.length > 4 ? `${ids.slice(0, 4).join(', ')} and ${ids.length - 4} more` : ids.join(', '));
  if (last.length)
    out.push(`Kept the last evaluated epoch: ${some(last)}. The ${ds.trials[0]?.monitored ?? 'monitored metric'} was still improving when training ended, so these trials are probably under-trained; raise training.epochs.`);
  if (first.length)
    out.push(`Kept the first evaluated epoch: ${some(first)}. Every later evaluation was worse, which suggests over-training or a learning rate that is too high; evaluate earlier (eval_every) or lower optimizer.lr.`);
  const significant = ds.comparisons.some((c) => Object.values(c.metrics).some((m) => Object.values(m.tests).some((x) => x?.significant)));
  const oneSeed = ds.table.filter((r) => r.seeds.length === 1).map((r) => r.run);
  if (significant && oneSeed.length)
    out.push(
      `Significance from a single training seed (${some(oneSeed)}): the tests are across users, with the models fixed, so they do not show that the difference survives another initialisation. Add seeds: 3 to the runs to see the spread over trainings.`,
    );
  const K = Math.max(...doc.content.config.evaluate.cutoffs);
  if (K > ds.split.items) out.push(`The largest cutoff K = ${K} is more than the ${ds.split.items} items of ${ds.name}: @${K} metrics rank every item and say little.`);
  return out;
}

function datasetBlocks(doc: ReviewDocument, ds: DatasetSection): Block[] {
  const paper = ds.protocol === 'paper';
  const note = paper ? `${PAPER_PROTOCOL_NOTE}.` : undefined;
  const caption = (text: string) => (note ? `${note} ${text}` : text);
  const factsOf = (id: string) => doc.facts.trials[`${ds.name}/${id}`];
  const trialOf = (id: string) => ds.trials.find((t) => t.id === id)!;
  const cols = ds.columns;
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: `Dataset ${ds.name}`, id: `dataset-${ds.name}` },
    {
      kind: 'paragraph',
      text: `${ds.split.users} users, ${ds.split.items} items; ${ds.split.train} training, ${ds.split.valid} validation and ${ds.split.test} test interactions (${ds.split.testUsers} test users).`,
    },
    paper ? { kind: 'paragraph', emphasis: 'strong', text: `${PAPER_PROTOCOL_NOTE} (the OneBP reference code's reporting; each metric's value may come from a different epoch, selected on test).` } : { kind: 'paragraph', text: `Reported: ${ds.reported}.` },
  ];

  const warnings = trustWarnings(doc, ds);
  if (warnings.length) {
    blocks.push({ kind: 'heading', level: 3, text: 'Before trusting these numbers', id: `trust-${ds.name}` });
    blocks.push({ kind: 'list', items: warnings });
  }

  // Runs x metrics.
  blocks.push({ kind: 'heading', level: 3, text: 'Runs', id: `runs-${ds.name}` });
  const seeds = ds.table.some((r) => r.seeds.length > 1);
  blocks.push({
    kind: 'table',
    caption: caption(`Test metrics${seeds ? ' (mean ± sample std over seeds)' : ''}; kept epoch / epochs trained; seconds per epoch; steps found in the cache in the latest run.`),
    header: ['run', 'seeds', ...cols.map(shortColumn), 'kept epoch', 's/epoch', 'engine', 'cache hits'],
    numeric: [false, false, ...cols.map(() => true), false, true, false, false],
    rows: ds.table.map((r) => {
      const trials = r.trials.map(trialOf);
      const f = r.trials.map(factsOf);
      const secs = f.map((x) => x?.secondsPerEpoch).filter((x): x is number => typeof x === 'number');
      return [
        r.run === ds.baseline ? `${r.run} (baseline)` : r.run,
        r.seeds.join(', '),
        ...cols.map((c) => fmtMeanStd(r.metrics[c])),
        trials.map((t) => `${t.keptEpoch}/${t.epochs}`).join(', '),
        secs.length ? fmtSeconds(secs.reduce((a, b) => a + b, 0) / secs.length) : '-',
        distinct(f.map((x) => x?.engine ?? '-')).join(', '),
        cacheCell(f),
      ];
    }),
  });

  // Deltas and significance.
  if (ds.comparisons.length) {
    const { tests, correction, alpha } = doc.content.config.review.significance;
    const corpusCols = cols.filter(isCorpusColumn);
    const perUserCols = cols.filter((c) => !isCorpusColumn(c));
    blocks.push({ kind: 'heading', level: 3, text: `Δ vs baseline ${ds.baseline}`, id: `deltas-${ds.name}` });
    blocks.push({
      kind: 'table',
      caption: caption(`Relative difference to ${ds.baseline} in % of its value.`),
      header: ['run', 'paired users', ...cols.map(shortColumn)],
      numeric: [false, true, ...cols.map(() => true)],
      rows: ds.comparisons.map((c) => [
        c.run,
        String(c.users),
        ...cols.map((col) => {
          const m = c.metrics[col]!;
          const marks = tests.filter((t) => m.tests[t]?.significant).map((t) => MARKS[t]).join('');
          return `${fmtPct(m.deltaPct)}${marks ? ` ${marks}` : ''}${m.corpusLevel && tests.length ? ' (corpus-level)' : ''}`;
        }),
      ]),
    });
    if (tests.length) {
      const names = { paired_t: 'paired t-test', wilcoxon: 'Wilcoxon signed-rank test' };
      blocks.push({
        kind: 'paragraph',
        emphasis: 'note',
        text:
          `Marks: ${tests.map((t) => `${MARKS[t]} p < ${alpha} in the ${names[t]}`).join('; ')}` +
          `${correction === 'holm' ? `, after Holm-Bonferroni correction across the ${perUserCols.length} per-user metrics of the comparison` : ' (uncorrected)'}; ` +
          `two-sided, on per-user test values matched by user id and averaged over seeds${paper ? ' (under the paper protocol: the kept epoch\'s per-user values, while the table shows each metric\'s best epoch)' : ''}.` +
          (corpusCols.length ? ` ${corpusCols.map(shortColumn).join(', ')} ${corpusCols.length > 1 ? 'are' : 'is'} corpus-level (one value per trial over all users' lists, no per-user values): not tested.` : ''),
      });
      const rows: string[][] = [];
      for (const c of ds.comparisons)
        for (const col of cols) {
          const m = c.metrics[col]!;
          if (m.corpusLevel) rows.push([c.run, shortColumn(col), fmt(m.delta), fmtPct(m.deltaPct), ...tests.flatMap(() => ['corpus-level', '-', '-'])]);
          else rows.push([c.run, shortColumn(col), fmt(m.delta), fmtPct(m.deltaPct), ...tests.flatMap((t) => [fmt(m.tests[t]?.statistic ?? null, 3), fmtP(m.tests[t]?.pValue ?? null), fmtP(m.tests[t]?.pAdjusted ?? null)])]);
        }
      blocks.push({
        kind: 'table',
        caption: caption('Tests per metric: statistic, p-value and adjusted p-value.'),
        header: ['run', 'metric', 'Δ', 'Δ%', ...tests.flatMap((t) => (t === 'paired_t' ? ['t', 'p (t)', `p adj (t)`] : ['W', 'p (W)', 'p adj (W)']))],
        numeric: [false, false, true, true, ...tests.flatMap(() => [true, true, true])],
        rows,
      });
    }
  }

  // Every trial.
  blocks.push({ kind: 'heading', level: 3, text: 'All trials', id: `trials-${ds.name}` });
  const Kmax = Math.max(...doc.content.config.evaluate.cutoffs);
  const main = cols.find((c) => c === `ndcg@${Kmax}`) ?? cols[cols.length - 1]!;
  blocks.push({
    kind: 'table',
    caption: caption(`Every trial on ${ds.name}, sweep points included; ${paper ? `best epoch = the epoch of the best test ${shortColumn(main)}` : 'selection = how the kept epoch was chosen'}; train/evaluate = computed (ran) or found in the cache in the latest run.`),
    header: ['trial', ...cols.map(shortColumn), 'kept/epochs', paper ? `best epoch (${shortColumn(main)})` : 'selection', 's/epoch', 'engine', 'train', 'evaluate'],
    numeric: [false, ...cols.map(() => true), false, false, true, false, false, false],
    rows: ds.trials.map((t) => {
      const f = factsOf(t.id);
      return [
        t.id,
        ...cols.map((c) => fmt(t.metrics[c])),
        `${t.keptEpoch}/${t.epochs}${t.stoppedEarly ? ' (stopped early)' : ''}`,
        paper ? String(t.bestEpochs?.[main] ?? '-') : t.selection,
        fmtSeconds(f?.secondsPerEpoch),
        f?.engine ?? '-',
        f?.train ?? '-',
        f?.evaluate ?? '-',
      ];
    }),
  });

  // Sweeps.
  for (const s of ds.sweeps) {
    blocks.push({ kind: 'heading', level: 3, text: `Sweep ${s.name} (run ${s.run})`, id: `sweep-${ds.name}-${s.name}` });
    const paths = s.axes.map((a) => a.path);
    blocks.push({
      kind: 'table',
      caption: caption(`Points of sweep ${s.name}: ${sweepShape(s.axes)}.`),
      header: [...paths, ...cols.map(shortColumn), 'kept epoch'],
      numeric: [...paths.map(() => true), ...cols.map(() => true), false],
      rows: s.rows.map((r) => [...paths.map((p) => String(r.values[p] as Json)), ...cols.map((c) => fmtMeanStd(r.metrics[c])), r.keptEpochs.join(', ')]),
    });
  }

  const { figures, notes } = datasetFigures(doc, ds);

  // Curves in numbers (the plots are in the HTML page).
  const curveTrials = ds.table.flatMap((r) => r.trials).map(trialOf);
  if (curveTrials.length && doc.content.config.review.plots.some((p) => p.kind === 'curves')) {
    blocks.push({ kind: 'heading', level: 3, text: 'Training curves', id: `curves-${ds.name}` });
    blocks.push({
      kind: 'table',
      caption: caption('Loss at the first and last epoch, and the best monitored value with its epoch.'),
      header: ['trial', 'epochs', 'first loss', 'last loss', 'monitored', 'best', 'at epoch'],
      numeric: [false, true, true, true, false, true, true],
      rows: curveTrials.map((t) => {
        const evaluated = t.curves.filter((p) => p.metric !== null);
        const best = evaluated.reduce<(typeof evaluated)[number] | null>((b, p) => (b === null || p.metric! > b.metric! ? p : b), null);
        return [t.id, String(t.epochs), fmt(t.curves[0]?.loss), fmt(t.curves[t.curves.length - 1]?.loss), t.monitored ?? '-', fmt(best?.metric), best ? String(best.epoch) : '-'];
      }),
    });
  }
  for (const f of figures.filter((x) => x.kind === 'curves' || x.kind === 'sweep')) blocks.push({ kind: 'figure', figure: f });

  // Popularity groups.
  const pg = ds.popularityGroups;
  if (pg) {
    blocks.push({ kind: 'heading', level: 3, text: `Recall@${pg.k} by popularity group (SSM eq. 29)`, id: `popularity-${ds.name}` });
    const gap = Math.max(0, ...pg.runs.map((r) => Math.abs(r.sum - r.total)));
    const agreement = gap <= 1e-9 ? `they agree (largest difference ${gap.toExponential(1)})` : `THEY DIFFER by up to ${gap.toExponential(2)}, which points to a bug`;
    const groupNote = paper ? 'Analyses use the kept epoch\'s rankings (not the per-metric best epochs of the paper protocol). ' : '';
    blocks.push({
      kind: 'table',
      caption: caption(
        `${groupNote}Items in ${pg.groups} groups of equal training-interaction mass (group 0 least popular); each cell is the group's part of Recall@${pg.k}, averaged over seeds. The row "sum" adds the groups; "Recall@${pg.k}" is computed directly: ${agreement}.`,
      ),
      header: ['group', 'items', 'interactions', ...pg.runs.map((r) => r.run)],
      numeric: [true, true, true, ...pg.runs.map(() => true)],
      rows: [
        ...Array.from({ length: pg.groups }, (_, g) => [String(g), String(pg.sizes.items[g]), String(pg.sizes.interactions[g]), ...pg.runs.map((r) => fmt(r.perGroup[g]))]),
        ['sum', String(pg.sizes.items.reduce((a, b) => a + b, 0)), String(pg.sizes.interactions.reduce((a, b) => a + b, 0)), ...pg.runs.map((r) => fmt(r.sum))],
        [`Recall@${pg.k}`, '', '', ...pg.runs.map((r) => fmt(r.total))],
      ],
    });
  }
  for (const f of figures.filter((x) => x.kind === 'popularity_groups')) blocks.push({ kind: 'figure', figure: f });

  // Item latent types.
  const ic = ds.itemClusters;
  if (ic) {
    blocks.push({ kind: 'heading', level: 3, text: `Item latent types (OneBP 5.5): k-means, k = ${ic.k}`, id: `types-${ds.name}` });
    blocks.push({
      kind: 'paragraph',
      text: `Latent types are k-means clusters (k-means++, seed ${ic.seed}) of each compared run's kept item embeddings; the runs' types are not aligned with each other. ${paper ? 'Analyses use the kept epoch\'s embeddings and rankings (not the per-metric best epochs of the paper protocol). ' : ''}Selected user: ${ic.user.id}${ic.user.label !== null ? ` (id ${ic.user.label} in the data)` : ''}, ${ic.user.why}.${ic.projectionSample ? ` Projection: ${ic.projectionSample.rule}; the types and tables use every item.` : ''}`,
    });
    const Kmax2 = ic.cutoffs[ic.cutoffs.length - 1]!;
    blocks.push({
      kind: 'table',
      caption: caption(`Per latent type, pooled over test users at K = ${Kmax2}: items of the type, precision (hits / list slots of the type), recall (hits / test items of the type), share of list slots.`),
      header: ['run', 'type', 'items', `P@${Kmax2}`, `R@${Kmax2}`, 'list share'],
      numeric: [false, true, true, true, true, true],
      rows: ic.runs.flatMap((r) => r.atK.find((a) => a.K === Kmax2)!.perType.map((t) => [r.run, String(t.type), String(t.items), fmt(t.precision), fmt(t.recall), fmt(t.listShare)])),
    });
    blocks.push({
      kind: 'table',
      caption: caption("Majority/minority types per K (OneBP Fig. 8): a user's majority type holds most of their training items; shares of list slots, precision and recall within majority and minority slots, and how evenly minority slots spread over the other types (1 = even)."),
      header: ['run', 'K', 'majority share', 'minority share', 'majority P', 'minority P', 'majority R', 'minority R', 'minority evenness', 'training majority share'],
      numeric: [false, true, true, true, true, true, true, true, true, true],
      rows: ic.runs.flatMap((r) =>
        r.atK.map((a) => [r.run, String(a.K), fmt(a.majorityShare), fmt(a.minorityShare), fmt(a.majorityPrecision), fmt(a.minorityPrecision), fmt(a.majorityRecall), fmt(a.minorityRecall), fmt(a.minorityEvenness), fmt(a.trainingMajorityShare)]),
      ),
    });
    blocks.push({
      kind: 'table',
      caption: caption(`The selected user's top-${Kmax2} list by latent type (OneBP Fig. 7): training and test items, recommended items, hits, precision and recall within the type.`),
      header: ['run', 'type', 'training', 'test', 'recommended', 'hits', 'P', 'R', 'list share'],
      numeric: [false, true, true, true, true, true, true, true, true],
      rows: ic.runs.flatMap((r) =>
        r.user.perType.map((t) => [
          `${r.run}${t.type === r.user.majorityType ? ' (majority type)' : ''}`,
          String(t.type),
          String(t.training),
          String(t.relevant),
          String(t.recommended),
          String(t.hits),
          fmt(t.precision),
          fmt(t.recall),
          fmt(t.listShare),
        ]),
      ),
    });
  }
  for (const f of figures.filter((x) => x.kind === 'item_clusters')) blocks.push({ kind: 'figure', figure: f });
  for (const n of notes) blocks.push({ kind: 'paragraph', emphasis: 'note', text: `Not plotted: ${n}.` });
  return blocks;
}

/** The whole review, header first, then one section per dataset. */
export function reviewBlocks(doc: ReviewDocument): Block[] {
  return [...headerBlocks(doc), ...doc.content.datasets.flatMap((ds) => datasetBlocks(doc, ds))];
}
