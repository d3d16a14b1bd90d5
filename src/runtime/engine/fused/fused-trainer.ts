import { InternalError, UserError } from '../../../core/errors.js';
import type { Json } from '../../../core/json.js';
import { KernelPool } from '../../kernels/kernel-pool.js';
import { BackpropCode, LossCode, OptimizerCode, SYNC_SIZE, TRAIN_CHUNK, TrainCtx } from '../../kernels/kernel-layout.js';
import { usersWithoutNegatives } from '../../../components/samplers/uniform.js';
import type { BackpropBehaviour, OptimizerBehaviour, SamplerBehaviour, LossBehaviour, ScheduleBehaviour, Similarity } from '../../../contract/training.js';
import { BITSET_MAX_BYTES, checkTrainingFits, fusedTrainingBytes } from '../../resources/memory-estimate.js';
import { negativesStream } from '../../training/epoch.js';
import type { Batch, EpochResult, EpochSchedule, Tables, Trainer, TrainerOptions, TrainerState, TrainingProblem } from '../engine.js';

/** What the MF training kernel is told about a model: the components' fused parts (fused-engine.ts). */
export interface FusedPlan {
  dim: number;
  sampler: NonNullable<SamplerBehaviour['fused']>;
  loss: NonNullable<LossBehaviour['fused']>;
  similarity: Similarity;
  backprop: keyof typeof BackpropCode;
  aggregate: BackpropBehaviour['aggregate'];
  targets: { user: boolean; item: boolean };
  optimizer: NonNullable<OptimizerBehaviour['fused']>;
  /** The lr schedule (its factor is written into the context's lr before each epoch), or null. */
  schedule: ScheduleBehaviour | null;
}


/** Floats per row inside the kernels: dim rounded up to a multiple of 4 (f32x4), padding kept at zero. */
export const strideOf = (dim: number): number => Math.ceil(dim / 4) * 4;

/** Where each buffer lives in the pool's memory (0 = not needed by this configuration). */
interface Buffers {
  ctx: number;
  user: number;
  item: number;
  mUser: number;
  vUser: number;
  mItem: number;
  vItem: number;
  stampUser: number;
  stampItem: number;
  touchUser: number;
  touchItem: number;
  batchUsers: number;
  batchPos: number;
  batchNeg: number;
}

/**
 * A trainer on the fused WebAssembly kernels. All state lives in the pool's shared memory; an
 * epoch (order, negatives, every batch) runs in one kernel call on all threads.
 */
export class FusedTrainer implements Trainer {
  readonly engine = 'fused' as const;
  readonly details: Record<string, Json>;
  private readonly stride: number;
  private readonly dim: number;
  private readonly adam: boolean;
  private readonly targets: { user: boolean; item: boolean };
  private disposed = false;

  private constructor(
    private readonly pool: KernelPool,
    private readonly buf: Buffers,
    private readonly problem: TrainingProblem,
    private readonly config: FusedPlan,
    private readonly schedule: EpochSchedule,
  ) {
    this.dim = config.dim;
    this.stride = strideOf(this.dim);
    this.adam = config.optimizer.code !== 'sgd';
    this.targets = config.targets;
    this.details = {
      threads: pool.threads,
      simd: true,
      optimizer: config.optimizer.code,
      kernelBuild: pool.build,
      workers: pool.liveWorkers,
    };
  }

