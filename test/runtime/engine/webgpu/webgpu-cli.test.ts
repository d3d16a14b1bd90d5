import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gpuOrSkip } from './gpu-for-tests.js';

const run = promisify(execFile);

interface Summary {
  record: string;
  trials: { trial: string; status: string; keptEpoch: number | null; metrics: Record<string, number> }[];
}

/** `expc run --json` of the quick start (five trials: three runs and onebp's sweep, 10 epochs) in a cache of its own. */
async function quickstart(cache: string, ...flags: string[]): Promise<{ summary: Summary; stderr: string }> {
  const args = ['bin/expc.js', 'run', 'experiments/quickstart.exp', '--cache-dir', cache, '--json', '--threads', '1', '--only', 'twobp,onebp,userbp', '-S', 'training.epochs=10', ...flags];
  const { stdout, stderr } = await run(process.execPath, args, { env: { ...process.env, EXPC_DATA_DIR: '' }, maxBuffer: 1 << 26 });
  return { summary: JSON.parse(stdout) as Summary, stderr };
}

describe('expc run --backend webgpu: the quick start on the WebGPU engine', function () {
  this.timeout(300000);
  let dir: string;
  before(async function () {
    await gpuOrSkip(this);
    dir = mkdtempSync(join(tmpdir(), 'expc-webgpu-cli-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('trains and evaluates on the WGSL kernels with the CPU engine\'s metrics, and records the adapter', async () => {
    const cpu = await quickstart(join(dir, 'cpu'), '--backend', 'wasm');
    const gpu = await quickstart(join(dir, 'gpu'), '--backend', 'webgpu');
    const record = JSON.parse(readFileSync(gpu.summary.record, 'utf8')) as { environment: Record<string, unknown>; options: { backend: string } };
    assert.equal(record.options.backend, 'webgpu');
    const facts = record.environment['webgpu'] as { device: string; limits: Record<string, number> };
    assert.ok(facts && typeof facts.device === 'string' && facts.limits['maxStorageBufferBindingSize']! > 0, `adapter facts recorded: ${JSON.stringify(facts)}`);
    assert.equal(record.environment['ranker'], 'webgpu');
    const cpuTrials = new Map(cpu.summary.trials.map((t) => [t.trial, t]));
    for (const t of gpu.summary.trials.filter((x) => x.status === 'ran')) {
      const c = cpuTrials.get(t.trial)!;
      assert.equal(t.keptEpoch, c.keptEpoch, `${t.trial}: kept epoch`);
      for (const [m, v] of Object.entries(c.metrics)) assert.ok(Math.abs(t.metrics[m]! - v) < 2e-3, `${t.trial} ${m}: webgpu ${t.metrics[m]} vs fused ${v}`);
    }
    // onebp's sweep (beta 0.5, 0.99) comes with --only onebp
    assert.equal(gpu.summary.trials.filter((x) => x.status === 'ran').length, 5);
  });
});
