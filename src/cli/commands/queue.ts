import { Queue } from 'bullmq';
import { UserError } from '../../core/errors.js';
import { cancelSweep, sweepStatuses } from '../../runtime/executor/queue/queue-admin.js';
import { QUEUE_NAME, queueConnection } from '../../runtime/executor/queue/queued-step.js';
import { formatTable } from '../summary.js';

export interface QueueCommandOptions {
  action: 'status' | 'cancel';
  queue: string;
  sweep?: string;
  json: boolean;
  out: (text: string) => void;
}

/** `expc queue status [SWEEP]` and `expc queue cancel SWEEP`. */
export async function queueCommand(o: QueueCommandOptions): Promise<void> {
  // Fail fast when Redis is not there: an admin command should not wait for it forever.
  const queue = new Queue(QUEUE_NAME, { connection: { ...queueConnection(o.queue), maxRetriesPerRequest: 1, retryStrategy: () => null } });
  queue.on('error', () => {});
  try {
    await queue.waitUntilReady().catch((e: Error) => {
      throw new UserError(`cannot reach the queue at ${o.queue}: ${e.message}`, { hint: 'is redis-server running there? (--queue redis://HOST:PORT)' });
    });
    if (o.action === 'cancel') {
      const known = await sweepStatuses(queue, o.sweep);
      if (!known.length) throw new UserError(`no sweep '${o.sweep}' on ${o.queue}`, { hint: '`expc queue status` lists the sweeps it knows' });
      const n = await cancelSweep(queue, o.sweep!);
      o.out(o.json ? JSON.stringify({ sweep: o.sweep, cancelled: n }) : `sweep ${o.sweep}: ${n} job(s) removed or stopped; finished steps stay in the store`);
      return;
    }
    const sweeps = await sweepStatuses(queue, o.sweep);
    if (o.sweep && !sweeps.length) throw new UserError(`no sweep '${o.sweep}' on ${o.queue}`, { hint: '`expc queue status` lists the sweeps it knows' });
    if (o.json) {
      o.out(JSON.stringify(sweeps, null, 2));
      return;
    }
    if (!sweeps.length) {
      o.out(`no sweeps on ${o.queue}`);
      return;
    }
    o.out(
      formatTable(
        ['sweep', 'experiment', 'submitted', 'waiting', 'active', 'done', 'failed', ''],
        sweeps.map((s) => [s.sweep, s.experiment, s.submitted.slice(0, 19), String(s.counts.waiting + s.counts['waiting-children'] + s.counts.prioritized + s.counts.delayed), String(s.counts.active), String(s.counts.completed), String(s.counts.failed), s.cancelled ? 'cancelled' : '']),
      ),
    );
    for (const s of sweeps) {
      for (const a of s.active) o.out(`  ${s.sweep}: ${a.label} on ${a.worker ?? '?'}${a.epoch !== null ? `, epoch ${a.epoch}/${a.epochs}, loss ${a.loss!.toFixed(4)}` : ''}`);
      for (const f of s.failed) o.out(`  ${s.sweep}: ${f.label} failed: ${f.reason}`);
    }
  } finally {
    await queue.close().catch(() => {});
  }
}
