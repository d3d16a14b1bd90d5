import { paramsOf, type TrainParams } from '../../contract/steps.js';
import { bindModel } from '../../components/catalogue.js';
import type { ModelDescription, TrainingModel } from '../../contract/training.js';
import { UserError } from '../../core/errors.js';
import type { Json } from '../../core/json.js';
import { jsonFile, npyFile } from '../cache/artifact-store.js';
import { UserItems } from '../../core/user-items.js';
import type { EpochSchedule, Tables, TrainingProblem } from '../engine/engine.js';
import { checkRankingFits, checkTrainingFits } from '../resources/memory-estimate.js';
import { catalogueOf, computeMetrics } from '../evaluation/metrics.js';
import type { Step } from '../executor/step.js';
import { type Curves, decodeAdjacency, decodeSplit, encodeModel } from './artifact-codecs.js';
import { CacheFsError } from '../cache/cache-fs-error.js';
import { divergenceHint } from '../training/divergence-hint.js';
import { checkpointPath, readCheckpoint, removeCheckpoint, writeCheckpoint, type TrainingCheckpoint } from './checkpoint.js';

const copyTables = (t: Tables): Tables => ({ user: t.user.slice(), item: t.item.slice(), dim: t.dim });

/**
 * Trains one trial. Every `eval_every` epochs (and after the last) it ranks the monitored split
 * (validation, or test under the paper protocol), records the curves, keeps the tables of the
 * best epoch by early_stop's metric, and stops after `patience` evaluations without improvement.
 * Progress is checkpointed, so an interrupted run resumes where it stopped.
 */
