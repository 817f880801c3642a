import { Command, CommanderError } from 'commander';
import { ConfigError } from '../errors.ts';
import { demoCommand } from './commands/demo.ts';
import { firmCommand } from './commands/firm.ts';
import { journalCommand } from './commands/journal.ts';
import { liveCommand } from './commands/live.ts';
import { overrideCommand } from './commands/override.ts';
import { replayCommand } from './commands/replay.ts';
import { serveCommand } from './commands/serve.ts';
import { HaltedStartError } from '../store/startup.ts';
import { CliError, ExitCode } from './exitCodes.ts';
import { processIo, routeOutput, type CliIo } from './io.ts';

const EXIT_HELP = `
Exit codes:
  0  ok
  1  usage error (bad option, invalid config, confirmation not given)
  2  server unreachable
  3  authentication failed (no token: 401, wrong token: 403)
  4  refused by the server (validation, conflict, rate limit, reset refused)
  5  not found (unknown strategy)
  6  serve/demo: store directory locked by another process or unreadable (--allow-halted-start overrides)

Emergency stop:
  breakerbox live stop --strategy <name> --reason "<why>" --token $BREAKERBOX_TOKEN`;

/** Builds the `breakerbox` command tree, reading and writing through `io` (default: the process's streams). */
export function buildProgram(io: CliIo = processIo()): Command {
  const program = new Command('breakerbox')
    .description('circuit breakers and risk monitoring for live algorithmic trading')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // Options after a subcommand belong to it (journal --strategy vs journal export --strategy).
    .enablePositionalOptions()
    .addHelpText('after', EXIT_HELP);
  program.addCommand(liveCommand(io));
  program.addCommand(journalCommand(io));
  program.addCommand(serveCommand(io));
  program.addCommand(demoCommand(io));
  program.addCommand(firmCommand(io));
  program.addCommand(replayCommand(io));
  program.addCommand(overrideCommand(io));
  // Every command throws instead of exiting (main() turns that into an exit code) and writes its
  // help and usage errors to `io`: commander does not pass either on to added subcommands.
  const exitOverride = (cmd: Command) => {
    cmd.exitOverride();
    routeOutput(cmd, io);
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

/**
 * Runs the CLI; resolves with the exit code, which the bin sets as the process's. `argv` is as in
 * `process.argv` (node and the script first); `io` lets a test run a command in process.
 */
export async function main(argv: readonly string[] = process.argv, io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv]);
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code) ? ExitCode.OK : ExitCode.USAGE;
    }
    if (error instanceof CliError) {
      if (error.stdout) io.stdout.write(`${error.message}\n`);
      else io.stderr.write(`breakerbox: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof HaltedStartError) {
      io.stdout.write(`${error.message}\n`);
      return ExitCode.STORE;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`breakerbox: ${error.message}\n`);
      return ExitCode.USAGE;
    }
    io.stderr.write(`breakerbox: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.REFUSED;
  }
}
