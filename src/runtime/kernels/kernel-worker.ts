// A compute thread of a KernelPool: instantiates the kernels on the pool's shared memory, then
// sleeps on the control word; each new generation runs one command on all threads.
import { parentPort, workerData } from 'node:worker_threads';
import { instantiateKernels } from './kernel-module.js';
import { Ctl, CMD_EXIT, CMD_KERNELS, type WorkerData } from './kernel-protocol.js';

const data = workerData as WorkerData;
const kernels = instantiateKernels(data.module, data.memory);
const ctl = new Int32Array(data.memory.buffer, data.ctlOffset, Ctl.length);
let seen = data.generation;

for (;;) {
  Atomics.wait(ctl, Ctl.gen, seen);
  const gen = Atomics.load(ctl, Ctl.gen);
  if (gen === seen) continue;
  seen = gen;
  const cmd = Atomics.load(ctl, Ctl.cmd);
  if (cmd === CMD_EXIT) break;
  try {
    const name = CMD_KERNELS[cmd];
    if (name === undefined) throw new Error(`unknown kernel command ${cmd}`);
    kernels[name](data.tid, data.threads, Atomics.load(ctl, Ctl.arg));
    parentPort!.postMessage({ gen });
  } catch (e) {
    parentPort!.postMessage({ gen, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    break;
  }
}
parentPort!.close();
