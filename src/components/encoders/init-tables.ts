import { hash4, Stream, unitFrom } from '../../core/rng.js';
import type { Tables } from '../../contract/training.js';

/** How layer-0 tables are initialised (shared by every encoder with embedding tables). */
export interface InitParams {
  dim: number;
  init: 'xavier_normal' | 'xavier_uniform' | 'normal' | 'uniform';
  std: number;
}

/** The schema properties of InitParams, for encoder schemas. */
export const initProperties = {
  dim: { type: 'integer', minimum: 1, maximum: 4096, default: 64, description: 'embedding dimension d' },
  init: {
    type: 'string',
    enum: ['xavier_normal', 'xavier_uniform', 'normal', 'uniform'],
    default: 'xavier_normal',
    description: "initialisation of both tables; xavier_* use fan_in = d, fan_out = rows as torch's nn.init on an nn.Embedding weight",
  },
  std: { type: 'number', exclusiveMinimum: 0, default: 0.1, description: 'standard deviation for init: normal, half-width for init: uniform' },
} as const;

/** A standard normal for element `idx` of a table: Box-Muller over two counter-based uniforms. */
function normalAt(seed: number, stream: number, idx: number): number {
  const u1 = unitFrom(hash4(seed, stream, idx, 0));
  const u2 = unitFrom(hash4(seed, stream, idx, 1));
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Initialises a rows x dim table. xavier_* follow torch.nn.init on an nn.Embedding weight
 * (shape rows x dim: fan_in = dim, fan_out = rows): normal with std sqrt(2 / (rows + dim)),
 * uniform on +-sqrt(6 / (rows + dim)).
 */
export function initTable(rows: number, dim: number, p: InitParams, seed: number, stream: number): Float32Array {
  const t = new Float32Array(rows * dim);
  const fan = rows + dim;
  for (let i = 0; i < t.length; i++) {
    switch (p.init) {
      case 'xavier_normal':
        t[i] = Math.sqrt(2 / fan) * normalAt(seed, stream, i);
        break;
      case 'xavier_uniform':
        t[i] = Math.sqrt(6 / fan) * (2 * unitFrom(hash4(seed, stream, i, 0)) - 1);
        break;
      case 'normal':
        t[i] = p.std * normalAt(seed, stream, i);
        break;
      case 'uniform':
        t[i] = p.std * (2 * unitFrom(hash4(seed, stream, i, 0)) - 1);
        break;
    }
  }
  return t;
}

export function initTables(numUsers: number, numItems: number, p: InitParams, seed: number): Tables {
  return {
    user: initTable(numUsers, p.dim, p, seed, Stream.initUser),
    item: initTable(numItems, p.dim, p, seed, Stream.initItem),
    dim: p.dim,
  };
}
