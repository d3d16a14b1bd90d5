import { InternalError } from '../../../core/errors.js';
import type { Json } from '../../../core/json.js';
import { gatheredCandidates, type Batch, type CandidateScorer, type CsrAdjacency, type EmbeddingReader, type TrainingModel, type TrainPass } from '../../../contract/training.js';
import { buildNormalizedAdjacency } from '../../../components/encoders/graph/normalized-adjacency.js';
import { SparsePropagation, type TablePair } from '../../kernels/sparse-propagation.js';
import { accumulateScoreGradients, addPenalty, batchScores, pairScores, type RowTables } from '../batch-scores.js';
import { allocBatch, batchCount, epochOrder, fillBatch } from '../../training/epoch.js';
import { loadSamplerState } from '../sampler-state.js';
import { SharedCandidateStep } from './shared-candidates.js';
import { DenseAdam } from '../../kernels/dense-adam.js';
import { NgcfPass } from './ngcf-pass.js';
import type { EpochResult, EpochSchedule, Tables, Trainer, TrainerOptions, TrainerState, TrainingProblem } from '../engine.js';

/**
 * A trainer for graph encoders (LightGCN): the propagation that dominates every step, forward
 * E = 1/(K+1) sum_k Â^k P and backward dL/dP = 1/(K+1) sum_k Â^k dL/dE, runs in the WebAssembly
 * SIMD kernels on all threads (bit-identical for any thread count, assembly/spmm.ts); the
 * batch's scores, loss and gradient rows (B x (1 + width) dot products), the optimiser and the
 * moving aggregation run in JS on the float32 tables in pool memory, with float64 arithmetic per
 * element, exactly as the reference step defines them. Any sampler and loss work here, since
 * their reference parts are what runs.
 *
 * A step: forward(P -> E); the sampler fills the batch (model-aware ones score on E); S, L, dL/dS;
 * dL/dE rows into G; backward(G -> GP); penalty; the optimiser on owned tables of P; aggregation.
 * NGCF (ngcf-pass.ts) replaces the propagation with its layers: embeddings (K + 1) d wide, dense
 * weights trained by the optimiser's float64 reference step (they are small), and its message
 * dropout drawn per step as the reference draws it (model-aware samplers score without dropout).
 */
export class GraphTrainer implements Trainer {
  readonly engine = 'fused' as const;
  readonly details: Record<string, Json>;
  private readonly S: number;
  private readonly d: number;
  /** The embeddings' width and row stride (d and S but for NGCF, whose layers are concatenated). */
  private readonly de: number;
  private readonly se: number;
  private readonly ngcf: NgcfPass | null;
  /** NGCF's dense weights (float32, as checkpoints keep them) and their optimiser slots, `${slot}.w:${name}` as the reference names them. */
  private weights: Record<string, Float32Array> = {};
  private weightSlots: Record<string, Float32Array> = {};
  private readonly P: TablePair;
  private readonly E: TablePair;
  private readonly G: TablePair;
  private readonly GP: TablePair;
  private readonly slots: Record<string, TablePair> = {};
  private readonly buf: Batch;
  /** Shared-layout samplers (in-batch, mixed, cross-batch, all items): scores and gradients as dense products. */
  private readonly shared: SharedCandidateStep | null;
  private readonly adam: DenseAdam | null;
  /** Rows of G written by the last step (zeroed before the next). */
  private dirtyUsers: number[] = [];
  private dirtyItems: number[] = [];
  private step = 0;
  /** The schedule's lr factor of the epoch being trained (trainBatch uses the last epoch's). */
  private lrFactor = 1;
  private disposed = false;

