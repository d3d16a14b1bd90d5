import { defineComponent } from '../../contract/component.js';
import type { ScheduleBehaviour } from '../../contract/training.js';

/**
 * Multi-step learning-rate decay (torch.optim.lr_scheduler.MultiStepLR stepped once per epoch,
 * as the OneBP reference code's lr_dc / lr_dc_epoch): during epoch e (0-based, i.e. after e
 * epochs have completed) the optimiser's lr is
 *   lr_e = lr x gamma^(number of milestones m with m <= e),
 * so a milestone m lowers the lr from the (m+1)-th epoch on. Milestones must increase strictly
 * (compatibility.ts refuses others, as torch's Counter would count a repeated one twice).
 * A pure function of the epoch: a resumed run applies the same lr as an uninterrupted one.
 */
export interface MultistepParams {
  milestones: number[];
  gamma: number;
}

export function multistepFactor(p: MultistepParams, epoch: number): number {
  let passed = 0;
  for (const m of p.milestones) if (m <= epoch) passed++;
  return Math.pow(p.gamma, passed);
}

export const multistep = defineComponent<MultistepParams, ScheduleBehaviour>({
  slot: 'schedule',
  name: 'multistep',
  version: 1,
  summary: 'multi-step lr decay: the lr is multiplied by gamma after each milestone epoch (MultiStepLR, OneBP code lr_dc / lr_dc_epoch)',
  schema: {
    type: 'object',
    properties: {
      milestones: {
        type: 'array',
        items: { type: 'integer', minimum: 1 },
        default: [],
        description: 'epochs after which the lr is multiplied by gamma, strictly increasing (e.g. [100, 200]: epochs 101.. at lr x gamma, 201.. at lr x gamma^2)',
      },
      gamma: { type: 'number', exclusiveMinimum: 0, default: 0.1, description: 'the factor applied at each milestone' },
    },
    additionalProperties: false,
  },
  create: (p) => ({ lrFactor: (epoch) => multistepFactor(p, epoch) }),
});
