import type { Json } from '../../../core/json.js';
import type { Batch, CandidateMeasure, EmbeddingReader, PreparedEncoder, TrainingModel } from '../../../contract/training.js';
import { allocBatch, batchCount, epochOrder, fillBatch } from '../../training/epoch.js';
import { loadSamplerState } from '../sampler-state.js';
import type { EpochResult, EpochSchedule, Tables, Trainer, TrainerState, TrainingProblem } from '../engine.js';
import { referencePairScores, referenceStateFrom, referenceStep, type ReferenceState } from './reference-step.js';

const toF32 = (a: Float64Array): Float32Array => Float32Array.from(a);

/**
 * Whole epochs of the float64 reference, through the same epochOrder / batchCount / fillBatch
 * as every engine, so that another engine's epoch can be compared with it number by number.
 * Not a production engine: EngineName has no 'reference', so `engine` is its own literal and
 * the type is Trainer's shape with that one field changed.
 */
export class ReferenceTrainer implements Omit<Trainer, 'engine'> {
  readonly engine = 'reference' as const;
  readonly details: Record<string, Json> = { precision: 'float64', implementation: 'plain JS reference' };
  private readonly buf: Batch;
  private readonly encoder: PreparedEncoder;
  private state: ReferenceState;
  /** The schedule's lr factor of the epoch being trained (trainBatch uses the last epoch's). */
  private lrFactor = 1;

  constructor(
    private readonly problem: TrainingProblem,
    private readonly model: TrainingModel,
    private readonly schedule: EpochSchedule,
    init: Tables,
  ) {
    this.state = referenceStateFrom(init);
    this.encoder = model.encoder.prepare(problem);
    model.sampler.prepare(problem); // before allocBatch: a sampler's width may depend on the data (all_items)
    this.buf = allocBatch(schedule.batch, model.sampler);
  }

  /** The learning-rate factor the optimiser applies now (tests check it follows the schedule). */
  get currentLrFactor(): number {
    return this.lrFactor;
  }

  /** The live float64 state (not a copy). */
  get reference(): ReferenceState {
    return this.state;
  }

  /** Scores under the current model, for model-aware samplers. */
  private scorer() {
    if (!this.model.sampler.modelAware) return null;
    return (users: Int32Array, items: Int32Array, rows: number, perRow: number, measure: CandidateMeasure = 'similarity') =>
      referencePairScores(this.encoder.embedReference(this.state), users, items, rows, perRow, measure === 'euclidean' ? 'euclidean' : this.model.loss.similarity);
  }

  /** Embedding rows under the current model, for samplers that read embeddings. */
  private embedder(): EmbeddingReader | null {
    if (!this.model.sampler.readsEmbeddings) return null;
    return (which, ids, count) => {
      const E = this.encoder.embedReference(this.state);
      const d = E.dim;
      const out = new Float64Array(count * d);
      for (let r = 0; r < count; r++) out.set(E[which].subarray(ids[r]! * d, ids[r]! * d + d), r * d);
      return out;
    };
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    this.lrFactor = this.model.schedule?.lrFactor(epoch) ?? 1;
    const numPairs = this.problem.pairUsers.length;
    const order = epochOrder(numPairs, this.schedule.seed, epoch, this.schedule.shuffle);
    const batches = batchCount(numPairs, this.schedule.batch, this.schedule.dropLast);
    let sum = 0;
    let samples = 0;
    for (let b = 0; b < batches; b++) {
      fillBatch(this.problem, this.schedule, this.model.sampler, order, epoch, b, this.buf, this.scorer(), this.embedder());
      sum += referenceStep(this.state, this.buf, this.model, this.encoder, this.lrFactor, this.schedule.seed);
      samples += this.buf.size;
    }
    return { loss: batches > 0 ? sum / batches : NaN, batches, samples };
  }

  async trainBatch(batch: Batch): Promise<number> {
    return referenceStep(this.state, batch, this.model, this.encoder, this.lrFactor, this.schedule.seed);
  }

  async parameters(): Promise<Tables> {
    const w = this.state.weights;
    return { user: toF32(this.state.user), item: toF32(this.state.item), dim: this.state.dim, ...(w ? { weights: Object.fromEntries(Object.entries(w).map(([k, v]) => [k, toF32(v)])) } : {}) };
  }

  async embeddings(): Promise<Tables> {
    const e = this.encoder.embedReference(this.state);
    return { user: toF32(e.user), item: toF32(e.item), dim: e.dim };
  }

  /** A float32 snapshot (as every TrainerState); loading it back rounds the float64 state. */
  async saveState(): Promise<TrainerState> {
    const slots: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(this.state.slots)) slots[k] = toF32(v);
    const sampler = this.model.sampler.state?.save();
    return { step: this.state.step, tables: await this.parameters(), slots, ...(sampler ? { sampler } : {}) };
  }

  async loadState(s: TrainerState): Promise<void> {
    const slots: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(s.slots)) slots[k] = Float64Array.from(v);
    this.state = { ...referenceStateFrom(s.tables), step: s.step, slots };
    loadSamplerState(this.model.sampler, s);
  }

  async dispose(): Promise<void> {}
}
