import { UsageError } from '../../core/errors.js';
import type { TrainingEngine } from './engine.js';
import type { TrainingModel } from '../../contract/training.js';

/**
 * Chooses the engine of one trial. `auto`: the fused CPU kernels when they implement the
 * configuration and the tfjs backend computes on the CPU anyway (cpu, wasm, tfjs-node without
 * a GPU), otherwise the generic tfjs engine. An explicit `fused` that cannot train the
 * configuration is the user's mistake (UsageError with the reason).
 */
export function selectEngine(
  requested: 'auto' | 'tfjs' | 'fused',
  config: TrainingModel,
  backend: { name: string; cpuBound: boolean },
  engines: { tfjs: TrainingEngine; fused: TrainingEngine },
): { engine: TrainingEngine; reason: string } {
  switch (requested) {
    case 'tfjs':
      return { engine: engines.tfjs, reason: `--engine tfjs (tfjs backend ${backend.name})` };
    case 'fused': {
      const s = engines.fused.supports(config);
      if (!s.ok) throw new UsageError(`--engine fused cannot train this configuration: ${s.reason}`, 'use --engine auto (or tfjs), which trains every configuration');
      return { engine: engines.fused, reason: '--engine fused' };
    }
    case 'auto': {
      if (!backend.cpuBound) return { engine: engines.tfjs, reason: `tfjs: the ${backend.name} backend computes on a GPU` };
      const s = engines.fused.supports(config);
      if (!s.ok) return { engine: engines.tfjs, reason: `tfjs: ${s.reason}` };
      return { engine: engines.fused, reason: `fused CPU kernels: the ${backend.name} backend computes on the CPU` };
    }
  }
}
