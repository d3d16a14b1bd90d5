import { paramsOf, type LoadDatasetContext } from '../../contract/steps.js';
import { UserError } from '../../core/errors.js';
import type { Json } from '../../core/json.js';
import type { InputFile } from '../data/dataset.js';
import { DATASET_LOADERS } from '../datasets/loaders.js';
import type { Step } from '../executor/step.js';
import { encodeDataset } from './artifact-codecs.js';

/** Reads a dataset's files (or generates it) into dense-id interaction arrays. */
export const loadDatasetStep: Step = {
  async run({ node, services, emit, external }) {
    const p = paramsOf({ kind: 'load_dataset', params: node.params });
    const c = node.context as unknown as LoadDatasetContext;
    const loader = DATASET_LOADERS[p.loader.name];
    if (!loader) throw new UserError(`no loader for dataset component '${p.loader.name}'`);
    const ctx = services.dataContext(c.baseDir, (m) => emit({ type: 'log', level: 'info', message: m, id: node.id }));
    // The files exactly as hashed into the key: the loader checks that it parses those bytes.
    const inputs = Array.isArray(external) ? (external as unknown as InputFile[]) : await loader.resolveInputs(p.loader.params, ctx);
    const d = await loader.load(p.loader.params, ctx, inputs);
    return {
      files: encodeDataset(d),
      meta: {
        numUsers: d.numUsers,
        numItems: d.numItems,
        interactions: d.users.length,
        presplit: d.part !== null,
        itemTypes: d.itemTypes !== null,
        inputs: d.inputs.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })) as Json,
      },
    };
  },
  summarize: ({ meta }) => `${meta['numUsers']} users, ${meta['numItems']} items, ${meta['interactions']} interactions`,
};
