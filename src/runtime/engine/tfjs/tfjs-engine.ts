import type * as TF from '@tensorflow/tfjs-core';
import { InternalError } from '../../../core/errors.js';
import type { Json } from '../../../core/json.js';
import { gatheredCandidates, type Batch, type CandidateMeasure, type EmbeddingReader, type PreparedEncoder, type SlotsTf, type TrainingModel, type TrainPass } from '../../../contract/training.js';
import { ensureGradients } from '../../backend/register-gradients.js';
import { activate, type Backend } from '../../backend/select-backend.js';
import { aggregationPlan, movingAggregationTf } from '../../../components/backprop/moving-aggregation.js';
import { COSINE_NORM_FLOOR, rowScoresTf } from '../../../components/losses/similarity.js';
import { allocBatch, batchCount, epochOrder, fillBatch } from '../../training/epoch.js';
import { loadSamplerState } from '../sampler-state.js';
import type { EpochResult, EpochSchedule, Support, Tables, Trainer, TrainerOptions, TrainerState, TrainingEngine, TrainingProblem } from '../engine.js';

type Tf = typeof TF;
type Which = 'user' | 'item';

/**
 * The generic engine: the loss is a tfjs forward pass (encoder, gathered rows, scores, loss,
 * penalty) and its gradients come from tf.variableGrads, so a new loss or encoder only needs a
 * forward pass. The optimiser and the moving aggregation are tf ops from the components' files
 * (tf.train.* has other semantics). It implements exactly the reference step
 * (engine/reference/reference-step.ts) in float32.
 */
export function createTfjsEngine(backend: Backend): TrainingEngine {
  return {
    name: 'tfjs',
    // every component of the catalogue has a tfjs forward (the contract requires one)
    supports: (): Support => ({ ok: true }),
    async createTrainer(problem, model, schedule, init, options): Promise<Trainer> {
      const encoder = model.encoder.prepare(problem);
      await activate(backend);
      await ensureGradients(backend.tf);
      return new TfjsTrainer(backend, problem, model, encoder, schedule, init, options);
    },
  };
}

/** Rows of a [N, d] tensor divided by their norms floored at 1e-12 (cosine scores). */
function unitRows(tf: Tf, x: TF.Tensor2D): TF.Tensor2D {
  return tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), COSINE_NORM_FLOOR));
}

/**
 * The score matrix of a batch [B, 1 + width] from the embeddings: column 0 the positive, then the
 * candidates (per positive: each row's own; shared: one list for all rows), logQ terms added.
 */
export function batchScoresTf(tf: Tf, user: TF.Tensor2D, item: TF.Tensor2D, batch: Batch, similarity: 'dot' | 'cosine'): TF.Tensor2D {
  const B = batch.size;
  const w = batch.width;
  const c = w + 1;
  if (B < 1) throw new InternalError('tfjs engine: empty batch');
  let S: TF.Tensor2D;
  if (batch.layout === 'per_positive') {
    if (batch.neg.length < B * w) throw new InternalError(`tfjs engine: ${batch.neg.length} negatives for ${B} samples x ${w}`);
    // Sample b's candidates c_b0 = pos, c_bk = neg[b w + k - 1], each paired with its user's row.
    const cand = new Int32Array(B * c);
    const rep = new Int32Array(B * c);
    for (let b = 0; b < B; b++) {
      cand[b * c] = batch.pos[b]!;
      cand.set(batch.neg.subarray(b * w, b * w + w), b * c + 1);
      rep.fill(batch.users[b]!, b * c, b * c + c);
    }
    const u = tf.gather(user, tf.tensor1d(rep, 'int32')) as TF.Tensor2D;
    const v = tf.gather(item, tf.tensor1d(cand, 'int32')) as TF.Tensor2D;
    S = tf.reshape(rowScoresTf(tf, u, v, similarity), [B, c]);
  } else {
    let u = tf.gather(user, tf.tensor1d(batch.users.subarray(0, B), 'int32')) as TF.Tensor2D;
    let vp = tf.gather(item, tf.tensor1d(batch.pos.subarray(0, B), 'int32')) as TF.Tensor2D;
    // bank columns are constant tensors (no variable behind them, so autograd gives them no gradient)
    const banked = batch.bank?.count ?? 0;
    let vc = tf.gather(item, tf.tensor1d(batch.neg.subarray(0, w - banked), 'int32')) as TF.Tensor2D;
    if (banked > 0) {
      const d = item.shape[1];
      vc = tf.concat([vc, tf.tensor2d(Float32Array.from(batch.bank!.vectors.subarray(0, banked * d)), [banked, d])], 0) as TF.Tensor2D;
    }
    if (similarity === 'cosine') {
      u = unitRows(tf, u);
      vp = unitRows(tf, vp);
      vc = unitRows(tf, vc);
    }
    const pos = tf.reshape(tf.sum(tf.mul(u, vp), 1), [B, 1]);
    S = tf.concat([pos, tf.matMul(u, tf.transpose(vc))], 1) as TF.Tensor2D;
  }
  if (batch.logq) S = tf.add(S, tf.tensor2d(Float32Array.from(batch.logq.subarray(0, B * c)), [B, c], 'float32'));
  return S;
}

