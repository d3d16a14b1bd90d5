/**
 * Byte offsets of the training and ranking contexts, mirrors of assembly/layout.ts (the trainer
 * and the ranker check the sizes against the module's trainCtxSize() / rankCtxSize()).
 */
export const TrainCtx = {
  numUsers: 0,
  numItems: 4,
  stride: 8,
  negatives: 12,
  batch: 16,
  loss: 20,
  cosine: 24,
  backprop: 28,
  dupSequential: 32,
  optimizer: 36,
  exclude: 40,
  seed: 44,
  numPairs: 48,
  shuffle: 52,
  dropLast: 56,
  step: 60,
  epoch: 64,
  stream: 68,
  mode: 72,
  explicitSize: 76,
  batchesDone: 80,
  user: 96,
  item: 100,
  mUser: 104,
  vUser: 108,
  mItem: 112,
  vItem: 116,
  gUser: 120,
  gItem: 124,
  touchUser: 128,
  touchItem: 132,
  stampUser: 136,
  stampItem: 140,
  pairUsers: 144,
  pairItems: 148,
  /** u64 per pair: the epoch's (user, item) pairs in visiting order. */
  order: 152,
  indptr: 156,
  indices: 160,
  batchUsers: 164,
  batchPos: 168,
  batchNeg: 172,
  sampleLoss: 176,
  contrib: 180,
  sync: 184,
  coef: 188,
  bitset: 192,
  itemBuckets: 196,
  userBuckets: 200,
  moveBuckets: 204,
  bucketCounts: 208,
  temperature: 256,
  lr: 264,
  beta1: 272,
  beta2: 280,
  eps: 288,
  weightDecay: 296,
  beta: 304,
  lossSum: 312,
  lastLoss: 320,
  size: 384,
} as const;

export const SYNC_SIZE = 256;

/** Samples per forward-pass work unit and bucket list (assembly/layout.ts CHUNK). */
export const TRAIN_CHUNK = 16;

export const LossCode = { infonce: 0, bpr: 1 } as const;
export const BackpropCode = { both: 0, onebp: 1, user_only: 2 } as const;
export const OptimizerCode = { 'adam-dense': 0, 'adam-lazy': 1, sgd: 2 } as const;

/** Byte offsets of the ranking context (mirror of assembly/layout.ts). */
export const RankCtx = {
  q: 0,
  numItems: 4,
  numItemsPadded: 8,
  dim: 12,
  k: 16,
  numExclude: 20,
  users: 24,
  itemsT: 28,
  exclude: 32,
  userIds: 36,
  out: 40,
  scratch: 44,
  scratchSize: 48,
  sync: 52,
  size: 64,
} as const;

/** Users the ranking micro-kernel scores together (assembly/layout.ts RANK_USER_BLOCK). */
export const RANK_USER_BLOCK = 4;
/** Item tile width of the ranking micro-kernel: items are padded to a multiple of it. */
export const RANK_ITEM_TILE = 8;
