import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { CliError, ExitCode } from '../exitCodes.ts';
import type { CliIo } from '../io.ts';
import { firmStatusLines, type FirmStatusView } from '../../present/firmStatus.ts';
import { clientFor, defaultOperator, withConnection, type ConnectionOptions } from '../options.ts';

interface ScopeOptions extends ConnectionOptions {
  desk?: string;
  strategy?: string;
  operator: string;
}

const selector = (o: { desk?: string; strategy?: string }) => ({ ...(o.desk ? { desk: o.desk } : {}), ...(o.strategy ? { strategy: o.strategy } : {}) });

async function ask(io: CliIo, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: io.stdin.isTTY === true });
  try {
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    return (await Promise.race([rl.question(question), closed])).trim();
  } finally {
    rl.close();
  }
}

const scoped = (command: Command): Command =>
  withConnection(
    command
      .option('-d, --desk <name>', 'only this desk (default: the whole firm)')
      .option('-s, --strategy <name>', 'only this strategy, wherever it runs')
      .option('-o, --operator <name>', 'who acts (recorded)', defaultOperator()),
  );

/** `breakerbox firm …`: the firm-wide kill switch through any process's API (docs/cluster.md). */
export function firmCommand(io: CliIo): Command {
  const firm = new Command('firm').description("the firm's kill switch and scopes, across every process of the cluster");

  scoped(firm.command('halt').description('halt every strategy in scope, in every process (orders rejected, pending ones cancelled)'))
    .requiredOption('-r, --reason <text>', 'why (recorded on the firm audit stream)')
    .action(async (opts: ScopeOptions & { reason: string }) => {
      const answer = await clientFor(opts).call<{ scope: string; created: boolean; operator: string; reason: string }>('POST', '/api/firm/halt', {
        operator: opts.operator,
        reason: opts.reason,
        ...selector(opts),
      });
      io.stdout.write(
        answer.created
          ? `${answer.scope} halted by ${answer.operator}: ${answer.reason}\n`
          : `${answer.scope} was already halted by ${answer.operator}: ${answer.reason}\n`,
      );
    });

  scoped(firm.command('reset').description("lift a scope's halt: request a token, confirm by typing the scope's name (or --yes)"))
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (opts: ScopeOptions & { yes?: boolean }) => {
      const client = clientFor(opts);
      if (!opts.yes) {
        // Ask before anything is requested: a typo records no reset request and leaves no token.
        const query = new URLSearchParams(selector(opts)).toString();
        const preview = await client.call<{ scope: string; confirm: string; halt: { operator: string; reason: string } }>('GET', `/api/firm/reset${query ? `?${query}` : ''}`);
        io.stderr.write(`${preview.scope} is halted by ${preview.halt.operator}: ${preview.halt.reason}\n`);
        const typed = await ask(io, `type ${JSON.stringify(preview.confirm)} to lift the halt at ${preview.scope}: `);
        if (typed !== preview.confirm) throw new CliError(ExitCode.USAGE, `confirmation did not match ${JSON.stringify(preview.confirm)}: nothing was requested, the halt at ${preview.scope} stands`);
      }
      const ticket = await client.call<{ token: string; scope: string; expiresAt: string; confirm: string }>('POST', '/api/firm/reset', { operator: opts.operator, ...selector(opts) });
      io.stderr.write(`reset of ${ticket.scope} requested; confirming\n`);
      const outcome = await client.call<{ scope: string }>('POST', '/api/firm/reset/confirm', { operator: opts.operator, token: ticket.token });
      io.stdout.write(`${outcome.scope} halt lifted by ${opts.operator}\n`);
    });

  withConnection(firm.command('status').description("the firm's link, halts by scope and this process's strategies").option('--json', 'print the answer as one JSON line')).action(
    async (opts: ConnectionOptions & { json?: boolean }) => {
      const s = await clientFor(opts).call<FirmStatusView>('GET', '/api/firm');
      if (opts.json) return void io.stdout.write(`${JSON.stringify(s)}\n`); // one JSON line
      const lines = firmStatusLines(s);
      io.stdout.write(`${lines.join('\n')}\n`);
    },
  );

  return firm;
}