/**
 * The batch loss as a tfjs forward pass from the parameter tables: encoder, scores, loss, and
 * the regulariser's penalty on the gathered layer-0 rows of the tables the optimiser owns.
 * Everything the engine differentiates goes through here. Call inside tf.tidy (or tf.grads).
 */
export function batchLossTf(tf: Tf, userP: TF.Tensor, itemP: TF.Tensor, batch: Batch, model: TrainingModel, encoder: PreparedEncoder, weights?: Record<string, TF.Tensor2D>, pass?: TrainPass): TF.Scalar {
  const B = batch.size;
  const c = batch.width + 1;
  const E = encoder.embedTf(tf, userP as TF.Tensor2D, itemP as TF.Tensor2D, weights, pass);
  const S = batchScoresTf(tf, E.user, E.item, batch, model.loss.similarity);
  const mask = batch.mask ? tf.tensor2d(Float32Array.from(batch.mask.subarray(0, B * c)), [B, c]) : null;
  let loss = model.loss.tf(tf, S, mask);
  const reg = model.regularizer;
  if (reg && reg.weight > 0) {
    const sq = (t: TF.Tensor, ids: Int32Array): TF.Scalar => tf.sum(tf.square(tf.gather(t, tf.tensor1d(ids, 'int32'))));
    const terms: TF.Scalar[] = [];
    if (model.backprop.targets.user) terms.push(sq(userP, batch.users.subarray(0, B)));
    if (model.backprop.targets.item) {
      terms.push(sq(itemP, batch.pos.subarray(0, B)));
      terms.push(sq(itemP, batch.neg.subarray(0, gatheredCandidates(batch))));
    }
    if (terms.length) loss = tf.add(loss, tf.mul(tf.addN(terms), reg.weight / 2 / B));
  }
  return loss;
}

/**
 * The batch loss and tfjs autograd's gradients for both whole parameter tables and the encoder's
 * weights (for checks against the reference).
 */
