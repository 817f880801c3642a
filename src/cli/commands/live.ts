import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { BREAKER_TYPES } from '../../../machines/rules/registry.ts';
import type { RuntimeStatus } from '../../runtime/types.ts';
import type { HaltAnswer } from '../client.ts';
import { CliError, ExitCode } from '../exitCodes.ts';
import type { CliIo } from '../io.ts';
import { formatStatus, jsonLines } from '../format.ts';
import { parseBreaker } from '../names.ts';
import { clientFor, defaultOperator, withConnection, type ConnectionOptions } from '../options.ts';

interface StopOptions extends ConnectionOptions {
  strategy?: string;
  all?: boolean;
  yes?: boolean;
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
async function ask(io: CliIo, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: io.stdin.isTTY === true });
  try {
    const answer = rl.question(question);
    // stdin closed without an answer: resolve with nothing.
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    return (await Promise.race([answer, closed])).trim();
  } finally {
    rl.close();
  }
}

/** What `live stop` prints: the new halt, or the earlier halt that stands (and whether this one tightened it). */
export function haltMessage(opts: { strategy: string; operator: string; reason: string }, answer: HaltAnswer): string {
  const mode = answer.tradingMode ? `\ntrading mode: ${answer.tradingMode}` : '';
  const earlier = answer.alreadyHalted;
  if (!earlier) return `${opts.strategy} halted by ${opts.operator}: ${opts.reason}\nstate: ${answer.state}${mode}\n`;
  const was = `${opts.strategy} was already halted by ${earlier.operator ?? 'unknown'} since ${earlier.since}${earlier.mode === 'reduceOnly' ? ' (reduce-only)' : ''}: ${earlier.reason ?? ''}`;
  const now = answer.tightened
    ? `tightened to a full halt by ${opts.operator}: ${opts.reason}`
    : `that halt stands; this one (by ${opts.operator}: ${opts.reason}) is journalled as a repeat`;
  return `${was}\n${now}\nstate: ${answer.state}${mode}\n`;
}

/** What an operator types to confirm `live stop --all` (the dashboard asks for the same). */
export const HALT_ALL_CONFIRMATION = 'halt all';

/** `live stop --all`: asks first (nothing is sent on a typo), halts every strategy, and lists each one's outcome. */
async function stopAll(io: CliIo, opts: StopOptions, mode: 'reduceOnly' | undefined): Promise<void> {
  const client = clientFor(opts);
  if (!opts.yes) {
    const names = (await client.strategies()).strategies.map((s) => s.name);
    const what = mode ? 'reduce-only halt' : 'halt';
    const typed = await ask(io, `${what} of every strategy (${names.length}: ${names.join(', ')}). Type "${HALT_ALL_CONFIRMATION}" to confirm: `);
    if (typed !== HALT_ALL_CONFIRMATION) {
      throw new CliError(ExitCode.USAGE, `confirmation did not match ${JSON.stringify(HALT_ALL_CONFIRMATION)} (got ${JSON.stringify(typed)}): nothing was halted, nothing was sent`);
    }
  }
  const { halted } = await client.haltAll({ operator: opts.operator, reason: opts.reason, ...(mode ? { mode } : {}) });
  const lines = halted.map((h) =>
    h.error
      ? `${h.strategy}: NOT HALTED: ${h.error}`
      : `${h.strategy}: ${h.state}${h.tradingMode ? ` (${h.tradingMode})` : ''}${h.alreadyHalted ? (h.tightened ? ', tightened an earlier reduce-only halt' : `, already halted by ${h.alreadyHalted.operator ?? 'unknown'}`) : ''}`,
  );
  io.stdout.write(`${halted.length === 0 ? 'no strategies' : lines.join('\n')}\n`);
  const failed = halted.filter((h) => h.error).length;
  if (failed > 0) throw new CliError(ExitCode.REFUSED, `${failed} of ${halted.length} strategies could not be halted`);
}

