import { buildNormalizedAdjacency, summarizeAdjacency } from '../../components/encoders/graph/normalized-adjacency.js';
import type { Step } from '../executor/step.js';
import { decodeSplit, encodeAdjacency } from './artifact-codecs.js';

/**
 * The symmetric normalised adjacency D^-1/2 A D^-1/2 of a split's training pairs (LightGCN),
 * built once per split and cached, so every graph-encoder trial of a sweep reads it instead of
 * building it again. Stored as CSR .npy arrays (indptr, indices, values).
 */
export const adjacencyStep: Step = {
  async run({ node, inputs }) {
    const split = decodeSplit(inputs.get(node.inputs[0]!)!);
    const pairs = split.train.pairs();
    const adj = buildNormalizedAdjacency(split.numUsers, split.numItems, pairs.users, pairs.items);
    const s = summarizeAdjacency(adj);
    return { files: encodeAdjacency(adj), meta: { numUsers: s.numUsers, numItems: s.numItems, nnz: s.nnz, edges: s.edges, isolatedUsers: s.isolatedUsers, isolatedItems: s.isolatedItems, maxDegree: s.maxDegree } };
  },
  summarize: ({ meta }) => `${meta['nnz']} non-zeros (${meta['edges']} edges), ${meta['isolatedUsers']} isolated users, ${meta['isolatedItems']} isolated items`,
};
