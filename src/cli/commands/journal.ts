import { Command } from 'commander';
import { CliError, ExitCode } from '../exitCodes.ts';
import { formatJournal } from '../format.ts';
import { clientFor, parseInstant, withConnection, type ConnectionOptions } from '../options.ts';

interface JournalOptions extends ConnectionOptions {
  strategy: string;
  since?: string;
  until?: string;
  limit?: string;
  types?: string;
  json?: boolean;
}

/** `breakerbox journal`: the audit journal of a strategy. */
export function journalCommand(): Command {
  return withConnection(
    new Command('journal')
      .description('read the audit journal of a strategy (trips, warnings, operator actions, transitions)')
      .requiredOption('-s, --strategy <name>', 'strategy')
      .option('--since <time>', 'from this time: ISO, ms since the epoch, or a duration ago (30s, 15m, 2h, 1d)')
      .option('--until <time>', 'before this time (same forms)')
      .option('--limit <n>', 'at most n entries (the oldest)')
      .option('--types <list>', 'only these event types, comma-separated (e.g. CircuitBreakerTripped,ManualHalt)')
      .option('--json', 'print the entries as JSON'),
  ).action(async (opts: JournalOptions) => {
    const query: Record<string, string> = {};
    for (const key of ['since', 'until'] as const) {
      const text = opts[key];
      if (text === undefined) continue;
      const at = parseInstant(text);
      if (at === null) throw new CliError(ExitCode.USAGE, `--${key}: not a time or duration: ${JSON.stringify(text)}`);
      query[key] = at;
    }
    if (opts.limit !== undefined) query.limit = opts.limit;
    if (opts.types !== undefined) query.types = opts.types;
    const { entries } = await clientFor(opts).journal(opts.strategy, query);
    process.stdout.write(opts.json ? `${JSON.stringify(entries, null, 2)}\n` : `${formatJournal(entries)}\n`);
  });
}
