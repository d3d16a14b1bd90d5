/// <reference types="@webgpu/types" />
import { InternalError, UserError } from '../../../core/errors.js';
import type { Json } from '../../../core/json.js';
import { usersWithoutNegatives } from '../../../components/samplers/uniform.js';
import { batchCount, epochOrder, negativesStream } from '../../training/epoch.js';
import type { Batch, EpochResult, EpochSchedule, Tables, Trainer, TrainerState, TrainingProblem } from '../engine.js';
import type { FusedPlan } from '../fused/fused-trainer.js';
import { GpuRunner, type BoundKernel } from './gpu-runner.js';
import type { GpuContext } from './gpu-device.js';
import { batchLossKernel } from './wgsl/batch-loss.js';
import { indexFillKernel } from './wgsl/index-fill.js';
import { indexScanKernel } from './wgsl/index-scan.js';
import { indexSortKernel } from './wgsl/index-sort.js';
import { itemGrad, userGrad, type TrainConsts } from './wgsl/train-consts.js';
import { trainAggregateKernel } from './wgsl/train-aggregate.js';
import { trainedThreads, trainGatherKernel } from './wgsl/train-gather.js';
import { trainOptimizerKernel } from './wgsl/train-optimizer.js';
import { trainSampleKernel } from './wgsl/train-sample.js';

/** Bytes of BatchRec (wgsl/common.ts): start, size, index, mode, stream, stepSize, invSqrtBc2, t. */
const BATCH_RECORD_BYTES = 32;

interface Kernels {
  sample: BoundKernel;
  scan: BoundKernel;
  fill: BoundKernel;
  sort: BoundKernel;
  gather: BoundKernel;
  optimizer: BoundKernel;
  aggregate: BoundKernel;
  loss: BoundKernel;
}

/**
 * MF training on the GPU: the parameters, optimiser moments and the batch's working buffers
 * live on the device for the whole training; an epoch is one command buffer (per batch: sample,
 * transposed indexes, gather, optimiser step, aggregation, loss) and only the batch losses come
 * back. The epoch order is the same permutation as every engine's (epochOrder), uploaded once
 * per epoch; the negatives are drawn on the device from the same counter-based sequence.
 */
export class WebgpuTrainer implements Trainer {
  readonly engine = 'webgpu' as const;
  readonly details: Record<string, Json>;
  private step = 0;
  private disposed = false;

  private constructor(
    private readonly gpu: GpuContext,
    private readonly run: GpuRunner,
    private readonly k: Kernels,
    private readonly c: TrainConsts,
    private readonly problem: TrainingProblem,
    private readonly schedule: EpochSchedule,
  ) {
    this.details = { adapter: gpu.description, adapterKind: gpu.kind, optimizer: c.plan.optimizer.code, webgpu: gpu.version };
  }

  static async create(gpu: GpuContext, problem: TrainingProblem, plan: FusedPlan, schedule: EpochSchedule, init: Tables): Promise<WebgpuTrainer> {
    const { numUsers, numItems } = problem;
    const d = plan.dim;
    const n = plan.sampler.negatives;
    const m = n + 1;
    const B = schedule.batch;
    const numPairs = problem.pairUsers.length;
    if (init.dim !== d || init.user.length !== numUsers * d || init.item.length !== numItems * d)
      throw new InternalError(`webgpu trainer: initial tables (dim ${init.dim}, ${init.user.length} + ${init.item.length} values) do not match ${numUsers} users, ${numItems} items, dim ${d}`);
    if (!Number.isInteger(B) || B < 1) throw new InternalError(`webgpu trainer: batch must be an integer >= 1, got ${B}`);
    if (plan.sampler.excludePositives) {
      const stuck = usersWithoutNegatives(problem.positives);
      if (stuck.length > 0)
        throw new UserError(`${stuck.length} user(s) (first: ${stuck[0]}) interacted with every item, so no negative can be drawn with exclude_positives: true`, {
          hint: 'set sampler.exclude_positives: false, or filter such users from the data',
        });
    }
    const c: TrainConsts = { numUsers, numItems, dim: d, negatives: n, seed: schedule.seed, plan };
    const run = new GpuRunner(gpu.device);
    try {
      const adam = plan.optimizer.code !== 'sgd';
      const rowsU = numUsers * d * 4;
      const rowsI = numItems * d * 4;
      const maxBatches = Math.max(1, batchCount(numPairs, B, false));
      const nnz = problem.positives.nnz;
      run.buffer('order', numPairs * 8);
      run.buffer('indptr', (numUsers + 1) * 4);
      run.buffer('indices', nnz * 4);
      run.buffer('user', rowsU);
      run.buffer('item', rowsI);
      const ug = userGrad(c);
      const ig = itemGrad(c);
      run.buffer('mUser', ug && adam ? rowsU : 0);
      run.buffer('vUser', ug && adam ? rowsU : 0);
      run.buffer('mItem', ig && adam ? rowsI : 0);
      run.buffer('vItem', ig && adam ? rowsI : 0);
      run.buffer('gUser', ug ? rowsU : 0);
      run.buffer('gItem', ig ? rowsI : 0);
      run.buffer('bUsers', B * 4);
      run.buffer('bItems', B * m * 4);
      run.buffer('coef', B * (2 * m + 1) * 4);
      run.buffer('sLoss', B * 4);
      run.buffer('itemCount', numItems * 4);
      run.buffer('itemStart', (numItems + 1) * 4);
      run.buffer('itemEntries', B * m * 4);
      run.buffer('userCount', numUsers * 4);
      run.buffer('userStart', (numUsers + 1) * 4);
      run.buffer('userEntries', B * 4);
      run.buffer('losses', maxBatches * 4);
      run.buffer('records', maxBatches * BATCH_RECORD_BYTES);
      run.uniform('batch', BATCH_RECORD_BYTES);
      run.write('indptr', problem.positives.indptr.subarray(0, numUsers + 1));
      if (nnz > 0) run.write('indices', problem.positives.indices.subarray(0, nnz));
      run.write('user', init.user);
      run.write('item', init.item);
      const kernels: Kernels = {
        sample: await run.pipeline(trainSampleKernel(c)),
        scan: await run.pipeline(indexScanKernel(numItems, numUsers)),
        fill: await run.pipeline(indexFillKernel(c)),
        sort: await run.pipeline(indexSortKernel(numItems, numUsers)),
        gather: await run.pipeline(trainGatherKernel(c)),
        optimizer: await run.pipeline(trainOptimizerKernel(c)),
        aggregate: await run.pipeline(trainAggregateKernel(c)),
        loss: await run.pipeline(batchLossKernel()),
      };
      return new WebgpuTrainer(gpu, run, kernels, c, problem, schedule);
    } catch (e) {
      run.dispose();
      throw e;
    }
  }

