import type { TrainParams } from '../../contract/steps.js';

/**
 * What most likely made the loss non-finite, read from the configuration, as a hint that names
 * the parameter to change. The thresholds are where, on unit-scale embeddings, an update or a
 * score overflows float32 within a few steps; below them the learning rate is the usual cause.
 */
export function divergenceHint(p: TrainParams): string {
  const opt = p.optimizer.params as Record<string, unknown>;
  const enc = p.encoder.params as Record<string, unknown>;
  const loss = p.loss.params as Record<string, unknown>;
  const lr = typeof opt['lr'] === 'number' ? opt['lr'] : undefined;
  const wd = typeof opt['weight_decay'] === 'number' ? opt['weight_decay'] : 0;
  const causes: string[] = [];
  // Coupled weight decay multiplies each row by (1 - lr * wd) per step (SGD) or adds wd * w to the
  // gradient (Adam): a large wd makes the update overshoot and grow.
  if (wd >= 1 || (lr !== undefined && lr * wd >= 1)) causes.push(`optimizer.weight_decay is ${wd}: with lr ${lr ?? '?'} the decay overshoots; use a value such as 1e-5 to 1e-2`);
  const init = enc['init'];
  const std = typeof enc['std'] === 'number' ? enc['std'] : undefined;
  const dim = typeof enc['dim'] === 'number' ? enc['dim'] : 1;
  // Dot products of two rows have scale std^2 * dim; beyond ~1e3 exp() in the loss overflows.
  if ((init === 'normal' || init === 'uniform') && std !== undefined && std * std * dim >= 100)
    causes.push(`encoder.std is ${std} with dim ${dim}: initial scores of scale ${(std * std * dim).toPrecision(2)} overflow the loss; use encoder.std around 0.1 or init: xavier_normal`);
  const temperature = typeof loss['temperature'] === 'number' ? loss['temperature'] : undefined;
  if (temperature !== undefined && temperature < 0.01) causes.push(`loss.temperature is ${temperature}: scores divided by it overflow; use 0.05 or more`);
  if (lr !== undefined && lr >= 1) causes.push(`optimizer.lr is ${lr}: lower it (1e-3 is a usual start)`);
  if (causes.length) return causes.join('; ');
  return `lower optimizer.lr (now ${lr ?? 'its default'}), or add weight decay`;
}