export async function tfjsGradients(
  backend: Backend,
  tables: Tables,
  batch: Batch,
  model: TrainingModel,
  encoder: PreparedEncoder,
  pass?: TrainPass,
): Promise<{ loss: number; gUser: Float32Array; gItem: Float32Array; gWeights: Record<string, Float32Array> }> {
  await activate(backend);
  await ensureGradients(backend.tf);
  const tf = backend.tf;
  const d = tables.dim;
  const shapes = Object.entries(model.encoder.weights ?? {});
  const [loss, ...grads] = tf.tidy(() => {
    const U = tf.tensor2d(tables.user, [tables.user.length / d, d]);
    const V = tf.tensor2d(tables.item, [tables.item.length / d, d]);
    const W = shapes.map(([name, shape]) => tf.tensor2d(tables.weights![name]!, [shape[0], shape[1]]));
    const f = (...xs: TF.Tensor[]) =>
      batchLossTf(tf, xs[0]!, xs[1]!, batch, model, encoder, Object.fromEntries(shapes.map(([name], k) => [name, xs[2 + k] as TF.Tensor2D])), pass);
    const { value, grads } = tf.valueAndGrads(f)([U, V, ...W]);
    return [value, ...grads];
  });
  const read = async (t: TF.Tensor) => Float32Array.from(await t.data());
  const gWeights: Record<string, Float32Array> = {};
  for (let k = 0; k < shapes.length; k++) gWeights[shapes[k]![0]] = await read(grads[2 + k]!);
  const out = { loss: (await loss!.data())[0]!, gUser: await read(grads[0]!), gItem: await read(grads[1]!), gWeights };
  tf.dispose([loss!, ...grads]);
  return out;
}

/** Distinct values of a[0..count) using a stamp array (no allocation per batch beyond the result). */
class RowSet {
  private readonly stamp: Int32Array;
  private epoch = 0;
  constructor(size: number) {
    this.stamp = new Int32Array(size);
  }
  distinct(parts: [Int32Array, number][]): Int32Array {
    this.epoch++;
    const out: number[] = [];
    for (const [a, count] of parts)
      for (let i = 0; i < count; i++) {
        const r = a[i]!;
        if (this.stamp[r] !== this.epoch) {
          this.stamp[r] = this.epoch;
          out.push(r);
        }
      }
    return Int32Array.from(out);
  }
}

class TfjsTrainer implements Trainer {
  readonly engine = 'tfjs' as const;
  readonly details: Record<string, Json>;
  private readonly tf: Tf;
  private readonly dim: number;
  private readonly targets: { user: boolean; item: boolean };
  private readonly vars: Record<Which, TF.Variable>;
  private slots: Record<Which, SlotsTf | null> = { user: null, item: null };
  /** The encoder's dense weights (ngcf) and their optimiser slots; trained whenever a table is. */
  private readonly weights: Record<string, TF.Variable>;
  private weightSlots: Record<string, SlotsTf> = {};
  private readonly weightsOwned: boolean;
  private step = 0;
  /** The schedule's lr factor of the epoch being trained (trainBatch uses the last epoch's). */
  private lrFactor = 1;
  private readonly buf: Batch;
  private readonly rowSets: Record<Which, RowSet>;

  constructor(
    private readonly backend: Backend,
    private readonly problem: TrainingProblem,
    private readonly model: TrainingModel,
    private readonly encoder: PreparedEncoder,
    private readonly schedule: EpochSchedule,
    init: Tables,
    options: TrainerOptions,
  ) {
    const tf = backend.tf;
    this.tf = tf;
    this.dim = init.dim;
    this.targets = model.backprop.targets;
    if (init.user.length !== problem.numUsers * init.dim || init.item.length !== problem.numItems * init.dim)
      throw new InternalError(`tfjs engine: initial tables of ${init.user.length} / ${init.item.length} values do not match ${problem.numUsers} users / ${problem.numItems} items x dim ${init.dim}`);
    // tidy disposes the initial tensors; variables survive it. Copies: tfjs-cpu keeps the array it
    // is given as the tensor's storage, and the moving aggregation would then write into the caller's init.
    this.vars = tf.tidy(() => ({
      user: tf.variable(tf.tensor2d(init.user.slice(), [problem.numUsers, init.dim]), this.targets.user),
      item: tf.variable(tf.tensor2d(init.item.slice(), [problem.numItems, init.dim]), this.targets.item),
    }));
    this.weightsOwned = this.targets.user || this.targets.item;
    const shapes = model.encoder.weights ?? {};
    this.weights = tf.tidy(() =>
      Object.fromEntries(
        Object.entries(shapes).map(([name, [r, c]]) => {
          const w = init.weights?.[name];
          if (!w || w.length !== r * c) throw new InternalError(`tfjs engine: the initial weight '${name}' is missing or not ${r} x ${c}`);
          return [name, tf.variable(tf.tensor2d(w, [r, c]), this.weightsOwned)];
        }),
      ),
    );
    this.createSlots();
    model.sampler.prepare(problem);
    this.buf = allocBatch(schedule.batch, model.sampler);
    this.rowSets = { user: new RowSet(problem.numUsers), item: new RowSet(problem.numItems) };
    this.details = {
      backend: backend.name,
      autograd: 'tf.variableGrads',
      optimizer: model.names.optimizer === 'adam' ? `adam (torch semantics, ${model.optimizer.lazy ? 'lazy: touched rows only' : 'dense: every row every step'})` : model.names.optimizer,
      threads: backend.name === 'wasm' ? 1 : options.threads,
    };
  }

