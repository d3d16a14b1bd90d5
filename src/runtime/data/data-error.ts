import { UserError } from '../../core/errors.js';

export interface DataErrorOptions {
  /** The data file (absolute path; the CLI shortens it for display). */
  file?: string;
  /** 1-based line number in `file`. */
  line?: number;
  expected?: string;
  found?: string;
  hint?: string;
}

/**
 * A problem with a data file the user pointed at (missing, malformed, corrupt): a UserError whose
 * message starts with `file:line:` like a compiler diagnostic, then says what was expected and
 * what was found. `message` may be empty when expected/found say it all.
 */
export class DataError extends UserError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly expected: string | undefined;
  readonly found: string | undefined;

  constructor(message: string, opts: DataErrorOptions) {
    super(composeMessage(message, opts), { hint: opts.hint });
    this.name = 'DataError';
    this.file = opts.file;
    this.line = opts.line;
    this.expected = opts.expected;
    this.found = opts.found;
  }
}

function composeMessage(message: string, o: DataErrorOptions): string {
  let where = '';
  if (o.file !== undefined) where = o.line !== undefined ? `${o.file}:${o.line}: ` : `${o.file}: `;
  let what = message;
  if (o.expected !== undefined) {
    const ef = `expected ${o.expected}${o.found !== undefined ? `, found ${o.found}` : ''}`;
    what = what ? `${what}: ${ef}` : ef;
  } else if (o.found !== undefined) {
    what = what ? `${what}: found ${o.found}` : `found ${o.found}`;
  }
  return where + what;
}

/** Quotes a piece of a data file for an error message: escaped like JSON, cut to `max` characters. */
export function quoteFound(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

/** A file-system failure on a data file (vanished, unreadable, a folder) as a DataError; null for other errors. */
export function fileSystemError(file: string, e: unknown): DataError | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new DataError('the file does not exist (any more)', { file });
    case 'EACCES':
    case 'EPERM':
      return new DataError('cannot read the file: permission denied', { file });
    case 'EISDIR':
      return new DataError('', { file, expected: 'a file', found: 'a folder' });
    default:
      return null;
  }
}
