import { InternalError } from '../../../core/errors.js';
import type { Support, TrainingEngine } from '../engine.js';
import type { ModelConfig } from '../../../components/model-config.js';
import { FusedTrainer } from './fused-trainer.js';

/**
 * What the fused kernels implement: mf x uniform x {infonce, bpr} (dot or cosine) x
 * {both, onebp, user_only} (last or sequential duplicates) x {adam dense or lazy, sgd}.
 * Names are compared as strings so that components added to ModelConfig later are refused
 * with a reason instead of reaching the kernels.
 */
function supports(config: ModelConfig): Support {
  const name = (slot: { name: string }) => slot.name;
  const checks: [string, string, readonly string[]][] = [
    ['encoder', name(config.encoder), ['mf']],
    ['sampler', name(config.sampler), ['uniform']],
    ['loss', name(config.loss), ['infonce', 'bpr']],
    ['backprop', name(config.backprop), ['both', 'onebp', 'user_only']],
    ['optimizer', name(config.optimizer), ['adam', 'sgd']],
  ];
  for (const [slot, got, ok] of checks) {
    if (!ok.includes(got)) return { ok: false, reason: `the fused kernels have no ${slot} '${got}' (they implement ${ok.join(', ')})` };
  }
  const sim = (config.loss.params as { similarity?: string }).similarity;
  if (sim !== 'dot' && sim !== 'cosine') return { ok: false, reason: `the fused kernels have no similarity '${String(sim)}' (they implement dot, cosine)` };
  return { ok: true };
}

export const fusedEngine: TrainingEngine = {
  name: 'fused',
  supports,
  async createTrainer(problem, config, schedule, init, options) {
    const s = supports(config);
    if (!s.ok) throw new InternalError(`fused engine: ${s.reason}`);
    return FusedTrainer.create(problem, config, schedule, init, options);
  },
};
