import type * as TF from '@tensorflow/tfjs-core';
import { assertUnreachable, InternalError } from '../../../core/errors.js';
import type { Json } from '../../../core/json.js';
import { ensureGradients } from '../../backend/register-gradients.js';
import { activate, type Backend } from '../../backend/select-backend.js';
import { aggregationPlan, movingAggregationTf } from '../../../components/backprop/moving-aggregation.js';
import { bprTf } from '../../../components/losses/bpr.js';
import { infonceTf } from '../../../components/losses/infonce.js';
import { rowScoresTf } from '../../../components/losses/similarity.js';
import { adamTf, type AdamSlotsTf } from '../../../components/optimizers/adam.js';
import { sgdTf } from '../../../components/optimizers/sgd.js';
import { allocBatch, batchCount, epochOrder, fillBatch } from '../../training/epoch.js';
import type { Batch, EpochResult, EpochSchedule, Support, Tables, Trainer, TrainerOptions, TrainerState, TrainingEngine, TrainingProblem } from '../engine.js';
import { gradientTargets, type ModelConfig } from '../../../components/model-config.js';

type Tf = typeof TF;
type Which = 'user' | 'item';

/** The component names this engine implements, per slot. */
const IMPLEMENTED: Record<'encoder' | 'sampler' | 'loss' | 'backprop' | 'optimizer', readonly string[]> = {
  encoder: ['mf'],
  sampler: ['uniform'],
  loss: ['infonce', 'bpr'],
  backprop: ['both', 'onebp', 'user_only'],
  optimizer: ['adam', 'sgd'],
};

/**
 * The generic engine: the loss is a tfjs forward pass (gather rows, scores, loss) and its
 * gradients come from tf.variableGrads, so a new loss or encoder only needs a forward pass.
 * The optimiser (Adam with torch semantics, dense or lazy; SGD) and the moving aggregation are
 * tf ops written here, since tf.train.* has other semantics. It implements exactly the
 * reference step (engine/reference/reference-step.ts) in float32.
 */
export function createTfjsEngine(backend: Backend): TrainingEngine {
  return {
    name: 'tfjs',
    supports(config: ModelConfig): Support {
      for (const slot of Object.keys(IMPLEMENTED) as (keyof typeof IMPLEMENTED)[]) {
        const name = (config[slot] as { name: string }).name;
        if (!IMPLEMENTED[slot].includes(name)) return { ok: false, reason: `the tfjs engine has no ${slot} '${name}'` };
      }
      return { ok: true };
    },
    async createTrainer(problem, config, schedule, init, options): Promise<Trainer> {
      const s = this.supports(config);
      if (!s.ok) throw new InternalError(`createTrainer on an unsupported configuration: ${s.reason}`);
      await activate(backend);
      await ensureGradients(backend.tf);
      return new TfjsTrainer(backend, problem, config, schedule, init, options);
    },
  };
}

/**
 * The batch loss as a tfjs forward pass: gather each sample's candidate rows [B (1 + n), d]
 * (positive first) and its user's row repeated alongside, score the pairs, apply the loss to
 * the scores [B, 1 + n]. Everything the engine differentiates goes through here. Call inside
 * tf.tidy (or tf.grads).
 */
export function batchLossTf(tf: Tf, user: TF.Tensor, item: TF.Tensor, batch: Batch, config: ModelConfig): TF.Scalar {
  const B = batch.size;
  const n = config.sampler.params.negatives;
  if (B < 1) throw new InternalError('tfjs engine: empty batch');
  if (batch.neg.length < B * n) throw new InternalError(`tfjs engine: ${batch.neg.length} negatives for ${B} samples x ${n}`);
  // Sample b's candidates c_b0 = pos, c_bk = neg[b n + k - 1], each paired with its user's row.
  const c = n + 1;
  const cand = new Int32Array(B * c);
  const rep = new Int32Array(B * c);
  for (let b = 0; b < B; b++) {
    cand[b * c] = batch.pos[b]!;
    cand.set(batch.neg.subarray(b * n, b * n + n), b * c + 1);
    rep.fill(batch.users[b]!, b * c, b * c + c);
  }
  const u = tf.gather(user, tf.tensor1d(rep, 'int32')) as TF.Tensor2D;
  const v = tf.gather(item, tf.tensor1d(cand, 'int32')) as TF.Tensor2D;
  const s = tf.reshape(rowScoresTf(tf, u, v, config.loss.params.similarity), [B, c]) as TF.Tensor2D;
  const loss = config.loss;
  switch (loss.name) {
    case 'infonce':
      return infonceTf(tf, s, loss.params);
    case 'bpr':
      return bprTf(tf, s, loss.params);
    default:
      return assertUnreachable(loss, 'loss');
  }
}

