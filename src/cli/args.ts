/**
 * What every subcommand shares: the command shape main.ts dispatches on, usage errors (exit 2),
 * and a thin wrapper over node:util parseArgs that turns its errors into usage errors.
 */
import { parseArgs } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, as shells report a Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/** Where the CLI reads an embedding server's API key (never a flag: `ps` would show it). */
export const API_KEY_ENV = 'ACTIVE_LABEL_API_KEY';

export interface CliIO {
  /** Results: one line per call. */
  out(line: string): void;
  /** Progress, warnings and errors: one line per call. */
  err(line: string): void;
  /** Rewrites the current progress line in a terminal; a no-op when stderr is not a TTY. */
  progress(line: string): void;
}

export interface CliCommand {
  readonly name: string;
  /** One line for `active-label --help`. */
  readonly summary: string;
  /** The full `active-label <name> --help` text. */
  readonly help: string;
  /** Runs with the arguments after the subcommand name; resolves to the exit code. */
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

/** Bad arguments: main prints the message and a pointer to --help, and exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

type OptionValue<S extends OptionSpec> = (S['type'] extends 'boolean' ? boolean : string) extends infer V
  ? S['multiple'] extends true
    ? V[]
    : V
  : never;

/** parseArgs in strict mode, with positionals refused and its errors reworded as UsageError. */
export function parseOptions<T extends Record<string, OptionSpec>>(argv: readonly string[], options: T): { [K in keyof T]?: OptionValue<T[K]> } {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
    return values as { [K in keyof T]?: OptionValue<T[K]> };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // parseArgs messages are already clear ("Unknown option '--x'"); drop its suggestion to use "--".
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, '.'));
  }
}

/** A required positive integer option, e.g. --batch-size. */
export function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  }
  return n;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
