import { gpuContext, type GpuContext } from '../../../../src/runtime/engine/webgpu/gpu-device.js';

/**
 * The device the WebGPU tests run on: a real GPU when there is one, else Mesa's llvmpipe through
 * Dawn's OpenGL ES backend (CI). Where neither can be created (no `webgpu` package, no Mesa) the
 * tests skip and say why; EXPC_REQUIRE_WEBGPU=1 (set by .ci/run and the device check) turns
 * that skip into a failure, so CI cannot pass by silently skipping them.
 */
export async function gpuOrSkip(ctx: Mocha.Context): Promise<GpuContext> {
  const g = await gpuContext('any');
  if ('reason' in g) {
    if (process.env['EXPC_REQUIRE_WEBGPU'] === '1') throw new Error(`EXPC_REQUIRE_WEBGPU=1 but no WebGPU adapter: ${g.reason}`);
    console.log(`      (skipped: no WebGPU adapter: ${g.reason})`);
    ctx.skip();
  }
  return g;
}
