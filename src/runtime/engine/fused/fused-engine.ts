import { InternalError } from '../../../core/errors.js';
import type { TrainingModel } from '../../../contract/training.js';
import type { Support, TrainingEngine } from '../engine.js';
import { FusedTrainer, type FusedPlan } from './fused-trainer.js';
import { GraphTrainer } from './graph-trainer.js';

/**
 * What the fused kernels can train, derived from the components' `fused` parts: a model whose
 * every component has one (today mf x uniform x {infonce, bpr} x {both, onebp, user_only} x
 * {adam dense or lazy, sgd}) and no regulariser. Other row-encoder models go to the graph
 * trainer with zero layers (rowFallbackSupport); anything else is refused with the first
 * component that has no kernel, and select-engine falls back to tfjs with that reason.
 */
export function fusedPlan(model: TrainingModel): { plan: FusedPlan } | { reason: string } {
  const missing = (slot: keyof TrainingModel['names']) => ({ reason: `the fused kernels have no ${slot} '${model.names[slot]}'` });
  const { encoder, sampler, loss, backprop, optimizer } = model;
  if (!encoder.fused || encoder.fused.kind !== 'rows') return missing('encoder');
  if (!sampler.fused) return missing('sampler');
  if (!loss.fused) return missing('loss');
  if (!backprop.fused) return missing('backprop');
  if (!optimizer.fused) return missing('optimizer');
  if (model.regularizer) return missing('regularizer');
  return {
    plan: {
      dim: encoder.dim,
      sampler: sampler.fused,
      loss: loss.fused,
      similarity: loss.similarity,
      backprop: backprop.fused.code,
      aggregate: backprop.aggregate,
      targets: backprop.targets,
      optimizer: optimizer.fused,
      schedule: model.schedule,
    },
  };
}

/** Graph encoders: the propagation kernels with the batch in JS (graph-trainer.ts); any sampler and loss, a dense optimiser. */
function graphSupport(model: TrainingModel): Support {
  if (!model.optimizer.fused) return { ok: false, reason: `the fused kernels have no optimizer '${model.names.optimizer}'` };
  if (model.optimizer.lazy) return { ok: false, reason: 'the fused graph trainer has no lazy optimiser (every row gets gradient through the graph)' };
  return { ok: true };
}

/**
 * Where the MF kernel has no part for a component (a model-aware or shared-candidate sampler, a
 * loss without a kernel, a regulariser), a row encoder still trains fused on the graph trainer
 * with zero propagation layers (E = P): the same JS batch maths, dense optimiser in place, no
 * adjacency. A lazy optimiser stays on tfjs (the graph trainer updates every row).
 */
function rowFallbackSupport(model: TrainingModel, kernelReason: string): Support {
  if (model.encoder.fused?.kind !== 'rows') return { ok: false, reason: kernelReason };
  const g = graphSupport(model);
  if (g.ok) return g;
  return { ok: false, reason: g.reason === kernelReason ? kernelReason : `${kernelReason}, and ${g.reason}` };
}

/** NGCF: its propagation and feature transforms on the kernels (ngcf-pass.ts), the batch as for graph encoders; no node dropout. */
function ngcfSupport(model: TrainingModel): Support {
  const enc = model.encoder.fused;
  if (enc?.kind === 'ngcf' && enc.nodeDropout > 0) return { ok: false, reason: 'the fused NGCF pass has no node dropout (node_dropout > 0)' };
  return graphSupport(model);
}

function supports(model: TrainingModel): Support {
  if (model.encoder.fused?.kind === 'graph') return graphSupport(model);
  if (model.encoder.fused?.kind === 'ngcf') return ngcfSupport(model);
  const p = fusedPlan(model);
  return 'plan' in p ? { ok: true } : rowFallbackSupport(model, p.reason);
}

export const fusedEngine: TrainingEngine = {
  name: 'fused',
  supports,
  async createTrainer(problem, model, schedule, init, options) {
    const enc = model.encoder.fused;
    if (enc?.kind === 'graph') {
      const s = graphSupport(model);
      if (!s.ok) throw new InternalError(`fused engine: ${s.reason}`);
      return GraphTrainer.create(problem, model, enc.layers, schedule, init, options);
    }
    if (enc?.kind === 'ngcf') {
      const s = ngcfSupport(model);
      if (!s.ok) throw new InternalError(`fused engine: ${s.reason}`);
      return GraphTrainer.create(problem, model, enc.layers, schedule, init, options);
    }
    const p = fusedPlan(model);
    if ('plan' in p) return FusedTrainer.create(problem, p.plan, schedule, init, options);
    const s = rowFallbackSupport(model, p.reason);
    if (!s.ok) throw new InternalError(`fused engine: ${s.reason}`);
    return GraphTrainer.create(problem, model, 0, schedule, init, options);
  },
};
