/**
 * What the executor reports while it works. Renderers (listr2 on a terminal, plain lines in CI,
 * nothing in tests) subscribe to these; the executor never prints.
 */
export type ExecutorEvent =
  | { type: 'node-start'; id: string; label: string }
  | { type: 'node-cached'; id: string; label: string; key: string }
  | { type: 'node-done'; id: string; label: string; key: string; seconds: number; summary?: string }
  | { type: 'node-failed'; id: string; label: string; message: string }
  | { type: 'node-skipped'; id: string; label: string; because: string }
  | {
      type: 'epoch';
      id: string;
      epoch: number;
      epochs: number;
      loss: number;
      seconds: number;
      /** The monitored metric, when this epoch was evaluated. */
      metric?: { name: string; value: number; best: number; bestEpoch: number };
    }
  | { type: 'log'; level: 'info' | 'warn'; message: string; id?: string };

export type EventSink = (event: ExecutorEvent) => void;

export const ignoreEvents: EventSink = () => {};
