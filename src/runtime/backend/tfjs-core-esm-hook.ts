/**
 * Module hooks (node:module register) that let Node load tfjs-core's unbundled ES module
 * sources under dist/: they use extension-less relative imports ('../ops/mul') and sit in a
 * package without "type": "module". Scoped to those files only; tfjs-core's own bundles
 * (dist/tf-core.*.js) and every other module resolve as usual. Used by register-gradients.ts.
 */
import type { LoadHook, ResolveHook } from 'node:module';

const DIST = '/@tensorflow/tfjs-core/dist/';
const isEsmSource = (url: string | undefined): boolean => url !== undefined && url.includes(DIST) && !url.includes('/tf-core.');

export const resolve: ResolveHook = async (specifier, context, next) => {
  if (isEsmSource(context.parentURL) && (specifier.startsWith('./') || specifier.startsWith('../')) && !specifier.endsWith('.js')) {
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
  return next(specifier, context);
};

export const load: LoadHook = async (url, context, next) => {
  if (isEsmSource(url)) return next(url, { ...context, format: 'module' });
  return next(url, context);
};