  private check(): void {
    if (this.disposed) throw new InternalError('webgpu trainer: used after dispose()');
  }

  /** The batch records of steps step+1 ..: Adam's bias corrections computed in float64, like the CPU engines. */
  private records(batches: { start: number; size: number; mode: number; stream: number }[]): ArrayBuffer {
    const buf = new ArrayBuffer(batches.length * BATCH_RECORD_BYTES);
    const v = new DataView(buf);
    const o = this.c.plan.optimizer;
    batches.forEach((b, i) => {
      const t = this.step + i + 1;
      const at = i * BATCH_RECORD_BYTES;
      v.setUint32(at, b.start, true);
      v.setUint32(at + 4, b.size, true);
      v.setUint32(at + 8, i, true);
      v.setUint32(at + 12, b.mode, true);
      v.setUint32(at + 16, b.stream >>> 0, true);
      v.setFloat32(at + 20, o.lr / (1 - Math.pow(o.beta1, t)), true);
      v.setFloat32(at + 24, 1 / Math.sqrt(1 - Math.pow(o.beta2, t)), true);
      v.setUint32(at + 28, t, true);
    });
    return buf;
  }

  /** Encodes and runs the batches; returns their mean losses. */
  private async runBatches(batches: { start: number; size: number; mode: number; stream: number }[]): Promise<Float32Array> {
    const { run, k, c } = this;
    run.write('records', new Uint8Array(this.records(batches)));
    const m = c.negatives + 1;
    const trained = trainedThreads(c);
    const moved = c.plan.backprop === 'onebp' ? c.numUsers * c.dim : c.plan.backprop === 'user_only' ? c.numItems * c.dim : 0;
    const enc = this.gpu.device.createCommandEncoder();
    batches.forEach((b, i) => {
      enc.copyBufferToBuffer(run.get('records'), i * BATCH_RECORD_BYTES, run.get('batch'), 0, BATCH_RECORD_BYTES);
      const pass = enc.beginComputePass();
      run.dispatch(pass, k.sample, b.size);
      run.dispatch(pass, k.scan, 2 * k.scan.kernel.workgroup);
      run.dispatch(pass, k.fill, b.size * m + b.size);
      run.dispatch(pass, k.sort, c.numItems + c.numUsers);
      run.dispatch(pass, k.gather, trained);
      run.dispatch(pass, k.optimizer, trained);
      run.dispatch(pass, k.aggregate, moved);
      run.dispatch(pass, k.loss, 1);
      pass.end();
    });
    this.gpu.device.queue.submit([enc.finish()]);
    this.step += batches.length;
    const [losses] = await run.read([{ name: 'losses', bytes: batches.length * 4 }]);
    return new Float32Array(losses!);
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    this.check();
    if (!Number.isInteger(epoch) || epoch < 0) throw new InternalError(`webgpu trainer: epoch must be an integer >= 0, got ${epoch}`);
    const { pairUsers, pairItems } = this.problem;
    const numPairs = pairUsers.length;
    const { batch: B, seed, shuffle, dropLast } = this.schedule;
    const order = epochOrder(numPairs, seed, epoch, shuffle);
    const packed = new Uint32Array(numPairs * 2);
    for (let p = 0; p < numPairs; p++) {
      packed[2 * p] = pairUsers[order[p]!]!;
      packed[2 * p + 1] = pairItems[order[p]!]!;
    }
    if (numPairs > 0) this.run.write('order', packed);
    const nb = batchCount(numPairs, B, dropLast);
    const stream = negativesStream(epoch);
    const batches = Array.from({ length: nb }, (_, b) => ({ start: b * B, size: Math.min(B, numPairs - b * B), mode: 0, stream }));
    const losses = nb > 0 ? await this.runBatches(batches) : new Float32Array(0);
    let sum = 0;
    for (const l of losses) sum += l;
    return { loss: nb > 0 ? sum / nb : Number.NaN, batches: nb, samples: dropLast ? nb * B : numPairs };
  }

