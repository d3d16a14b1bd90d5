import type * as TF from '@tensorflow/tfjs-core';
import { register } from 'node:module';
import { InternalError } from '../../core/errors.js';

let done: Promise<void> | undefined;

/**
 * Makes tfjs autograd usable. tfjs-core's bundles (what Node loads for '@tensorflow/tfjs-core')
 * carry no gradient functions: the umbrella package @tensorflow/tfjs registers them from
 * tfjs-core's ES module sources (register_all_gradients). Without the umbrella, those sources
 * are loaded here through a narrow module hook; they register tfjs's own gradient configs in
 * the global registry shared by every copy of tfjs-core (the engine and tensor checks are
 * global too). A no-op when gradients are already registered (e.g. by tfjs-node). About 0.5 s, once.
 */
export function ensureGradients(tf: typeof TF): Promise<void> {
  done ??= (async () => {
    if (tf.getGradient('GatherV2') !== undefined && tf.getGradient('Mean') !== undefined) return;
    register(new URL('./tfjs-core-esm-hook.js', import.meta.url));
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);
    if (tf.getGradient('GatherV2') === undefined)
      throw new InternalError("tfjs gradients could not be registered: GatherV2 has no gradient after loading tfjs-core's register_all_gradients");
  })();
  return done;
}