  /** Optimiser slots for every table the optimiser owns (zeros). */
  private createSlots(): void {
    const tf = this.tf;
    for (const s of Object.values(this.weightSlots)) for (const v of Object.values(s)) v.dispose();
    this.weightSlots = {};
    if (this.weightsOwned && this.model.optimizer.slots.length)
      for (const [name, w] of Object.entries(this.weights))
        this.weightSlots[name] = tf.tidy(() => Object.fromEntries(this.model.optimizer.slots.map((n) => [n, tf.variable(tf.zeros(w.shape), false)])));
    for (const w of ['user', 'item'] as const) {
      for (const v of Object.values(this.slots[w] ?? {})) v.dispose();
      this.slots[w] = null;
      if (this.targets[w] && this.model.optimizer.slots.length) {
        const shape = this.vars[w].shape as [number, number];
        this.slots[w] = tf.tidy(() => Object.fromEntries(this.model.optimizer.slots.map((n) => [n, tf.variable(tf.zeros(shape), false)])));
      }
    }
  }

  /** Scores of candidates under the current model, for model-aware samplers (read back synchronously). */
  private scorer() {
    if (!this.model.sampler.modelAware) return null;
    return (users: Int32Array, items: Int32Array, rows: number, perRow: number, measure: CandidateMeasure = 'similarity'): Float64Array => {
      const tf = this.tf;
      const t = tf.tidy(() => {
        const E = this.encoder.embedTf(tf, this.vars.user as TF.Tensor2D, this.vars.item as TF.Tensor2D, this.weights as Record<string, TF.Tensor2D>);
        const rep = new Int32Array(rows * perRow);
        for (let r = 0; r < rows; r++) rep.fill(users[r]!, r * perRow, r * perRow + perRow);
        const u = tf.gather(E.user, tf.tensor1d(rep, 'int32')) as TF.Tensor2D;
        const v = tf.gather(E.item, tf.tensor1d(items.subarray(0, rows * perRow), 'int32')) as TF.Tensor2D;
        if (measure === 'euclidean') {
          const diff = tf.sub(u, v);
          return tf.neg(tf.sum(tf.mul(diff, diff), 1));
        }
        return rowScoresTf(tf, u, v, this.model.loss.similarity);
      });
      const out = Float64Array.from(t.dataSync());
      t.dispose();
      return out;
    };
  }

  /** Embedding rows under the current model, for samplers that read embeddings (read back synchronously). */
  private embedder(): EmbeddingReader | null {
    if (!this.model.sampler.readsEmbeddings) return null;
    return (which, ids, count) => {
      const tf = this.tf;
      const t = tf.tidy(() => {
        const E = this.encoder.embedTf(tf, this.vars.user as TF.Tensor2D, this.vars.item as TF.Tensor2D, this.weights as Record<string, TF.Tensor2D>);
        return tf.gather(E[which], tf.tensor1d(ids.subarray(0, count), 'int32'));
      });
      const out = Float64Array.from(t.dataSync());
      t.dispose();
      return out;
    };
  }