export const trainStep: Step = {
  async run({ node, key, inputs, services, store, emit, forced }) {
    const p = paramsOf({ kind: 'train', params: node.params });
    const split = decodeSplit(inputs.get(node.inputs[0]!)!);
    const model = bindModel(p);
    const t = p.training;
    const pairs = split.train.pairs();
    const adjacency = node.inputs[1] ? decodeAdjacency(inputs.get(node.inputs[1])!) : undefined;
    const problem: TrainingProblem = { numUsers: split.numUsers, numItems: split.numItems, pairUsers: pairs.users, pairItems: pairs.items, positives: split.train, ...(adjacency ? { adjacency } : {}) };
    checkProblem(problem, p, model);
    const description: ModelDescription = { encoder: model.names.encoder, scorer: model.loss.similarity, embeddingsAreParameters: model.encoder.embeddingsAreParameters };

    const schedule: EpochSchedule = { batch: t.batch, shuffle: t.shuffle, dropLast: t.drop_last, seed: t.seed };
    const { engine, reason } = await services.engineFor(model);
    const backend = await services.backend();
    // Refuse what cannot fit before any table is allocated, naming the parameter to change.
    checkTrainingFits(
      {
        numUsers: problem.numUsers,
        numItems: problem.numItems,
        numPairs: pairs.users.length,
        nnz: split.train.nnz,
        dim: model.encoder.dim,
        negatives: model.sampler.layout === 'per_positive' ? model.sampler.width(1) : model.sampler.width(t.batch),
        batch: t.batch,
        threads: services.options.threads,
        excludePositives: p.sampler.params['exclude_positives'] === true,
        adam: model.optimizer.slots.length > 0,
        targets: model.backprop.targets,
      },
      // the webgpu engine keeps host copies like tfjs; its device memory is checked by the adapter's limits
      engine.name === 'webgpu' ? 'tfjs' : engine.name,
    );
    if (p.monitor.split !== null && !backend.gpu)
      checkRankingFits(split.numUsers, split.numItems, split.train.nnz + (split.valid?.nnz ?? 0), model.encoder.dim, Math.max(1, ...p.monitor.cutoffs), services.options.threads);
    const ckptPath = checkpointPath(store.root, key);
    const warn = (message: string) => emit({ type: 'log', level: 'warn', message, id: node.id });
    const dim = model.encoder.dim;
    // --force recomputes from scratch: an interrupted run's checkpoint is not used either.
    if (forced) removeCheckpoint(ckptPath);
    let resumed: TrainingCheckpoint | undefined =
      services.options.checkpointSeconds > 0 && !forced ? readCheckpoint(ckptPath, warn, { numUsers: split.numUsers, numItems: split.numItems, dim, epochs: t.epochs }) : undefined;
    const fresh = () => model.encoder.init(split.numUsers, split.numItems, t.seed);
    let trainer = await engine.createTrainer(problem, model, schedule, resumed?.state.tables ?? fresh(), { threads: services.options.threads });
    try {
      if (resumed) {
        try {
          await trainer.loadState(resumed.state);
          emit({ type: 'log', level: 'info', message: `resuming from the checkpoint after epoch ${resumed.nextEpoch}`, id: node.id });
        } catch (e) {
          // Valid, but from another engine's state layout: start over (same result, only slower).
          warn(`ignoring checkpoint ${ckptPath} (${(e as Error).message}); training this trial from the start`);
          removeCheckpoint(ckptPath);
          resumed = undefined;
          await trainer.dispose();
          trainer = await engine.createTrainer(problem, model, schedule, fresh(), { threads: services.options.threads });
        }
      }

      // What is monitored: relevant items, the users that have some, and what is masked.
      const m = p.monitor;
      const relevant = m.split === 'valid' ? split.valid : m.split === 'test' ? split.test : null;
      const exclude: UserItems[] = m.split === 'test' && split.valid ? [split.train, split.valid] : [split.train];
      const evalUsers = relevant ? relevant.activeUsers() : new Int32Array(0);
      const selection = t.early_stop ? `${t.early_stop.metric}@${t.early_stop.k}` : null;
      const k = Math.max(1, ...m.cutoffs);
      const ranker = relevant ? await services.ranker() : null;
      const catalogue = catalogueOf(split.train);

      const curves: Curves = resumed?.curves ?? { epochs: [], monitored: m.split };
      let best = resumed?.best ?? null;
      let evalsSinceBest = resumed?.evalsSinceBest ?? 0;
      let stoppedEarly = false;
      let lastCheckpoint = performance.now();
      let checkpoints = true;
      const started = performance.now();
      let lastYield = performance.now();
      for (let epoch = resumed?.nextEpoch ?? 0; epoch < t.epochs; epoch++) {
        // Tiny epochs can complete on microtasks alone; give the event loop a turn every 50 ms so
        // that signals (Ctrl-C), progress output and lock heartbeats are served.
        if (performance.now() - lastYield > 50) {
          await new Promise((r) => setImmediate(r));
          lastYield = performance.now();
        }
        const t0 = performance.now();
        const r = await trainer.trainEpoch(epoch);
        const seconds = (performance.now() - t0) / 1000;
        if (!Number.isFinite(r.loss))
          throw new UserError(`training diverged at epoch ${epoch + 1}: the loss is ${r.loss}`, { hint: divergenceHint(p) });
        const entry: Curves['epochs'][number] = { epoch: epoch + 1, loss: r.loss, seconds };
        const isLast = epoch === t.epochs - 1;
        let metricEvent: { name: string; value: number; best: number; bestEpoch: number } | undefined;
        if (relevant && ranker && ((epoch + 1) % t.eval_every === 0 || isLast)) {
          const tables = await trainer.embeddings();
          const topK = await ranker.topK({ tables, users: evalUsers, exclude, k, similarity: description.scorer });
          const metrics = computeMetrics(topK, k, evalUsers, relevant, m.metrics, m.cutoffs, catalogue);
          entry.metrics = metrics.mean;
          if (selection) {
            const value = metrics.mean[selection]!;
            if (best === null || value > best.value) {
              best = { epoch: epoch + 1, value, tables: copyTables(tables), params: description.embeddingsAreParameters ? null : await trainer.parameters() };
              evalsSinceBest = 0;
            } else evalsSinceBest++;
            metricEvent = { name: `${m.split} ${selection}`, value, best: best.value, bestEpoch: best.epoch };
            if (t.patience !== null && evalsSinceBest >= t.patience) stoppedEarly = true;
          }
        }
        curves.epochs.push(entry);
        emit({ type: 'epoch', id: node.id, epoch: epoch + 1, epochs: t.epochs, loss: r.loss, seconds, metric: metricEvent });
        if (stoppedEarly) break;
        const every = services.options.checkpointSeconds * 1000;
        if (checkpoints && every > 0 && performance.now() - lastCheckpoint > every && !isLast) {
          try {
            writeCheckpoint(ckptPath, { nextEpoch: epoch + 1, state: await trainer.saveState(), curves, best, evalsSinceBest });
          } catch (e) {
            // A checkpoint only saves time: a full disk stops checkpointing, not training.
            if (!(e instanceof CacheFsError)) throw e;
            warn(`${e.message}; training goes on without checkpoints`);
            checkpoints = false;
          }
          lastCheckpoint = performance.now();
        }
      }
      const kept = best && selection ? { embeddings: best.tables, parameters: best.params } : { embeddings: await trainer.embeddings(), parameters: description.embeddingsAreParameters ? null : await trainer.parameters() };
      const epochSeconds = curves.epochs.map((e) => e.seconds);
      const meta = {
        epochs: curves.epochs.length,
        plannedEpochs: t.epochs,
        stoppedEarly,
        selection: selection ? `${selection} on ${m.split}` : 'last epoch',
        keptEpoch: best && selection ? best.epoch : curves.epochs.length,
        keptValue: best && selection ? best.value : null,
        finalLoss: curves.epochs[curves.epochs.length - 1]?.loss ?? null,
        meanEpochSeconds: epochSeconds.length ? epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length : 0,
        trainSeconds: (performance.now() - started) / 1000,
        engine: engine.name,
        engineReason: reason,
        engineDetails: trainer.details,
        backend: backend.name,
        seed: t.seed,
        similarity: description.scorer,
        resumed: resumed ? resumed.nextEpoch : null,
      } satisfies Record<string, Json>;
      removeCheckpoint(ckptPath);
      // the sampler's state at the end of training (not at the kept epoch), for inspection
      const samplerFiles = Object.fromEntries(Object.entries(model.sampler.exportArrays?.() ?? {}).map(([name, a]) => [`sampler_${name}.npy`, npyFile(a.data, a.shape)]));
      return { files: { ...encodeModel(description, kept.embeddings, kept.parameters), ...samplerFiles, 'curves.json': jsonFile(curves) }, meta };
    } finally {
      await trainer.dispose();
    }
  },
  summarize: ({ meta }) =>
    `${meta['epochs']} epochs on ${meta['engine']} (${Number(meta['meanEpochSeconds']).toFixed(3)} s/epoch)` +
    (meta['keptValue'] !== null ? `, kept epoch ${meta['keptEpoch']}: ${meta['selection']} ${Number(meta['keptValue']).toFixed(4)}` : ''),
};

/** Problems that would make training impossible, said in the user's terms. */
function checkProblem(problem: TrainingProblem, p: TrainParams, model: TrainingModel): void {
  const n = problem.pairUsers.length;
  if (n === 0) throw new UserError('the training split has no interactions', { hint: 'check the dataset\'s files and its split (test/valid shares, min_rating)' });
  if (p.training.drop_last && n < p.training.batch)
    throw new UserError(`drop_last with batch ${p.training.batch} leaves no batch: the training split has only ${n} pairs`, { hint: 'lower training.batch or set drop_last: false' });
  const negatives = model.sampler.layout === 'per_positive' ? model.sampler.width(1) : 0;
  if (negatives >= problem.numItems)
    throw new UserError(`sampler.negatives is ${negatives}, but the dataset has only ${problem.numItems} items`, { hint: `use at most ${problem.numItems - 1} negatives` });
  const reason = model.sampler.check(problem);
  if (reason) throw new UserError(reason, { hint: p.sampler.params['exclude_positives'] ? 'set sampler.exclude_positives: false, or filter such users from the data' : 'choose another sampler for this data' });
}
