import type * as TF from '@tensorflow/tfjs-core';
import { InternalError } from '../../core/errors.js';

let done: Promise<void> | undefined;

/**
 * Makes tfjs autograd usable. tfjs-core's Node bundle carries no gradient functions; the
 * umbrella package @tensorflow/tfjs registers them (with the same tfjs-core instance, which
 * npm dedupes). It is loaded after the backend was chosen: it leaves the active backend alone.
 * A no-op when gradients are already registered (tfjs-node brings them). About 0.2 s, once.
 */
export function ensureGradients(tf: typeof TF): Promise<void> {
  done ??= (async () => {
    if (tf.getGradient('GatherV2') !== undefined && tf.getGradient('Mean') !== undefined) return;
    await import('@tensorflow/tfjs');
    if (tf.getGradient('GatherV2') === undefined)
      throw new InternalError('tfjs gradients could not be registered: GatherV2 has no gradient after loading @tensorflow/tfjs (is a second copy of tfjs-core installed?)');
  })();
  return done;
}