  /** One step; returns the batch loss as a scalar the caller disposes. */
  private stepTensor(batch: Batch): TF.Scalar {
    const tf = this.tf;
    const B = batch.size;
    const t = ++this.step;
    const opt = this.model.optimizer;
    return tf.tidy(() => {
      const pass: TrainPass = { seed: this.schedule.seed, step: t };
      const lossFn = (): TF.Scalar => batchLossTf(tf, this.vars.user, this.vars.item, batch, this.model, this.encoder, this.weights as Record<string, TF.Tensor2D>, pass);
      const owned = (['user', 'item'] as const).filter((w) => this.targets[w]);
      const ownedWeights = this.weightsOwned ? Object.entries(this.weights) : [];
      const { value, grads } = tf.variableGrads(lossFn, [...owned.map((w) => this.vars[w]), ...ownedWeights.map(([, v]) => v)]);
      for (const [name, v] of ownedWeights) {
        const grad = grads[v.name];
        if (!grad) throw new InternalError(`tfjs engine: no gradient for the encoder weight '${name}'`);
        opt.tf(tf, v, grad, this.weightSlots[name] ?? {}, t, null, this.lrFactor);
      }
      for (const w of owned) {
        const grad = grads[this.vars[w].name];
        if (!grad) throw new InternalError(`tfjs engine: no gradient for the ${w} table`);
        const nCand = gatheredCandidates(batch);
        const rows = opt.lazy
          ? tf.tensor1d(w === 'user' ? this.rowSets.user.distinct([[batch.users, B]]) : this.rowSets.item.distinct([[batch.pos, B], [batch.neg, nCand]]), 'int32')
          : null;
        opt.tf(tf, this.vars[w], grad, this.slots[w] ?? {}, t, rows, this.lrFactor);
      }
      const agg = this.model.backprop.aggregate;
      if (agg?.target === 'user') movingAggregationTf(tf, this.vars.user, this.vars.item, aggregationPlan(batch.users, batch.pos, B, agg));
      if (agg?.target === 'item') movingAggregationTf(tf, this.vars.item, this.vars.user, aggregationPlan(batch.pos, batch.users, B, agg));
      return value;
    });
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    await activate(this.backend);
    this.lrFactor = this.model.schedule?.lrFactor(epoch) ?? 1;
    const tf = this.tf;
    const numPairs = this.problem.pairUsers.length;
    const order = epochOrder(numPairs, this.schedule.seed, epoch, this.schedule.shuffle);
    const batches = batchCount(numPairs, this.schedule.batch, this.schedule.dropLast);
    // Losses are summed on the device and read once: no synchronisation per batch.
    let total: TF.Scalar | null = null;
    let samples = 0;
    const scorer = this.scorer();
    const embedder = this.embedder();
    for (let b = 0; b < batches; b++) {
      fillBatch(this.problem, this.schedule, this.model.sampler, order, epoch, b, this.buf, scorer, embedder);
      samples += this.buf.size;
      const l = this.stepTensor(this.buf);
      if (total === null) total = l;
      else {
        const next: TF.Scalar = tf.add(total, l);
        total.dispose();
        l.dispose();
        total = next;
      }
    }
    let sum = NaN;
    if (total !== null) {
      sum = (await total.data())[0]!;
      total.dispose();
    }
    return { loss: sum / batches, batches, samples };
  }

  async trainBatch(batch: Batch): Promise<number> {
    await activate(this.backend);
    const l = this.stepTensor(batch);
    const v = (await l.data())[0]!;
    l.dispose();
    return v;
  }

  /** Copies: tfjs-cpu's data() can hand out the tensor's own buffer. */
  private async read(t: TF.Tensor): Promise<Float32Array> {
    return Float32Array.from((await t.data()) as Float32Array);
  }

