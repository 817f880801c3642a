import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { BREAKER_TYPES } from '../../../machines/constants.ts';
import type { RuntimeStatus } from '../../runtime/types.ts';
import { CliError, ExitCode } from '../exitCodes.ts';
import { formatStatus } from '../format.ts';
import { clientFor, defaultOperator, withConnection, type ConnectionOptions } from '../options.ts';

interface StopOptions extends ConnectionOptions {
  strategy: string;
  reason: string;
  operator: string;
}
interface StatusOptions extends ConnectionOptions {
  strategy?: string;
  json?: boolean;
}
interface ResetOptions extends ConnectionOptions {
  strategy: string;
  breaker: string;
  operator: string;
  yes?: boolean;
}

/** Reads one line from stdin (the prompt goes to stderr, so stdout stays clean for scripts). */
async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
  try {
    const answer = rl.question(question);
    // stdin closed without an answer: resolve with nothing.
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    return (await Promise.race([answer, closed])).trim();
  } finally {
    rl.close();
  }
}

/** `breakerbox live …`: stop (emergency halt), status, reset. */
export function liveCommand(): Command {
  const live = new Command('live').description('operate live strategies through the control API');

  withConnection(
    live
      .command('stop')
      .description('emergency stop: halt a strategy at once (every new order is rejected, pending orders are cancelled)')
      .requiredOption('-s, --strategy <name>', 'strategy to halt')
      .requiredOption('-r, --reason <text>', 'why (kept in the journal)')
      .option('-o, --operator <name>', 'who halts (journalled)', defaultOperator())
      .option('--reduce-only', 'let risk-reducing orders pass (trading mode REDUCING) instead of rejecting every order'),
  ).action(async (opts: StopOptions & { reduceOnly?: boolean }) => {
    const mode = opts.reduceOnly ? ('reduceOnly' as const) : undefined;
    const { state, tradingMode } = await clientFor(opts).halt(opts.strategy, { operator: opts.operator, reason: opts.reason, ...(mode ? { mode } : {}) });
    process.stdout.write(`${opts.strategy} halted by ${opts.operator}: ${opts.reason}\nstate: ${state}${tradingMode ? `\ntrading mode: ${tradingMode}` : ''}\n`);
  });

  withConnection(
    live
      .command('status')
      .description('show the global and per-breaker state with live figures')
      .option('-s, --strategy <name>', 'only this strategy')
      .option('--json', 'print JSON (the API status objects) for scripts'),
  ).action(async (opts: StatusOptions) => {
    const client = clientFor(opts);
    const names = opts.strategy ? [opts.strategy] : (await client.strategies()).strategies.map((s) => s.name);
    const statuses: RuntimeStatus[] = [];
    for (const name of names) statuses.push(await client.status(name));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(opts.strategy ? statuses[0] : { strategies: statuses }, null, 2)}\n`);
      return;
    }
    process.stdout.write(statuses.length === 0 ? 'no strategies\n' : `${statuses.map(formatStatus).join('\n\n')}\n`);
  });

  withConnection(
    live
      .command('reset')
      .description('reset a breaker: request a token, confirm by typing the strategy name (or --yes), then confirm it')
      .requiredOption('-s, --strategy <name>', 'strategy')
      .requiredOption('-b, --breaker <type>', `breaker to reset (${BREAKER_TYPES.join(', ')})`)
      .option('-o, --operator <name>', 'who resets (journalled)', defaultOperator())
      .option('-y, --yes', 'do not ask for confirmation'),
  ).action(async (opts: ResetOptions) => {
    const client = clientFor(opts);
    const ticket = await client.requestReset(opts.strategy, { operator: opts.operator, breaker: opts.breaker });
    process.stderr.write(`reset of ${opts.strategy}/${ticket.breaker} requested; the confirmation expires at ${ticket.expiresAt}\n`);
    if (!opts.yes) {
      const typed = await ask(`type the strategy name (${opts.strategy}) to confirm the reset of ${ticket.breaker}: `);
      if (typed !== opts.strategy) {
        throw new CliError(ExitCode.USAGE, `confirmation did not match ${JSON.stringify(opts.strategy)}: reset NOT confirmed (the request expires by itself)`);
      }
    }
    const outcome = await client.confirmReset(opts.strategy, { operator: opts.operator, token: ticket.token });
    if (!outcome.confirmed) {
      throw new CliError(ExitCode.REFUSED, `reset of ${opts.strategy}/${outcome.breaker} refused: ${outcome.reason ?? 're-check failed'} (state ${outcome.state})`);
    }
    process.stdout.write(`${opts.strategy}/${outcome.breaker} reset by ${opts.operator}: ${outcome.state}\n`);
  });

  return live;
}