  static async create(problem: TrainingProblem, config: FusedPlan, schedule: EpochSchedule, init: Tables, options: TrainerOptions): Promise<FusedTrainer> {
    const { numUsers, numItems } = problem;
    const dim = config.dim;
    const n = config.sampler.negatives;
    const B = schedule.batch;
    const numPairs = problem.pairUsers.length;
    if (init.dim !== dim || init.user.length !== numUsers * dim || init.item.length !== numItems * dim)
      throw new InternalError(`fused trainer: initial tables (dim ${init.dim}, ${init.user.length} + ${init.item.length} values) do not match ${numUsers} users, ${numItems} items, dim ${dim}`);
    if (problem.pairItems.length !== numPairs) throw new InternalError('fused trainer: pairUsers and pairItems differ in length');
    if (!Number.isInteger(B) || B < 1) throw new InternalError(`fused trainer: batch must be an integer >= 1, got ${B}`);
    const exclude = config.sampler.excludePositives;
    if (exclude) {
      const stuck = usersWithoutNegatives(problem.positives);
      if (stuck.length > 0)
        throw new UserError(`${stuck.length} user(s) (first: ${stuck[0]}) interacted with every item, so no negative can be drawn with exclude_positives: true`, {
          hint: 'set sampler.exclude_positives: false, or filter such users from the data',
        });
    }
    const threads = Math.max(1, Math.min(64, Math.floor(options.threads) || 1));
    const S = strideOf(dim);
    const targets = config.targets;
    const adam = config.optimizer.code !== 'sgd';
    const rowU = numUsers * S * 4;
    const rowI = numItems * S * 4;
    const nnz = problem.positives.nnz;
    const words = Math.ceil(numItems / 32);
    const bitsetBytes = exclude && numUsers * words * 4 <= BITSET_MAX_BYTES ? numUsers * words * 4 : 0;
    const shape = { numUsers, numItems, numPairs, nnz, dim, negatives: n, batch: B, threads, excludePositives: exclude, adam, targets };
    // The train step checked this already; here it guards direct callers before the memory is created.
    checkTrainingFits(shape, 'fused', Number.POSITIVE_INFINITY);
    const bytes = fusedTrainingBytes(shape, TRAIN_CHUNK);
    const lists = Math.ceil(B / TRAIN_CHUNK) * threads;
    const pool = await KernelPool.create(threads, bytes, bytes + (4 << 20));
    try {
      if (pool.kernels.trainCtxSize() !== TrainCtx.size || pool.kernels.syncSize() !== SYNC_SIZE)
        throw new InternalError('fused trainer: the kernel build does not match src/runtime/kernels/kernel-layout.ts (rebuild)');
      const a = (b: number) => pool.alloc(b);
      const ctx = a(TrainCtx.size);
      const sync = a(SYNC_SIZE);
      const buf: Buffers = {
        ctx,
        user: a(rowU),
        item: a(rowI),
        mUser: targets.user && adam ? a(rowU) : 0,
        vUser: targets.user && adam ? a(rowU) : 0,
        mItem: targets.item && adam ? a(rowI) : 0,
        vItem: targets.item && adam ? a(rowI) : 0,
        stampUser: config.backprop === 'onebp' ? a(numUsers * 4) : 0,
        stampItem: config.backprop === 'user_only' ? a(numItems * 4) : 0,
        touchUser: a(numUsers),
        touchItem: a(numItems),
        batchUsers: a(B * 4),
        batchPos: a(B * 4),
        batchNeg: a(B * n * 4),
      };
      const gUser = targets.user ? a(rowU) : 0;
      const gItem = targets.item ? a(rowI) : 0;
      const pairUsers = a(numPairs * 4);
      const pairItems = a(numPairs * 4);
      const order = a(numPairs * 8);
      const indptr = a((numUsers + 1) * 4);
      const indices = a(nnz * 4);
      const sampleLoss = a(B * 8);
      const contrib = a(B * (2 * n + 3) * 4);
      const coef = a(B * (n + 1) * 3 * 8);
      const bitset = bitsetBytes > 0 ? a(bitsetBytes) : 0;
      const itemBuckets = a(lists * TRAIN_CHUNK * (n + 1) * 16);
      const userBuckets = a(lists * TRAIN_CHUNK * 4);
      const moveBuckets = a(lists * TRAIN_CHUNK * 4);
      const bucketCounts = a(lists * 12);
      if (bitset) {
        const bits = pool.i32(bitset, numUsers * words);
        const { indptr: ip, indices: ix } = problem.positives;
        for (let u = 0; u < numUsers; u++) for (let q = ip[u]!; q < ip[u + 1]!; q++) bits[u * words + (ix[q]! >>> 5)]! |= 1 << (ix[q]! & 31);
      }

      pool.i32(pairUsers, numPairs).set(problem.pairUsers);
      pool.i32(pairItems, numPairs).set(problem.pairItems);
      pool.i32(indptr, numUsers + 1).set(problem.positives.indptr.subarray(0, numUsers + 1));
      pool.i32(indices, nnz).set(problem.positives.indices.subarray(0, nnz));

      const v = new DataView(pool.memory.buffer, ctx, TrainCtx.size);
      const i32 = (off: number, x: number) => v.setInt32(off, x, true);
      const u32 = (off: number, x: number) => v.setUint32(off, x >>> 0, true);
      const f64 = (off: number, x: number) => v.setFloat64(off, x, true);
      i32(TrainCtx.numUsers, numUsers);
      i32(TrainCtx.numItems, numItems);
      i32(TrainCtx.stride, S);
      i32(TrainCtx.negatives, n);
      i32(TrainCtx.batch, B);
      i32(TrainCtx.loss, LossCode[config.loss.code]);
      i32(TrainCtx.cosine, config.similarity === 'cosine' ? 1 : 0);
      i32(TrainCtx.backprop, BackpropCode[config.backprop]);
      i32(TrainCtx.dupSequential, config.aggregate?.duplicates === 'sequential' ? 1 : 0);
      i32(TrainCtx.optimizer, OptimizerCode[config.optimizer.code]);
      i32(TrainCtx.exclude, exclude ? 1 : 0);
      u32(TrainCtx.seed, schedule.seed);
      i32(TrainCtx.numPairs, numPairs);
      i32(TrainCtx.shuffle, schedule.shuffle ? 1 : 0);
      i32(TrainCtx.dropLast, schedule.dropLast ? 1 : 0);
      i32(TrainCtx.step, 0);
      const ptrs: [number, number][] = [
        [TrainCtx.user, buf.user], [TrainCtx.item, buf.item], [TrainCtx.mUser, buf.mUser], [TrainCtx.vUser, buf.vUser],
        [TrainCtx.mItem, buf.mItem], [TrainCtx.vItem, buf.vItem], [TrainCtx.gUser, gUser], [TrainCtx.gItem, gItem],
        [TrainCtx.touchUser, buf.touchUser], [TrainCtx.touchItem, buf.touchItem], [TrainCtx.stampUser, buf.stampUser],
        [TrainCtx.stampItem, buf.stampItem], [TrainCtx.pairUsers, pairUsers], [TrainCtx.pairItems, pairItems],
        [TrainCtx.order, order], [TrainCtx.indptr, indptr], [TrainCtx.indices, indices], [TrainCtx.batchUsers, buf.batchUsers],
        [TrainCtx.batchPos, buf.batchPos], [TrainCtx.batchNeg, buf.batchNeg], [TrainCtx.sampleLoss, sampleLoss],
        [TrainCtx.contrib, contrib], [TrainCtx.sync, sync], [TrainCtx.coef, coef], [TrainCtx.bitset, bitset],
        [TrainCtx.itemBuckets, itemBuckets], [TrainCtx.userBuckets, userBuckets], [TrainCtx.moveBuckets, moveBuckets], [TrainCtx.bucketCounts, bucketCounts],
      ];
      for (const [off, p] of ptrs) u32(off, p);
      f64(TrainCtx.temperature, config.loss.temperature);
      const o = config.optimizer;
      f64(TrainCtx.lr, o.lr);
      f64(TrainCtx.weightDecay, o.weightDecay);
      f64(TrainCtx.beta1, o.beta1);
      f64(TrainCtx.beta2, o.beta2);
      f64(TrainCtx.eps, o.eps);
      f64(TrainCtx.beta, config.aggregate ? config.aggregate.beta : 0);

      const trainer = new FusedTrainer(pool, buf, problem, config, schedule);
      trainer.writeTable(buf.user, init.user, numUsers);
      trainer.writeTable(buf.item, init.item, numItems);
      return trainer;
    } catch (e) {
      await pool.dispose();
      throw e;
    }
  }

