import { Command, CommanderError } from 'commander';
import { ConfigError } from '../errors.ts';
import { demoCommand } from './commands/demo.ts';
import { firmCommand } from './commands/firm.ts';
import { journalCommand } from './commands/journal.ts';
import { liveCommand } from './commands/live.ts';
import { replayCommand } from './commands/replay.ts';
import { serveCommand } from './commands/serve.ts';
import { HaltedStartError } from '../store/startup.ts';
import { CliError, ExitCode } from './exitCodes.ts';

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

/** Builds the `breakerbox` command tree. */
export function buildProgram(): Command {
  const program = new Command('breakerbox')
    .description('circuit breakers and risk monitoring for live algorithmic trading')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // Options after a subcommand belong to it (journal --strategy vs journal export --strategy).
    .enablePositionalOptions()
    .addHelpText('after', EXIT_HELP);
  program.addCommand(liveCommand());
  program.addCommand(journalCommand());
  program.addCommand(serveCommand());
  program.addCommand(demoCommand());
  program.addCommand(firmCommand());
  program.addCommand(replayCommand());
  const exitOverride = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code) ? ExitCode.OK : ExitCode.USAGE;
    }
    if (error instanceof CliError) {
      if (error.stdout) process.stdout.write(`${error.message}\n`);
      else process.stderr.write(`breakerbox: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof HaltedStartError) {
      process.stdout.write(`${error.message}\n`);
      return ExitCode.STORE;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`breakerbox: ${error.message}\n`);
      return ExitCode.USAGE;
    }
    process.stderr.write(`breakerbox: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.REFUSED;
  }
}