  private constructor(
    private readonly prop: SparsePropagation,
    private readonly problem: TrainingProblem,
    private readonly model: TrainingModel,
    private readonly schedule: EpochSchedule,
    ngcf: { layers: number; dropout: number } | null,
  ) {
    this.d = prop.dim;
    this.S = prop.stride;
    this.P = prop.allocTable();
    this.ngcf = ngcf ? new NgcfPass(prop.pool, prop, problem.numUsers, problem.numItems, this.d, ngcf.layers, ngcf.dropout) : null;
    this.de = this.ngcf?.embDim ?? this.d;
    this.se = this.ngcf?.embStride ?? this.S;
    const wide = () => {
      const user = prop.pool.alloc((problem.numUsers + problem.numItems) * this.se * 4);
      return { user, item: user + problem.numUsers * this.se * 4 };
    };
    const propagates = prop.layers > 0 || this.ngcf !== null;
    // zero layers: E = P and dL/dP = dL/dE, so the embeddings and their gradient are the parameter tables themselves
    this.E = this.ngcf ? wide() : propagates ? prop.allocTable() : this.P;
    this.G = this.ngcf ? wide() : prop.allocTable();
    this.GP = propagates ? prop.allocTable() : this.G;
    this.adam = model.optimizer.fused?.code === 'adam-dense' ? new DenseAdam(prop.pool) : null;
    const t = model.backprop.targets;
    for (const name of model.optimizer.slots) for (const w of ['user', 'item'] as const) if (t[w]) this.slots[`${name}.${w}`] = prop.allocTable();
    model.sampler.prepare(problem);
    this.buf = allocBatch(schedule.batch, model.sampler);
    this.shared = model.sampler.layout === 'shared' ? new SharedCandidateStep(prop.pool, this.buf.users.length, this.buf.width, this.se, model.sampler.logq) : null;
    this.details = {
      threads: prop.pool.threads,
      simd: true,
      kernels:
        (this.ngcf ? 'NGCF layers: sparse propagation and GEMMs (WebAssembly SIMD), element-wise parts in JS; ' : prop.layers > 0 ? 'sparse propagation (WebAssembly SIMD); ' : 'row trainer (the MF kernel has no part for this model): ') +
        (model.sampler.layout === 'shared' ? 'shared-candidate scores as WebAssembly SIMD GEMMs; loss, optimiser and aggregation in JS' : 'batch scores, optimiser and aggregation in JS'),
      layers: ngcf ? ngcf.layers : prop.layers,
      optimizer: model.names.optimizer,
    };
  }

  /** Tables the trainer allocates besides the propagation's own: P, E, G, GP and the optimiser slots. */
  static tableCount(model: TrainingModel): number {
    const t = model.backprop.targets;
    return 4 + model.optimizer.slots.length * ((t.user ? 1 : 0) + (t.item ? 1 : 0));
  }

  static async create(problem: TrainingProblem, model: TrainingModel, layers: number, schedule: EpochSchedule, init: Tables, options: TrainerOptions): Promise<GraphTrainer> {
    const { numUsers, numItems } = problem;
    const ngcf = model.encoder.fused?.kind === 'ngcf' ? model.encoder.fused : null;
    const dim = model.encoder.dim;
    if (init.dim !== dim || init.user.length !== numUsers * dim || init.item.length !== numItems * dim)
      throw new InternalError(`graph trainer: initial tables (dim ${init.dim}) do not match ${numUsers} users, ${numItems} items, dim ${dim}`);
    if (model.optimizer.lazy) throw new InternalError('graph trainer: a lazy optimiser cannot train a graph encoder (compatibility check)');
    // zero layers (a row encoder: E = P) never reads the graph, so it gets an empty one
    const adj = layers === 0 ? emptyAdjacency(numUsers, numItems) : (problem.adjacency ?? buildNormalizedAdjacency(numUsers, numItems, problem.pairUsers, problem.pairItems));
    const stride = Math.ceil(dim / 4) * 4;
    const table = Math.ceil(((numUsers + numItems) * stride * 4) / 64) * 64;
    model.sampler.prepare(problem); // a shared sampler's width may depend on the data (all_items)
    const embStride = ngcf ? Math.ceil(((layers + 1) * dim) / 4) * 4 : stride;
    const shared = model.sampler.layout === 'shared' ? SharedCandidateStep.bytes(schedule.batch, model.sampler.width(schedule.batch), embStride, model.sampler.logq) : 0;
    const ngcfBytes = ngcf ? NgcfPass.bytes(numUsers, numItems, dim, layers) + 2 * (numUsers + numItems) * embStride * 4 + 128 : 0;
    // NGCF uses the propagation kernel for one layer at a time (S = L E), so it is built with one layer
    const prop = await SparsePropagation.create(adj, { dim, layers: ngcf ? 1 : layers, threads: options.threads, extraBytes: GraphTrainer.tableCount(model) * table + shared + ngcfBytes });
    try {
      const t = new GraphTrainer(prop, problem, model, schedule, ngcf ? { layers, dropout: ngcf.dropout } : null);
      t.write(t.P, init);
      if (ngcf) t.setWeights(init.weights, true);
      return t;
    } catch (e) {
      await prop.dispose();
      throw e;
    }
  }

