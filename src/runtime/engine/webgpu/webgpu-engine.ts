import { InternalError } from '../../../core/errors.js';
import type { TrainingModel } from '../../../contract/training.js';
import type { Support, TrainingEngine } from '../engine.js';
import { fusedPlan } from '../fused/fused-engine.js';
import type { GpuContext } from './gpu-device.js';
import { WebgpuTrainer } from './webgpu-trainer.js';

/**
 * The WebGPU engine: the WGSL kernels (wgsl/*.ts) behind the fused engine's contract. It trains
 * what the fused MF kernel trains (the same plan: mf x uniform x {infonce, bpr} x {dot, cosine} x
 * {both, onebp, user_only} x {adam dense / lazy, sgd}); graph encoders are refused with the
 * reason (LightGCN's propagation has a WGSL kernel, wgsl/spmm.ts, but no GPU trainer yet), and
 * select-engine falls back to the CPU engines.
 */
export function createWebgpuEngine(gpu: GpuContext): TrainingEngine & { gpu: GpuContext } {
  const supports = (model: TrainingModel): Support => {
    if (model.encoder.fused?.kind === 'graph') return { ok: false, reason: `the webgpu engine has no trainer for the graph encoder '${model.names.encoder}'` };
    const p = fusedPlan(model);
    return 'plan' in p ? { ok: true } : { ok: false, reason: p.reason.replace('the fused kernels', 'the webgpu kernels') };
  };
  return {
    name: 'webgpu',
    gpu,
    supports,
    async createTrainer(problem, model, schedule, init) {
      const p = fusedPlan(model);
      if (!('plan' in p) || model.encoder.fused?.kind === 'graph') throw new InternalError(`webgpu engine: ${'reason' in p ? p.reason : 'graph encoder'}`);
      return WebgpuTrainer.create(gpu, problem, p.plan, schedule, init);
    },
  };
}
