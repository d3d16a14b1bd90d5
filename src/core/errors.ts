import type { Diagnostic } from '../compiler/diagnostics.js';

/**
 * A mistake of the user's (bad input, a missing file, a wrong flag). main.ts prints its message,
 * never a stack trace, and exits with `exitCode`: 1 for bad input, 2 for bad usage of the CLI.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly options: { exitCode?: number; diagnostics?: Diagnostic[]; hint?: string } = {},
  ) {
    super(message);
    this.name = 'UserError';
  }
  get exitCode(): number {
    return this.options.exitCode ?? 1;
  }
}

/** A bad command line: exit code 2. */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: 2, hint });
    this.name = 'UsageError';
  }
}

/** A bug in expc itself: main.ts prints the stack and asks for a report. */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}

/** Exhaustiveness check for discriminated unions. */
export function assertUnreachable(x: never, what = 'value'): never {
  throw new InternalError(`unexpected ${what}: ${JSON.stringify(x)}`);
}