  async parameters(): Promise<Tables> {
    await activate(this.backend);
    const out: Tables = { user: await this.read(this.vars.user), item: await this.read(this.vars.item), dim: this.dim };
    const names = Object.keys(this.weights);
    if (names.length) {
      out.weights = {};
      for (const name of names) out.weights[name] = await this.read(this.weights[name]!);
    }
    return out;
  }

  async embeddings(): Promise<Tables> {
    await activate(this.backend);
    const tf = this.tf;
    const E = tf.tidy(() => {
      const e = this.encoder.embedTf(tf, this.vars.user as TF.Tensor2D, this.vars.item as TF.Tensor2D, this.weights as Record<string, TF.Tensor2D>);
      return [tf.clone(e.user), tf.clone(e.item)] as const;
    });
    // the embeddings' width may exceed the parameters' (ngcf concatenates its layers)
    const out = { user: await this.read(E[0]), item: await this.read(E[1]), dim: E[0].shape[1]! };
    tf.dispose([E[0], E[1]]);
    return out;
  }

  async saveState(): Promise<TrainerState> {
    const slots: Record<string, Float32Array> = {};
    for (const w of ['user', 'item'] as const) for (const [n, v] of Object.entries(this.slots[w] ?? {})) slots[`${n}.${w}`] = await this.read(v);
    for (const [name, s] of Object.entries(this.weightSlots)) for (const [n, v] of Object.entries(s)) slots[`${n}.w:${name}`] = await this.read(v);
    const sampler = this.model.sampler.state?.save();
    return { step: this.step, tables: await this.parameters(), slots, ...(sampler ? { sampler } : {}) };
  }

  async loadState(state: TrainerState): Promise<void> {
    await activate(this.backend);
    const tf = this.tf;
    const d = this.dim;
    if (state.tables.dim !== d || state.tables.user.length !== this.vars.user.size || state.tables.item.length !== this.vars.item.size)
      throw new InternalError(`tfjs engine: a saved state of dim ${state.tables.dim} does not match this trainer's tables`);
    tf.tidy(() => {
      this.vars.user.assign(tf.tensor2d(state.tables.user, this.vars.user.shape as [number, number]));
      this.vars.item.assign(tf.tensor2d(state.tables.item, this.vars.item.shape as [number, number]));
      for (const [name, v] of Object.entries(this.weights)) {
        const saved = state.tables.weights?.[name];
        if (!saved || saved.length !== v.size) throw new InternalError(`tfjs engine: the saved state has no encoder weight '${name}' of ${v.size} values`);
        v.assign(tf.tensor2d(saved, v.shape as [number, number]));
      }
    });
    this.createSlots();
    for (const [name, s] of Object.entries(this.weightSlots)) {
      for (const [n, v] of Object.entries(s)) {
        const saved = state.slots[`${n}.w:${name}`];
        if (!saved) throw new InternalError(`tfjs engine: the saved state has no optimiser slot '${n}' for the weight '${name}'`);
        tf.tidy(() => v.assign(tf.tensor2d(saved, v.shape as [number, number])));
      }
    }
    for (const w of ['user', 'item'] as const) {
      for (const [n, v] of Object.entries(this.slots[w] ?? {})) {
        const saved = state.slots[`${n}.${w}`];
        if (!saved) throw new InternalError(`tfjs engine: the saved state has no optimiser slot '${n}' for the ${w} table`);
        tf.tidy(() => v.assign(tf.tensor2d(saved, v.shape as [number, number])));
      }
    }
    this.step = state.step;
    loadSamplerState(this.model.sampler, state);
  }

  async dispose(): Promise<void> {
    for (const s of Object.values(this.weightSlots)) for (const v of Object.values(s)) v.dispose();
    this.weightSlots = {};
    for (const v of Object.values(this.weights)) v.dispose();
    for (const w of ['user', 'item'] as const) {
      for (const v of Object.values(this.slots[w] ?? {})) v.dispose();
      this.slots[w] = null;
      this.vars[w].dispose();
    }
  }
}