/** `breakerbox live …`: stop (emergency halt), status, reset. */
export function liveCommand(io: CliIo): Command {
  const live = new Command('live').description('operate live strategies through the control API');

  withConnection(
    live
      .command('stop')
      .description('emergency stop: halt a strategy at once (every new order is rejected, pending orders are cancelled)')
      .option('-s, --strategy <name>', 'strategy to halt')
      .option('--all', `halt every strategy of the process (asks you to type "${HALT_ALL_CONFIRMATION}" unless --yes)`)
      .requiredOption('-r, --reason <text>', 'why (kept in the journal)')
      .option('-o, --operator <name>', 'who halts (journalled)', defaultOperator())
      .option('--reduce-only', 'let risk-reducing orders pass (trading mode REDUCING) instead of rejecting every order')
      .option('-y, --yes', 'with --all: do not ask for confirmation'),
  ).action(async (opts: StopOptions & { reduceOnly?: boolean }) => {
    const mode = opts.reduceOnly ? ('reduceOnly' as const) : undefined;
    if (opts.all === true && opts.strategy !== undefined) throw new CliError(ExitCode.USAGE, 'give either --strategy <name> or --all, not both');
    if (opts.all === true) return void (await stopAll(io, opts, mode));
    if (opts.strategy === undefined) throw new CliError(ExitCode.USAGE, "required option '-s, --strategy <name>' not specified (or --all for every strategy)");
    const answer = await clientFor(opts).halt(opts.strategy, { operator: opts.operator, reason: opts.reason, ...(mode ? { mode } : {}) });
    io.stdout.write(haltMessage({ ...opts, strategy: opts.strategy }, answer));
  });

  withConnection(
    live
      .command('status')
      .description('show the global and per-breaker state with live figures')
      .option('-s, --strategy <name>', 'only this strategy')
      .option('--json', 'print JSON lines for scripts: one API status object per line'),
  ).action(async (opts: StatusOptions) => {
    const client = clientFor(opts);
    const names = opts.strategy ? [opts.strategy] : (await client.strategies()).strategies.map((s) => s.name);
    const statuses: RuntimeStatus[] = [];
    for (const name of names) statuses.push(await client.status(name));
    // JSON lines: one status object per line (one line with --strategy).
    if (opts.json) return void io.stdout.write(jsonLines(statuses));
    io.stdout.write(statuses.length === 0 ? 'no strategies\n' : `${statuses.map(formatStatus).join('\n\n')}\n`);
  });

  withConnection(
    live
      .command('reset')
      .description('reset a breaker: confirm by typing the strategy name (or --yes), then request a reset token and confirm it')
      .requiredOption('-s, --strategy <name>', 'strategy')
      .requiredOption('-b, --breaker <type>', `breaker to reset (${BREAKER_TYPES.join(', ')})`, parseBreaker)
      .option('-o, --operator <name>', 'who resets (journalled)', defaultOperator())
      .option('-y, --yes', 'do not ask for confirmation'),
  ).action(async (opts: ResetOptions) => {
    // Ask first: nothing reaches the server until the operator has typed the strategy's name, so a
    // typo cannot leave the breaker RESETTING with an unconfirmed token.
    if (!opts.yes) {
      const typed = await ask(io, `type the strategy name (${opts.strategy}) to confirm the reset of ${opts.breaker}: `);
      if (typed !== opts.strategy) {
        throw new CliError(ExitCode.USAGE, `confirmation did not match ${JSON.stringify(opts.strategy)} (got ${JSON.stringify(typed)}): reset NOT confirmed, nothing was sent to the server`);
      }
    }
    const client = clientFor(opts);
    const ticket = await client.requestReset(opts.strategy, { operator: opts.operator, breaker: opts.breaker });
    io.stderr.write(`reset of ${opts.strategy}/${ticket.breaker} requested; confirming (the token expires at ${ticket.expiresAt})\n`);
    const outcome = await client.confirmReset(opts.strategy, { operator: opts.operator, token: ticket.token });
    if (!outcome.confirmed) {
      throw new CliError(ExitCode.REFUSED, `reset of ${opts.strategy}/${outcome.breaker} refused: ${outcome.reason ?? 're-check failed'} (state ${outcome.state})`);
    }
    io.stdout.write(`${opts.strategy}/${outcome.breaker} reset by ${opts.operator}: ${outcome.state}\n`);
  });

  return live;
}