  private ctx(): DataView {
    return new DataView(this.pool.memory.buffer, this.buf.ctx, TrainCtx.size);
  }

  private writeTable(ptr: number, src: Float32Array, rows: number): void {
    const d = this.dim;
    const S = this.stride;
    const dst = this.pool.f32(ptr, rows * S);
    if (S === d) dst.set(src.subarray(0, rows * d));
    else {
      dst.fill(0);
      for (let r = 0; r < rows; r++) dst.set(src.subarray(r * d, r * d + d), r * S);
    }
  }

  private readTable(ptr: number, rows: number): Float32Array {
    const d = this.dim;
    const S = this.stride;
    const src = this.pool.f32(ptr, rows * S);
    if (S === d) return src.slice();
    const out = new Float32Array(rows * d);
    for (let r = 0; r < rows; r++) out.set(src.subarray(r * S, r * S + d), r * d);
    return out;
  }

  private check(): void {
    if (this.disposed) throw new InternalError('fused trainer: used after dispose()');
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    this.check();
    if (!Number.isInteger(epoch) || epoch < 0) throw new InternalError(`fused trainer: epoch must be an integer >= 0, got ${epoch}`);
    const v = this.ctx();
    // lr x 1 is lr exactly, so without a schedule the kernel sees the same bits as before
    v.setFloat64(TrainCtx.lr, this.config.optimizer.lr * (this.config.schedule?.lrFactor(epoch) ?? 1), true);
    v.setInt32(TrainCtx.mode, 0, true);
    v.setUint32(TrainCtx.epoch, epoch >>> 0, true);
    v.setUint32(TrainCtx.stream, negativesStream(epoch), true);
    await this.pool.run('trainRun', this.buf.ctx);
    const r = this.ctx();
    const batches = r.getInt32(TrainCtx.batchesDone, true);
    const numPairs = this.problem.pairUsers.length;
    return {
      loss: batches > 0 ? r.getFloat64(TrainCtx.lossSum, true) / batches : Number.NaN,
      batches,
      samples: this.schedule.dropLast ? batches * this.schedule.batch : numPairs,
    };
  }

