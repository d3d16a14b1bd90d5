import { paramsOf } from '../../contract/steps.js';
import type { Step } from '../executor/step.js';
import { applySplit } from '../splits/apply-split.js';
import { decodeDataset, encodeSplit } from './artifact-codecs.js';

/** Splits interactions into train / (valid) / test per the dataset's split component. */
export const splitStep: Step = {
  async run({ node, inputs }) {
    const p = paramsOf({ kind: 'split', params: node.params });
    const data = decodeDataset(inputs.get(node.inputs[0]!)!);
    const s = applySplit(p.split.name, p.split.params, data);
    return {
      files: encodeSplit(s),
      meta: {
        numUsers: s.numUsers,
        numItems: s.numItems,
        train: s.train.nnz,
        valid: s.valid?.nnz ?? 0,
        test: s.test.nnz,
        testUsers: s.test.activeUsers().length,
      },
    };
  },
  summarize: ({ meta }) => `train ${meta['train']}, valid ${meta['valid']}, test ${meta['test']} pairs`,
};