  private view(t: TablePair, stride = this.S): { user: Float32Array; item: Float32Array } {
    const pool = this.prop.pool;
    return { user: pool.f32(t.user, this.problem.numUsers * stride), item: pool.f32(t.item, this.problem.numItems * stride) };
  }

  /** The embedding tables (E, or G for their gradient) as rows. */
  private rows(t: TablePair): RowTables {
    return { ...this.view(t, this.se), dim: this.de, stride: this.se };
  }

  /** Copies of NGCF's weights (and with `fresh`, zeroed optimiser slots for them). */
  private setWeights(src: Record<string, Float32Array> | undefined, fresh: boolean): void {
    for (const name of Object.keys(this.model.encoder.weights ?? {})) {
      const w = src?.[name];
      if (!w) throw new InternalError(`graph trainer: encoder weight '${name}' is missing`);
      this.weights[name] = Float32Array.from(w);
      if (fresh) for (const slot of this.model.optimizer.slots) this.weightSlots[`${slot}.w:${name}`] = new Float32Array(w.length);
    }
  }

  /** E from P: NGCF's layers under `pass` (absent: no dropout), LightGCN's propagation, or nothing (zero layers). */
  private embed(pass?: TrainPass): Promise<void> {
    if (this.ngcf) return this.ngcf.forward(this.P, this.E, this.weights, pass);
    return this.propagate(this.P, this.E);
  }

  /** The optimiser's float64 reference step on each NGCF weight (float32 storage, as the tables). */
  private optimiseWeights(grads: Record<string, Float64Array>): void {
    const opt = this.model.optimizer;
    for (const [name, [, cols]] of Object.entries(this.model.encoder.weights ?? {})) {
      const W = Float64Array.from(this.weights[name]!);
      const G = grads[name];
      if (!G) throw new InternalError(`graph trainer: no gradient for encoder weight '${name}'`);
      const slots: Record<string, Float64Array> = {};
      for (const slot of opt.slots) slots[slot] = Float64Array.from(this.weightSlots[`${slot}.w:${name}`]!);
      opt.reference(W, G, slots, null, cols, this.step, this.lrFactor);
      this.weights[name]!.set(W);
      for (const slot of opt.slots) this.weightSlots[`${slot}.w:${name}`]!.set(slots[slot]!);
    }
  }

  private write(t: TablePair, src: Tables): void {
    const v = this.view(t);
    for (const w of ['user', 'item'] as const) {
      const rows = src[w].length / this.d;
      for (let r = 0; r < rows; r++) v[w].set(src[w].subarray(r * this.d, (r + 1) * this.d), r * this.S);
    }
  }

  private read(t: TablePair, dim = this.d, stride = this.S): Tables {
    const v = this.view(t, stride);
    const out = (a: Float32Array, rows: number) => {
      const o = new Float32Array(rows * dim);
      for (let r = 0; r < rows; r++) o.set(a.subarray(r * stride, r * stride + dim), r * dim);
      return o;
    };
    return { user: out(v.user, this.problem.numUsers), item: out(v.item, this.problem.numItems), dim };
  }

  private check(): void {
    if (this.disposed) throw new InternalError('graph trainer: used after dispose()');
  }

  private scorer(): CandidateScorer | null {
    if (!this.model.sampler.modelAware) return null;
    return (users, items, rows, perRow, measure = 'similarity') =>
      pairScores(this.rows(this.E), users, items, rows, perRow, measure === 'euclidean' ? 'euclidean' : this.model.loss.similarity);
  }

  /** Rows of E (the embeddings of the current parameters), for samplers that read embeddings. */
  private embedder(): EmbeddingReader | null {
    if (!this.model.sampler.readsEmbeddings) return null;
    return (which, ids, count) => {
      const t = this.view(this.E, this.se)[which];
      const out = new Float64Array(count * this.de);
      for (let r = 0; r < count; r++) for (let j = 0; j < this.de; j++) out[r * this.de + j] = t[ids[r]! * this.se + j]!;
      return out;
    };
  }

