import { writeSync } from 'node:fs';
import { InternalError, UserError } from '../core/errors.js';
import { cacheFsError } from '../runtime/cache/cache-fs-error.js';
import { runCli } from './cli.js';

/**
 * The entry point and the only place that maps errors to exit codes (changesets' one exit point):
 * a user's mistake prints its message (exit 1, or 2 for bad usage), never a stack trace;
 * anything else is a bug in expc and prints the stack with a request to report it.
 */
async function main(): Promise<number> {
  const io = {
    out: (t: string) => process.stdout.write(`${t}\n`),
    // synchronous: stderr may be a pipe (asynchronous on POSIX), and a Ctrl-C ends with process.exit
    warn: (t: string) => void writeSync(2, `${t}\n`),
  };
  try {
    await runCli(process.argv.slice(2), io);
    return 0;
  } catch (caught) {
    // A file-system refusal that reached here unannounced (with the path it concerns) is still the environment's, not a bug.
    const e = (caught as NodeJS.ErrnoException | null)?.path !== undefined ? (cacheFsError(caught, String((caught as NodeJS.ErrnoException).path), 'use') ?? caught) : caught;
    if (e instanceof UserError) {
      process.stderr.write(`${e.exitCode === 2 ? 'usage error: ' : ''}${e.message}\n`);
      if (e.options.hint) process.stderr.write(`hint: ${e.options.hint}\n`);
      return e.exitCode;
    }
    const err = e instanceof Error ? e : new InternalError(String(e));
    process.stderr.write(`expc: internal error (a bug in expc, please report it with the command you ran):\n${err.stack ?? err.message}\n`);
    return 70;
  }
}

// A broken pipe (expc plan | head) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

const code = await main();
process.exitCode = code;
