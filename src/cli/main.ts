/**
 * The `active-label` command line: dispatches to subcommands listed in one table. To add one,
 * export a `CliCommand` from its own file and add it to `commands` below (e.g. `simulateCommand`
 * from ./simulate).
 */
import { ActiveLabelError } from '../core/errors';
import { type CliCommand, type CliIO, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './args';
import { embedCommand } from './embed';
import { exportCommand } from './export';
import { reviewCommand } from './review';
import { simulateCommand } from './simulate';

const commands: readonly CliCommand[] = [embedCommand, simulateCommand, reviewCommand, exportCommand];

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: active-label <command> [options]',
    '',
    'Label text datasets with active learning. Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `active-label <command> --help` for the options of a command.',
    'Exit codes: 0 success, 1 runtime error, 2 usage error.',
  ].join('\n');
}

export function consoleIO(): CliIO {
  let progressShown = false;
  const clearProgress = (): void => {
    if (progressShown) process.stderr.write('\r\x1b[K');
    progressShown = false;
  };
  return {
    out: (line) => {
      clearProgress();
      process.stdout.write(`${line}\n`);
    },
    err: (line) => {
      clearProgress();
      process.stderr.write(`${line}\n`);
    },
    progress: (line) => {
      if (!process.stderr.isTTY) return;
      process.stderr.write(`\r\x1b[K${line}`);
      progressShown = true;
    },
  };
}

/** Runs one command line; resolves to the process exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO = consoleIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(topLevelHelp());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`active-label: unknown command "${name}"\n\n${topLevelHelp()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`active-label ${command.name}: ${error.message}\nRun \`active-label ${command.name} --help\` for usage.`);
      return EXIT_USAGE;
    }
    if (error instanceof ActiveLabelError) {
      io.err(`active-label ${command.name}: ${error.message}`);
      return EXIT_FAILURE;
    }
    io.err(`active-label ${command.name}: unexpected error: ${(error as Error).stack ?? String(error)}`);
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