  async trainBatch(batch: Batch): Promise<number> {
    this.check();
    const n = this.c.negatives;
    const m = n + 1;
    const size = batch.size;
    if (!Number.isInteger(size) || size < 1 || size > this.schedule.batch)
      throw new InternalError(`webgpu trainer: a batch of ${size} pairs does not fit the schedule's batch of ${this.schedule.batch}`);
    if (batch.layout !== 'per_positive' || batch.width !== n) throw new InternalError(`webgpu trainer: a batch of ${batch.layout} candidates (width ${batch.width}) is not ${n} negatives per positive`);
    const { numUsers, numItems } = this.problem;
    const items = new Uint32Array(size * m);
    for (let i = 0; i < size; i++) {
      const u = batch.users[i]!;
      const p = batch.pos[i]!;
      if (!(u >= 0 && u < numUsers)) throw new InternalError(`webgpu trainer: batch user ${u} is not in [0, ${numUsers})`);
      if (!(p >= 0 && p < numItems)) throw new InternalError(`webgpu trainer: batch item ${p} is not in [0, ${numItems})`);
      items[i * m] = p;
      for (let j = 0; j < n; j++) {
        const q = batch.neg[i * n + j]!;
        if (!(q >= 0 && q < numItems)) throw new InternalError(`webgpu trainer: batch negative ${q} is not in [0, ${numItems})`);
        items[i * m + 1 + j] = q;
      }
    }
    this.run.write('bUsers', Uint32Array.from(batch.users.subarray(0, size)));
    this.run.write('bItems', items);
    const [loss] = await this.runBatches([{ start: 0, size, mode: 1, stream: 0 }]);
    return loss!;
  }

  private async readTables(names: [string, number][]): Promise<Float32Array[]> {
    const d = this.c.dim;
    const bufs = await this.run.read(names.map(([name, rows]) => ({ name, bytes: rows * d * 4 })));
    return bufs.map((b) => new Float32Array(b));
  }

  async parameters(): Promise<Tables> {
    this.check();
    const [user, item] = await this.readTables([['user', this.c.numUsers], ['item', this.c.numItems]]);
    return { user: user!, item: item!, dim: this.c.dim };
  }

  async embeddings(): Promise<Tables> {
    return this.parameters();
  }

  /** Optimiser slots this configuration keeps: [record name, buffer, rows]. */
  private slotList(): [string, string, number][] {
    if (this.c.plan.optimizer.code === 'sgd') return [];
    const out: [string, string, number][] = [];
    if (userGrad(this.c)) out.push(['m.user', 'mUser', this.c.numUsers], ['v.user', 'vUser', this.c.numUsers]);
    if (itemGrad(this.c)) out.push(['m.item', 'mItem', this.c.numItems], ['v.item', 'vItem', this.c.numItems]);
    return out;
  }

  async saveState(): Promise<TrainerState> {
    this.check();
    const slots: Record<string, Float32Array> = {};
    const list = this.slotList();
    const tables = await this.readTables(list.map(([, buf, rows]) => [buf, rows]));
    list.forEach(([name], i) => (slots[name] = tables[i]!));
    return { step: this.step, tables: await this.parameters(), slots };
  }

  async loadState(state: TrainerState): Promise<void> {
    this.check();
    const { numUsers, numItems, dim: d } = this.c;
    const t = state.tables;
    if (t.dim !== d || t.user.length !== numUsers * d || t.item.length !== numItems * d)
      throw new InternalError(`webgpu trainer: saved tables (dim ${t.dim}, ${t.user.length} + ${t.item.length} values) do not match ${numUsers} users, ${numItems} items, dim ${d}`);
    if (!Number.isInteger(state.step) || state.step < 0) throw new InternalError(`webgpu trainer: saved step ${state.step} is not an integer >= 0`);
    const list = this.slotList();
    for (const [name, , rows] of list) {
      const s = state.slots[name];
      if (!s || s.length !== rows * d) throw new InternalError(`webgpu trainer: saved state lacks optimiser slot '${name}' of ${rows} x ${d} values`);
    }
    this.run.write('user', t.user);
    this.run.write('item', t.item);
    for (const [name, buf] of list) this.run.write(buf, state.slots[name]!);
    this.step = state.step;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.run.dispose();
  }
}
