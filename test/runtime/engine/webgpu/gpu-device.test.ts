import assert from 'node:assert/strict';
import { gpuContext, isSoftwareInfo } from '../../../../src/runtime/engine/webgpu/gpu-device.js';
import { gpuOrSkip } from './gpu-for-tests.js';

const info = (device: string, description = '', vendor = '') => ({ vendor, architecture: '', device, description });

describe('webgpu device: adapter selection', function () {
  this.timeout(60000);

  it('recognises software rasterisers by name, and real GPUs as hardware', () => {
    assert.equal(isSoftwareInfo(info('llvmpipe-llvm-15-0-6-256-bits-', 'OpenGL ES 3.2 Mesa 22.3.6')), true);
    assert.equal(isSoftwareInfo(info('SwiftShader Device (Subzero)', '', 'Google')), true);
    assert.equal(isSoftwareInfo(info('Intel(R) UHD', '', 'intel')), false);
    assert.equal(isSoftwareInfo(info('NVIDIA H200', 'NVIDIA: 580.1', 'nvidia')), false);
    assert.equal(isSoftwareInfo({ ...info('whatever'), isFallbackAdapter: true }), true);
  });

  it("'hardware' (what --backend auto asks for) never returns a software adapter", async () => {
    const g = await gpuContext('hardware');
    if ('reason' in g) assert.match(g.reason, /no Vulkan loader|no GPU adapter|software rasteriser|webgpu/);
    else assert.equal(g.kind, 'hardware');
  });

  it("'any' (--backend webgpu) gives a device with its description and limits", async function () {
    const g = await gpuOrSkip(this);
    assert.ok(g.description.length > 0);
    const limits = g.facts['limits'] as Record<string, number>;
    assert.ok(limits['maxStorageBuffersPerShaderStage']! >= 12, `the training kernels bind up to 12 storage buffers; the adapter allows ${limits['maxStorageBuffersPerShaderStage']}`);
    assert.equal(g.device.limits.maxStorageBuffersPerShaderStage, limits['maxStorageBuffersPerShaderStage']);
  });
});
