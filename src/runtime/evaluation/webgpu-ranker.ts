/// <reference types="@webgpu/types" />
import { InternalError } from '../../core/errors.js';
import type { GpuContext } from '../engine/webgpu/gpu-device.js';
import { GpuRunner } from '../engine/webgpu/gpu-runner.js';
import { RANK_MAX_DIM, RANK_THREADS, rankTopKKernel } from '../engine/webgpu/wgsl/rank-top-k.js';
import { checkRankRequest, NORM_FLOOR } from './js-ranker.js';
import type { RankRequest, Ranker } from './rank.js';

/** Scratch of one chunk (64 lists of K per user): users per dispatch are sized to keep it near this. */
const SCRATCH_BYTES = 32 << 20;

/**
 * Full ranking on the GPU (wgsl/rank-top-k.ts): the item table is uploaded once per call, users
 * go in chunks; scores are float32 like the WebAssembly rankers, so results agree with them
 * except where two scores differ only by float rounding.
 */
export function createWebgpuRanker(gpu: GpuContext): Ranker & { dispose(): Promise<void> } {
  return {
    name: 'webgpu',
    async topK(req: RankRequest): Promise<Int32Array> {
      const { numItems } = checkRankRequest(req);
      const { tables, users, k, exclude } = req;
      const d = tables.dim;
      if (d > RANK_MAX_DIM) throw new InternalError(`webgpu ranker: dim ${d} exceeds the kernel's ${RANK_MAX_DIM} (the user row is kept in workgroup memory)`);
      const out = new Int32Array(users.length * k).fill(-1);
      if (users.length === 0) return out;
      const chunk = Math.max(1, Math.min(users.length, 8192, Math.floor(SCRATCH_BYTES / (RANK_THREADS * k * 8))));
      const scale = new Float32Array(numItems).fill(1);
      if (req.similarity === 'cosine')
        for (let i = 0; i < numItems; i++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += tables.item[i * d + j]! * tables.item[i * d + j]!;
          scale[i] = 1 / Math.max(Math.sqrt(s), NORM_FLOOR);
        }
      const run = new GpuRunner(gpu.device);
      try {
        // the largest excluded total of any chunk sizes that buffer once
        const rowsOf = (u: number) => exclude.reduce((s, e) => s + e.indptr[u + 1]! - e.indptr[u]!, 0);
        let maxEx = 1;
        for (let c0 = 0; c0 < users.length; c0 += chunk) {
          let s = 0;
          for (let q = c0; q < Math.min(users.length, c0 + chunk); q++) s += rowsOf(users[q]!);
          maxEx = Math.max(maxEx, s);
        }
        run.buffer('users', chunk * d * 4);
        run.buffer('items', numItems * d * 4);
        run.buffer('scale', numItems * 4);
        run.buffer('exIndptr', (chunk + 1) * 4);
        run.buffer('exIndices', maxEx * 4);
        run.buffer('scratchScore', chunk * RANK_THREADS * k * 4);
        run.buffer('scratchItem', chunk * RANK_THREADS * k * 4);
        run.buffer('out', chunk * k * 4);
        run.buffer('shape', 16);
        run.write('items', tables.item);
        run.write('scale', scale);
        run.write('shape', Uint32Array.of(numItems, 0, 0, 0));
        const kernel = await run.pipeline(rankTopKKernel(d, k));
        for (let c0 = 0; c0 < users.length; c0 += chunk) {
          const nq = Math.min(chunk, users.length - c0);
          const rows = new Float32Array(nq * d);
          const indptr = new Uint32Array(nq + 1);
          const ex: number[] = [];
          for (let q = 0; q < nq; q++) {
            const u = users[c0 + q]!;
            rows.set(tables.user.subarray(u * d, u * d + d), q * d);
            const row: number[] = [];
            for (const e of exclude) for (let p = e.indptr[u]!; p < e.indptr[u + 1]!; p++) row.push(e.indices[p]!);
            row.sort((a, b) => a - b);
            ex.push(...row);
            indptr[q + 1] = ex.length;
          }
          run.write('users', rows);
          run.write('exIndptr', indptr);
          if (ex.length > 0) run.write('exIndices', Uint32Array.from(ex));
          const enc = gpu.device.createCommandEncoder();
          const pass = enc.beginComputePass();
          pass.setPipeline(kernel.pipeline);
          pass.setBindGroup(0, kernel.group);
          pass.dispatchWorkgroups(nq);
          pass.end();
          gpu.device.queue.submit([enc.finish()]);
          const [res] = await run.read([{ name: 'out', bytes: nq * k * 4 }]);
          // NONE (0xffffffff) reads as -1: the padding of rank.ts
          out.set(new Int32Array(res!), c0 * k);
        }
        return out;
      } finally {
        run.dispose();
      }
    },
    async dispose() {},
  };
}