  async trainBatch(batch: Batch): Promise<number> {
    this.check();
    const n = this.config.sampler.negatives;
    const size = batch.size;
    if (!Number.isInteger(size) || size < 1 || size > this.schedule.batch)
      throw new InternalError(`fused trainer: a batch of ${size} pairs does not fit the schedule's batch of ${this.schedule.batch}`);
    if (batch.layout !== 'per_positive' || batch.width !== n) throw new InternalError(`fused trainer: a batch of ${batch.layout} candidates (width ${batch.width}) is not ${n} negatives per positive`);
    if (batch.users.length < size || batch.pos.length < size || batch.neg.length < size * n)
      throw new InternalError(`fused trainer: batch arrays hold fewer than ${size} pairs with ${n} negatives each`);
    const { numUsers, numItems } = this.problem;
    for (let i = 0; i < size; i++) {
      const u = batch.users[i]!;
      const p = batch.pos[i]!;
      if (!(u >= 0 && u < numUsers)) throw new InternalError(`fused trainer: batch user ${u} is not in [0, ${numUsers})`);
      if (!(p >= 0 && p < numItems)) throw new InternalError(`fused trainer: batch item ${p} is not in [0, ${numItems})`);
    }
    for (let i = 0; i < size * n; i++) {
      const q = batch.neg[i]!;
      if (!(q >= 0 && q < numItems)) throw new InternalError(`fused trainer: batch negative ${q} is not in [0, ${numItems})`);
    }
    this.pool.i32(this.buf.batchUsers, size).set(batch.users.subarray(0, size));
    this.pool.i32(this.buf.batchPos, size).set(batch.pos.subarray(0, size));
    this.pool.i32(this.buf.batchNeg, size * n).set(batch.neg.subarray(0, size * n));
    const v = this.ctx();
    v.setInt32(TrainCtx.mode, 1, true);
    v.setInt32(TrainCtx.explicitSize, size, true);
    await this.pool.run('trainRun', this.buf.ctx);
    return this.ctx().getFloat64(TrainCtx.lastLoss, true);
  }

  async embeddings(): Promise<Tables> {
    return this.parameters();
  }

  async parameters(): Promise<Tables> {
    this.check();
    return { user: this.readTable(this.buf.user, this.problem.numUsers), item: this.readTable(this.buf.item, this.problem.numItems), dim: this.dim };
  }

  /** Optimiser slots this configuration keeps: [name, pointer, rows]. */
  private slotList(): [string, number, number][] {
    if (!this.adam) return [];
    const { numUsers, numItems } = this.problem;
    const out: [string, number, number][] = [];
    if (this.targets.user) out.push(['m.user', this.buf.mUser, numUsers], ['v.user', this.buf.vUser, numUsers]);
    if (this.targets.item) out.push(['m.item', this.buf.mItem, numItems], ['v.item', this.buf.vItem, numItems]);
    return out;
  }

  async saveState(): Promise<TrainerState> {
    this.check();
    const slots: Record<string, Float32Array> = {};
    for (const [name, ptr, rows] of this.slotList()) slots[name] = this.readTable(ptr, rows);
    return { step: this.ctx().getInt32(TrainCtx.step, true), tables: await this.parameters(), slots };
  }

  async loadState(state: TrainerState): Promise<void> {
    this.check();
    const { numUsers, numItems } = this.problem;
    const d = this.dim;
    const t = state.tables;
    if (t.dim !== d || t.user.length !== numUsers * d || t.item.length !== numItems * d)
      throw new InternalError(`fused trainer: saved tables (dim ${t.dim}, ${t.user.length} + ${t.item.length} values) do not match ${numUsers} users, ${numItems} items, dim ${d}`);
    if (!Number.isInteger(state.step) || state.step < 0) throw new InternalError(`fused trainer: saved step ${state.step} is not an integer >= 0`);
    const slots = this.slotList();
    for (const [name, , rows] of slots) {
      const s = state.slots[name];
      if (!s || s.length !== rows * d) throw new InternalError(`fused trainer: saved state lacks optimiser slot '${name}' of ${rows} x ${d} values`);
    }
    this.writeTable(this.buf.user, t.user, numUsers);
    this.writeTable(this.buf.item, t.item, numItems);
    for (const [name, ptr, rows] of slots) this.writeTable(ptr, state.slots[name]!, rows);
    // stamps hold step numbers of the aggregation; a lower step after loading must not match stale ones
    if (this.buf.stampUser) this.pool.i32(this.buf.stampUser, numUsers).fill(0);
    if (this.buf.stampItem) this.pool.i32(this.buf.stampItem, numItems).fill(0);
    this.ctx().setInt32(TrainCtx.step, state.step, true);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.pool.dispose();
  }

  /** The lr the kernel applies now (tests check it follows the schedule). */
  get currentLr(): number {
    this.check();
    return this.ctx().getFloat64(TrainCtx.lr, true);
  }

  /** Live worker threads (tests check that dispose() leaves none). */
  get liveWorkers(): number {
    return this.pool.liveWorkers;
  }
}