  /** One step on a filled batch; E must hold the embeddings of the current parameters. */
  private async stepOn(batch: Batch): Promise<number> {
    const { model } = this;
    const d = this.d;
    const S = this.S;
    const B = batch.size;
    const cols = 1 + batch.width;
    const E = this.rows(this.E);

    // dL/dE into G (only the batch's rows are non-zero; last step's rows are cleared first)
    const G = this.view(this.G, this.se);
    const se = this.se;
    for (const r of this.dirtyUsers) G.user.fill(0, r * se, r * se + this.de);
    for (const r of this.dirtyItems) G.item.fill(0, r * se, r * se + this.de);
    this.dirtyUsers = Array.from(new Set(batch.users.subarray(0, B)));
    const items = new Set<number>(batch.pos.subarray(0, B));
    for (const q of batch.neg.subarray(0, gatheredCandidates(batch))) items.add(q);
    this.dirtyItems = [...items];
    let loss: number;
    if (this.shared && batch.layout === 'shared') {
      loss = await this.shared.run({ user: E.user, item: E.item, gUser: G.user, gItem: G.item, dim: this.de, stride: se }, batch, model.loss);
    } else {
      const scores = batchScores(E, batch, model.loss.similarity);
      const dS = new Float64Array(scores.length);
      loss = model.loss.reference(scores, B, cols, batch.mask, dS);
      accumulateScoreGradients(E, batch, model.loss.similarity, scores, dS, G.user, G.item);
    }

    const weightGrads = this.ngcf ? await this.ngcf.backward(this.G, this.GP) : (await this.propagate(this.G, this.GP), null);
    const GP = this.view(this.GP);
    const P = this.view(this.P);
    if (model.regularizer && model.regularizer.weight > 0) loss += addPenalty({ ...P, dim: d, stride: S }, batch, model.regularizer.weight, model.backprop.targets, GP.user, GP.item);

    this.step += 1;
    // dense weights are owned whenever a table is (the loss reaches them through either tower), as in the reference step
    if (weightGrads && (model.backprop.targets.user || model.backprop.targets.item)) this.optimiseWeights(weightGrads);
    for (const w of ['user', 'item'] as const) {
      if (!model.backprop.targets[w]) continue;
      await this.optimise(P[w], GP[w], w);
    }
    const agg = model.backprop.aggregate;
    if (agg) {
      const [target, source, tIdx, sIdx] = agg.target === 'user' ? [P.user, P.item, batch.users, batch.pos] : [P.item, P.user, batch.pos, batch.users];
      const before = agg.duplicates === 'last' ? new Map<number, Float32Array>() : null;
      if (before) for (let b = 0; b < B; b++) if (!before.has(tIdx[b]!)) before.set(tIdx[b]!, target.slice(tIdx[b]! * S, tIdx[b]! * S + d));
      for (let b = 0; b < B; b++) {
        const t = tIdx[b]! * S;
        const s = sIdx[b]! * S;
        const old = before?.get(tIdx[b]!);
        for (let j = 0; j < d; j++) target[t + j] = agg.beta * (old ? old[j]! : target[t + j]!) + (1 - agg.beta) * source[s + j]!;
      }
    }
    return loss;
  }

  /** E = propagation of P (or G -> GP); nothing to do with zero layers, where the tables are the same. */
  private propagate(src: TablePair, dst: TablePair): Promise<void> {
    return this.prop.layers > 0 ? this.prop.forwardAt(src, dst) : Promise.resolve();
  }

