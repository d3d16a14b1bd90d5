import type { MovingAggregationParams } from './backprop/onebp.js';
import type { MfParams } from './encoders/mf.js';
import type { BprParams } from './losses/bpr.js';
import type { InfonceParams } from './losses/infonce.js';
import type { AdamParams } from './optimizers/adam.js';
import type { SgdParams } from './optimizers/sgd.js';
import type { UniformParams } from './samplers/uniform.js';

/**
 * The resolved components of one trial, as the training engines receive them (validated,
 * defaults applied). A discriminated union per slot, so an engine's `supports` can switch on
 * names and TypeScript checks that every combination is handled.
 */
export type EncoderConfig = { name: 'mf'; params: MfParams };
export type SamplerConfig = { name: 'uniform'; params: UniformParams };
export type LossConfig = { name: 'infonce'; params: InfonceParams } | { name: 'bpr'; params: BprParams };
export type BackpropConfig =
  | { name: 'both'; params: Record<string, never> }
  | { name: 'onebp'; params: MovingAggregationParams }
  | { name: 'user_only'; params: MovingAggregationParams };
export type OptimizerConfig = { name: 'adam'; params: AdamParams } | { name: 'sgd'; params: SgdParams };

export interface ModelConfig {
  encoder: EncoderConfig;
  sampler: SamplerConfig;
  loss: LossConfig;
  backprop: BackpropConfig;
  optimizer: OptimizerConfig;
}

/** Which table the loss gradient reaches, and which is moved by aggregation instead. */
export function gradientTargets(b: BackpropConfig): { user: boolean; item: boolean } {
  switch (b.name) {
    case 'both':
      return { user: true, item: true };
    case 'onebp':
      return { user: false, item: true };
    case 'user_only':
      return { user: true, item: false };
  }
}

export function similarityOf(loss: LossConfig): 'dot' | 'cosine' {
  return loss.params.similarity;
}

/**
 * The engine-facing view of a run's components. The cast is the trust boundary: every
 * component was validated against its schema, which is what these types describe.
 */
export function modelConfigOf(config: Record<'encoder' | 'sampler' | 'loss' | 'backprop' | 'optimizer', { name: string; params: unknown }>): ModelConfig {
  const view = (c: { name: string; params: unknown }) => ({ name: c.name, params: c.params });
  return {
    encoder: view(config.encoder),
    sampler: view(config.sampler),
    loss: view(config.loss),
    backprop: view(config.backprop),
    optimizer: view(config.optimizer),
  } as unknown as ModelConfig;
}
