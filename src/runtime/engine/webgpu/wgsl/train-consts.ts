import type { FusedPlan } from '../../fused/fused-trainer.js';
import { f32, u32 } from './common.js';

/**
 * The constants of one training configuration, baked into the WGSL of its kernels (sizes,
 * component choices, hyper-parameters): the compiler then drops the branches a configuration
 * does not take, and each configuration gets its own pipelines.
 */
export interface TrainConsts {
  numUsers: number;
  numItems: number;
  dim: number;
  negatives: number;
  seed: number;
  plan: FusedPlan;
}

/** Whether user rows get gradients (not under onebp) and item rows (not under user_only). */
export const userGrad = (c: TrainConsts) => c.plan.backprop !== 'onebp';
export const itemGrad = (c: TrainConsts) => c.plan.backprop !== 'user_only';

export function constsWgsl(c: TrainConsts): string {
  const p = c.plan;
  const o = p.optimizer;
  const m = c.negatives + 1;
  return /* wgsl */ `
const NUM_USERS: u32 = ${u32(c.numUsers)};
const NUM_ITEMS: u32 = ${u32(c.numItems)};
const D: u32 = ${u32(c.dim)};
const N: u32 = ${u32(c.negatives)};
const M: u32 = ${u32(m)};          // candidates per sample: the positive, then N negatives
const COEF: u32 = ${u32(2 * m + 1)}; // coefficients per sample: a_j, c_j, e
const SEED: u32 = ${u32(c.seed >>> 0)};
const EXCLUDE: bool = ${p.sampler.excludePositives};
const BPR: bool = ${p.loss.code === 'bpr'};
const COSINE: bool = ${p.similarity === 'cosine'};
const INV_T: f32 = ${f32(1 / p.loss.temperature)};
const USER_GRAD: bool = ${userGrad(c)};
const ITEM_GRAD: bool = ${itemGrad(c)};
const ONEBP: bool = ${p.backprop === 'onebp'};
const USER_ONLY: bool = ${p.backprop === 'user_only'};
const DUP_SEQUENTIAL: bool = ${p.aggregate?.duplicates === 'sequential'};
const SGD: bool = ${o.code === 'sgd'};
const LAZY: bool = ${o.code === 'adam-lazy'};
const LR: f32 = ${f32(o.lr)};
const WD: f32 = ${f32(o.weightDecay)};
const B1: f32 = ${f32(o.beta1)};
const C1: f32 = ${f32(1 - o.beta1)};
const B2: f32 = ${f32(o.beta2)};
const C2: f32 = ${f32(1 - o.beta2)};
const EPS: f32 = ${f32(o.eps)};
const BETA: f32 = ${f32(p.aggregate ? p.aggregate.beta : 0)};
const OMB: f32 = ${f32(p.aggregate ? 1 - p.aggregate.beta : 1)};
const NORM_FLOOR: f32 = 1e-12f;
`;
}