  /**
   * The optimiser's step on one whole table (dense), float64 arithmetic per element as in the
   * reference: Adam on the kernel threads (assembly/adam-dense.ts, bit-identical to the loop it
   * replaced), SGD here.
   */
  private async optimise(P: Float32Array, G: Float32Array, w: 'user' | 'item'): Promise<void> {
    const o = this.model.optimizer.fused;
    if (!o) throw new InternalError(`graph trainer: optimizer '${this.model.names.optimizer}' has no kernel parameters`);
    const rows = P.length / this.S;
    const d = this.d;
    const S = this.S;
    const lr = o.lr * this.lrFactor;
    if (o.code === 'sgd') {
      for (let r = 0; r < rows; r++) for (let j = r * S; j < r * S + d; j++) P[j] = P[j]! - lr * (G[j]! + o.weightDecay * P[j]!);
      return;
    }
    if (!this.adam) throw new InternalError(`graph trainer: no kernel for optimizer code '${o.code}'`);
    const bc1 = 1 - Math.pow(o.beta1, this.step);
    const bc2 = 1 - Math.pow(o.beta2, this.step);
    await this.adam.run({
      n: P.length, p: P.byteOffset, g: G.byteOffset, m: this.slots[`m.${w}`]![w], v: this.slots[`v.${w}`]![w],
      lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, bc1, bc2,
    });
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    this.check();
    this.lrFactor = this.model.schedule?.lrFactor(epoch) ?? 1;
    const numPairs = this.problem.pairUsers.length;
    const order = epochOrder(numPairs, this.schedule.seed, epoch, this.schedule.shuffle);
    const batches = batchCount(numPairs, this.schedule.batch, this.schedule.dropLast);
    const scorer = this.scorer();
    const embedder = this.embedder();
    let sum = 0;
    let samples = 0;
    // NGCF's training forward has dropout, which the candidates a sampler scores must not see (as in the reference)
    const dropoutForward = this.ngcf?.hasDropout ?? false;
    for (let b = 0; b < batches; b++) {
      if (!dropoutForward || scorer || embedder) await this.embed();
      fillBatch(this.problem, this.schedule, this.model.sampler, order, epoch, b, this.buf, scorer, embedder);
      if (dropoutForward) await this.embed(this.pass());
      sum += await this.stepOn(this.buf);
      samples += this.buf.size;
    }
    return { loss: batches > 0 ? sum / batches : Number.NaN, batches, samples };
  }

  async trainBatch(batch: Batch): Promise<number> {
    this.check();
    await this.embed(this.ngcf ? this.pass() : undefined);
    return this.stepOn(batch);
  }

  /** The dropout draws of the next step: (run seed, 1-based step), as the reference step passes them. */
  private pass(): TrainPass {
    return { seed: this.schedule.seed, step: this.step + 1 };
  }

  async parameters(): Promise<Tables> {
    this.check();
    return { ...this.read(this.P), ...(this.ngcf ? { weights: this.weightCopies() } : {}) };
  }

  private weightCopies(): Record<string, Float32Array> {
    return Object.fromEntries(Object.entries(this.weights).map(([k, v]) => [k, v.slice()]));
  }

  async embeddings(): Promise<Tables> {
    this.check();
    await this.embed();
    return this.read(this.E, this.de, this.se);
  }

  async saveState(): Promise<TrainerState> {
    this.check();
    const slots: Record<string, Float32Array> = {};
    for (const [key, t] of Object.entries(this.slots)) slots[key] = this.read(t)[key.endsWith('.user') ? 'user' : 'item'];
    for (const [key, v] of Object.entries(this.weightSlots)) slots[key] = v.slice();
    const sampler = this.model.sampler.state?.save();
    return { step: this.step, tables: await this.parameters(), slots, ...(sampler ? { sampler } : {}) };
  }

  async loadState(state: TrainerState): Promise<void> {
    this.check();
    const { numUsers, numItems } = this.problem;
    const t = state.tables;
    if (t.dim !== this.d || t.user.length !== numUsers * this.d || t.item.length !== numItems * this.d)
      throw new InternalError(`graph trainer: saved tables (dim ${t.dim}) do not match ${numUsers} users, ${numItems} items, dim ${this.d}`);
    for (const key of Object.keys(this.slots)) if (!state.slots[key]) throw new InternalError(`graph trainer: saved state lacks optimiser slot '${key}'`);
    this.write(this.P, t);
    for (const [key, table] of Object.entries(this.slots)) {
      const w = key.endsWith('.user') ? 'user' : 'item';
      const zero = new Float32Array(0);
      this.write(table, { user: w === 'user' ? state.slots[key]! : zero, item: w === 'item' ? state.slots[key]! : zero, dim: this.d });
    }
    if (this.ngcf) {
      this.setWeights(t.weights, false);
      for (const key of Object.keys(this.weightSlots)) {
        const saved = state.slots[key];
        if (!saved) throw new InternalError(`graph trainer: saved state lacks optimiser slot '${key}'`);
        this.weightSlots[key] = Float32Array.from(saved);
      }
    }
    this.step = state.step;
    loadSamplerState(this.model.sampler, state);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.prop.dispose();
  }
}

function emptyAdjacency(numUsers: number, numItems: number): CsrAdjacency {
  const n = numUsers + numItems;
  return { numUsers, numItems, n, nnz: 0, indptr: new Int32Array(n + 1), indices: new Int32Array(0), values: new Float32Array(0) };
}