/** The batch loss and tfjs autograd's gradients for both whole tables (for checks against the reference). */
export async function tfjsGradients(backend: Backend, tables: Tables, batch: Batch, config: ModelConfig): Promise<{ loss: number; gUser: Float32Array; gItem: Float32Array }> {
  await activate(backend);
  await ensureGradients(backend.tf);
  const tf = backend.tf;
  const d = tables.dim;
  const [loss, gu, gi] = tf.tidy(() => {
    const U = tf.tensor2d(tables.user, [tables.user.length / d, d]);
    const V = tf.tensor2d(tables.item, [tables.item.length / d, d]);
    const { value, grads } = tf.valueAndGrads((a: TF.Tensor, b: TF.Tensor) => batchLossTf(tf, a, b, batch, config))([U, V]);
    return [value, grads[0]!, grads[1]!];
  });
  const out = { loss: (await loss.data())[0]!, gUser: Float32Array.from(await gu.data()), gItem: Float32Array.from(await gi.data()) };
  tf.dispose([loss, gu, gi]);
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
  private readonly n: number;
  private readonly targets: { user: boolean; item: boolean };
  private readonly vars: Record<Which, TF.Variable>;
  private slots: Record<Which, AdamSlotsTf | null> = { user: null, item: null };
  private step = 0;
  private readonly buf: Batch;
  private readonly rowSets: Record<Which, RowSet>;

  constructor(
    private readonly backend: Backend,
    private readonly problem: TrainingProblem,
    private readonly config: ModelConfig,
    private readonly schedule: EpochSchedule,
    init: Tables,
    options: TrainerOptions,
  ) {
    const tf = backend.tf;
    this.tf = tf;
    this.dim = init.dim;
    this.n = config.sampler.params.negatives;
    this.targets = gradientTargets(config.backprop);
    if (init.user.length !== problem.numUsers * init.dim || init.item.length !== problem.numItems * init.dim)
      throw new InternalError(`tfjs engine: initial tables of ${init.user.length} / ${init.item.length} values do not match ${problem.numUsers} users / ${problem.numItems} items x dim ${init.dim}`);
    // tidy disposes the initial tensors; variables survive it.
    this.vars = tf.tidy(() => ({
      user: tf.variable(tf.tensor2d(init.user, [problem.numUsers, init.dim]), this.targets.user),
      item: tf.variable(tf.tensor2d(init.item, [problem.numItems, init.dim]), this.targets.item),
    }));
    this.createSlots();
    this.buf = allocBatch(schedule.batch, this.n);
    this.rowSets = { user: new RowSet(problem.numUsers), item: new RowSet(problem.numItems) };
    const o = config.optimizer;
    this.details = {
      backend: backend.name,
      autograd: 'tf.variableGrads',
      optimizer: o.name === 'adam' ? `adam (torch semantics, ${o.params.lazy ? 'lazy: touched rows only' : 'dense: every row every step'})` : 'sgd',
      threads: backend.name === 'wasm' ? 1 : options.threads,
    };
  }

  /** Adam moments for every table the optimiser owns (zeros). */
  private createSlots(): void {
    const tf = this.tf;
    for (const w of ['user', 'item'] as const) {
      this.slots[w]?.m.dispose();
      this.slots[w]?.v.dispose();
      this.slots[w] = null;
      if (this.config.optimizer.name === 'adam' && this.targets[w]) {
        const shape = this.vars[w].shape as [number, number];
        this.slots[w] = tf.tidy(() => ({ m: tf.variable(tf.zeros(shape), false), v: tf.variable(tf.zeros(shape), false) }));
      }
    }
  }

  /** One step; returns the batch loss as a scalar the caller disposes. */
  private stepTensor(batch: Batch): TF.Scalar {
    const tf = this.tf;
    const B = batch.size;
    const n = this.n;
    const t = ++this.step;
    const lazy = this.config.optimizer.name === 'adam' && this.config.optimizer.params.lazy;
    return tf.tidy(() => {
      const lossFn = (): TF.Scalar => batchLossTf(tf, this.vars.user, this.vars.item, batch, this.config);
      const owned = (['user', 'item'] as const).filter((w) => this.targets[w]);
      const { value, grads } = tf.variableGrads(lossFn, owned.map((w) => this.vars[w]));
      for (const w of owned) {
        const grad = grads[this.vars[w].name];
        if (!grad) throw new InternalError(`tfjs engine: no gradient for the ${w} table`);
        const o = this.config.optimizer;
        switch (o.name) {
          case 'adam': {
            const rows = lazy
              ? tf.tensor1d(w === 'user' ? this.rowSets.user.distinct([[batch.users, B]]) : this.rowSets.item.distinct([[batch.pos, B], [batch.neg, B * n]]), 'int32')
              : null;
            adamTf(tf, this.vars[w], grad, this.slots[w]!, t, o.params, rows);
            break;
          }
          case 'sgd':
            sgdTf(tf, this.vars[w], grad, o.params);
            break;
          default:
            assertUnreachable(o, 'optimizer');
        }
      }
      const bp = this.config.backprop;
      switch (bp.name) {
        case 'both':
          break;
        case 'onebp':
          movingAggregationTf(tf, this.vars.user, this.vars.item, aggregationPlan(batch.users, batch.pos, B, bp.params));
          break;
        case 'user_only':
          movingAggregationTf(tf, this.vars.item, this.vars.user, aggregationPlan(batch.pos, batch.users, B, bp.params));
          break;
        default:
          assertUnreachable(bp, 'backprop');
      }
      return value;
    });
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    await activate(this.backend);
    const tf = this.tf;
    const numPairs = this.problem.pairUsers.length;
    const order = epochOrder(numPairs, this.schedule.seed, epoch, this.schedule.shuffle);
    const batches = batchCount(numPairs, this.schedule.batch, this.schedule.dropLast);
    // Losses are summed on the device and read once: no synchronisation per batch.
    let total: TF.Scalar | null = null;
    let samples = 0;
    for (let b = 0; b < batches; b++) {
      fillBatch(this.problem, this.schedule, this.config.sampler.params, order, epoch, b, this.buf);
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

  async tables(): Promise<Tables> {
    await activate(this.backend);
    return { user: await this.read(this.vars.user), item: await this.read(this.vars.item), dim: this.dim };
  }

  async saveState(): Promise<TrainerState> {
    const slots: Record<string, Float32Array> = {};
    for (const w of ['user', 'item'] as const) {
      const s = this.slots[w];
      if (s) {
        slots[`m.${w}`] = await this.read(s.m);
        slots[`v.${w}`] = await this.read(s.v);
      }
    }
    return { step: this.step, tables: await this.tables(), slots };
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
    });
    this.createSlots();
    for (const w of ['user', 'item'] as const) {
      const s = this.slots[w];
      if (!s) continue;
      const m = state.slots[`m.${w}`];
      const v = state.slots[`v.${w}`];
      if (!m || !v) throw new InternalError(`tfjs engine: the saved state has no Adam moments for the ${w} table`);
      tf.tidy(() => {
        s.m.assign(tf.tensor2d(m, s.m.shape as [number, number]));
        s.v.assign(tf.tensor2d(v, s.v.shape as [number, number]));
      });
    }
    this.step = state.step;
  }

  async dispose(): Promise<void> {
    for (const w of ['user', 'item'] as const) {
      this.slots[w]?.m.dispose();
      this.slots[w]?.v.dispose();
      this.slots[w] = null;
      this.vars[w].dispose();
    }
  }
}
