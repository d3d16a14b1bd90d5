import { InternalError } from '../../core/errors.js';
import type { SamplerBehaviour } from '../../contract/training.js';
import type { TrainerState } from './engine.js';

/** Restores a stateful sampler from a saved trainer state; a state that lacks it (or has one for a stateless sampler) is a mismatch. */
export function loadSamplerState(sampler: SamplerBehaviour, state: TrainerState): void {
  if (sampler.state && !state.sampler) throw new InternalError('the saved state has no sampler state, but the sampler keeps one');
  if (!sampler.state && state.sampler) throw new InternalError('the saved state has a sampler state, but the sampler keeps none');
  if (sampler.state && state.sampler) sampler.state.load(state.sampler);
}
