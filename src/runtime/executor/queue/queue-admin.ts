import type { Job, Queue } from 'bullmq';
import type { QueuedStep, StepProgress, SweepData } from './queued-step.js';

const STATES = ['active', 'waiting', 'waiting-children', 'prioritized', 'delayed', 'completed', 'failed'] as const;
export type JobState = (typeof STATES)[number];

export interface SweepStatus {
  sweep: string;
  experiment: string;
  submittedBy: string;
  submitted: string;
  cancelled: boolean;
  /** Step jobs (train, evaluate) by state. */
  counts: Record<JobState, number>;
  active: { label: string; worker: string | null; epoch: number | null; epochs: number | null; loss: number | null }[];
  failed: { label: string; reason: string }[];
}

/** Jobs of every sweep still known to the queue (finished ones are kept a day, failed ones a week). */
async function jobsByState(queue: Queue): Promise<{ job: Job; state: JobState }[]> {
  const out: { job: Job; state: JobState }[] = [];
  for (const state of STATES) for (const job of await queue.getJobs([state])) if (job) out.push({ job, state });
  return out;
}

export async function sweepStatuses(queue: Queue, only?: string): Promise<SweepStatus[]> {
  const sweeps = new Map<string, SweepStatus>();
  const jobs = await jobsByState(queue);
  for (const { job } of jobs) {
    if (job.name !== 'sweep') continue;
    const d = job.data as SweepData;
    if (only && d.sweep !== only) continue;
    const s = sweeps.get(d.sweep);
    // Several roots: the sweep was resubmitted (lost jobs); the cancellation of any counts.
    if (s) s.cancelled ||= d.cancelled === true;
    else sweeps.set(d.sweep, { sweep: d.sweep, experiment: d.experiment, submittedBy: d.submittedBy, submitted: d.submitted, cancelled: d.cancelled === true, counts: Object.fromEntries(STATES.map((x) => [x, 0])) as Record<JobState, number>, active: [], failed: [] });
  }
  for (const { job, state } of jobs) {
    if (job.name === 'sweep') continue;
    const d = job.data as QueuedStep;
    const s = sweeps.get(d.sweep);
    if (!s) continue;
    s.counts[state]++;
    if (state === 'active') {
      const p = (typeof job.progress === 'object' ? job.progress : null) as StepProgress | null;
      s.active.push({ label: d.node.label, worker: p?.worker ?? null, epoch: p?.epoch ?? null, epochs: p?.epochs ?? null, loss: p?.loss ?? null });
    }
    if (state === 'failed') s.failed.push({ label: d.node.label, reason: job.failedReason.split('\n')[0]! });
  }
  return [...sweeps.values()].sort((a, b) => a.submitted.localeCompare(b.submitted));
}

/**
 * Cancels a sweep: its roots are flagged (running jobs see the flag within a second and stop,
 * keeping their checkpoints) and its jobs not yet started are removed. Finished steps stay in
 * the store. Returns how many jobs were removed or flagged.
 */
export async function cancelSweep(queue: Queue, sweep: string): Promise<number> {
  let n = 0;
  const jobs = await jobsByState(queue);
  for (const { job, state } of jobs) {
    if (job.name !== 'sweep' || (job.data as SweepData).sweep !== sweep) continue;
    if (state === 'completed' || state === 'failed') continue;
    await job.updateData({ ...(job.data as SweepData), cancelled: true });
  }
  for (const { job, state } of jobs) {
    if (job.name === 'sweep' || (job.data as QueuedStep).sweep !== sweep) continue;
    if (state === 'active') n++;
    else if (state !== 'completed' && state !== 'failed') {
      try {
        await job.remove();
        n++;
      } catch {
        /* started meanwhile: it sees the flag */
      }
    }
  }
  return n;
}
