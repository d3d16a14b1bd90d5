import type { Json } from '../../../core/json.js';
import { allocBatch, batchCount, epochOrder, fillBatch } from '../../training/epoch.js';
import type { Batch, EpochResult, EpochSchedule, Tables, Trainer, TrainerState, TrainingProblem } from '../engine.js';
import type { ModelConfig } from '../../../components/model-config.js';
import { referenceStateFrom, referenceStep, type ReferenceState } from './reference-step.js';

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
  private state: ReferenceState;

  constructor(
    private readonly problem: TrainingProblem,
    private readonly config: ModelConfig,
    private readonly schedule: EpochSchedule,
    init: Tables,
  ) {
    this.state = referenceStateFrom(init);
    this.buf = allocBatch(schedule.batch, config.sampler.params.negatives);
  }

  /** The live float64 state (not a copy). */
  get reference(): ReferenceState {
    return this.state;
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    const numPairs = this.problem.pairUsers.length;
    const order = epochOrder(numPairs, this.schedule.seed, epoch, this.schedule.shuffle);
    const batches = batchCount(numPairs, this.schedule.batch, this.schedule.dropLast);
    let sum = 0;
    let samples = 0;
    for (let b = 0; b < batches; b++) {
      fillBatch(this.problem, this.schedule, this.config.sampler.params, order, epoch, b, this.buf);
      sum += referenceStep(this.state, this.buf, this.config);
      samples += this.buf.size;
    }
    return { loss: batches > 0 ? sum / batches : NaN, batches, samples };
  }

  async trainBatch(batch: Batch): Promise<number> {
    return referenceStep(this.state, batch, this.config);
  }

  async tables(): Promise<Tables> {
    return { user: toF32(this.state.user), item: toF32(this.state.item), dim: this.state.dim };
  }

  /** A float32 snapshot (as every TrainerState); loading it back rounds the float64 state. */
  async saveState(): Promise<TrainerState> {
    const slots: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(this.state.slots)) slots[k] = toF32(v);
    return { step: this.state.step, tables: await this.tables(), slots };
  }

  async loadState(s: TrainerState): Promise<void> {
    const slots: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(s.slots)) slots[k] = Float64Array.from(v);
    this.state = { ...referenceStateFrom(s.tables), step: s.step, slots };
  }

  async dispose(): Promise<void> {}
}
