import { Command } from 'commander';
import { CliError, ExitCode } from '../exitCodes.ts';
import { formatJournal, jsonLines } from '../format.ts';
import type { CliIo } from '../io.ts';
import { clientFor, defaultOperator, parseInstant, withConnection, type ConnectionOptions } from '../options.ts';

interface JournalOptions extends ConnectionOptions {
  strategy?: string;
  cluster?: boolean;
  since?: string;
  until?: string;
  limit?: string;
  newest?: string;
  types?: string;
  json?: boolean;
}

/** `breakerbox journal`: the audit journal of a strategy. */
export function journalCommand(io: CliIo): Command {
  return withConnection(
    new Command('journal')
      .description('read the audit journal of a strategy (trips, warnings, operator actions, transitions)')
      .option('-s, --strategy <name>', 'strategy (required unless --cluster)')
      .option('--cluster', "read the firm's audit stream across every process (trips, halts, resets, limit breaches)")
      .option('--since <time>', 'from this time: ISO, ms since the epoch, or a duration ago (30s, 15m, 2h, 1d)')
      .option('--until <time>', 'before this time (same forms)')
      .option('--newest <n>', 'the newest n entries (within --since/--until), printed oldest to newest')
      .option('--limit <n>', 'at most n entries: with --since the first n from that time on; without --since the newest n (as --newest)')
      .option('--types <list>', 'only these event types, comma-separated (e.g. CircuitBreakerTripped,ManualHalt)')
      .option('--json', 'print JSON lines: one entry (a JSON object) per line, oldest first'),
  )
    .enablePositionalOptions()
    .addCommand(exportCommand(io))
    .addCommand(pruneCommand(io))
    .action(async (opts: JournalOptions) => {
    if (opts.cluster) return clusterJournal(io, opts);
    if (!opts.strategy) throw new CliError(ExitCode.USAGE, 'journal needs --strategy <name> (or --cluster for the firm)');
    const query: Record<string, string> = {};
    for (const key of ['since', 'until'] as const) {
      const text = opts[key];
      if (text === undefined) continue;
      const at = parseInstant(text);
      if (at === null) throw new CliError(ExitCode.USAGE, `--${key}: not a time or duration: ${JSON.stringify(text)}`);
      query[key] = at;
    }
    const window = journalWindow(opts);
    if (window.limit !== undefined) query.limit = String(window.limit);
    if (window.newest) query.newestFirst = 'true';
    if (opts.types !== undefined) query.types = opts.types;
    const answer = await clientFor(opts).journal(opts.strategy!, query);
    // The server answers newest first when asked for the newest: print them oldest to newest.
    const entries = window.newest ? [...answer.entries].reverse() : answer.entries;
    io.stdout.write(opts.json ? jsonLines(entries) : `${formatJournal(entries)}\n`);
  });
}

function count(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 100_000) throw new CliError(ExitCode.USAGE, `--${name}: expected a whole number from 1 to 100000 (got ${JSON.stringify(text)})`);
  return Number(text);
}

/**
 * Which entries `journal` asks for: `--newest n` the newest n; `--limit n` the first n from
 * `--since` on, or — without `--since` — the newest n too (the oldest entries ever recorded are
 * rarely what someone reading a journal wants). Both at once is a usage error.
 */
export function journalWindow(opts: { since?: string; limit?: string; newest?: string }): { limit?: number; newest: boolean } {
  if (opts.newest !== undefined && opts.limit !== undefined) throw new CliError(ExitCode.USAGE, '--newest and --limit: give one of them (--newest n: the newest n; --limit n with --since: the first n from that time)');
  if (opts.newest !== undefined) return { limit: count('newest', opts.newest), newest: true };
  if (opts.limit !== undefined) return { limit: count('limit', opts.limit), newest: opts.since === undefined };
  return { newest: false };
}

interface RetentionOptions extends ConnectionOptions {
  strategy: string;
  before?: string;
  since?: string;
  yes?: boolean;
  operator?: string;
}

function instant(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const at = parseInstant(text);
  if (at === null) throw new CliError(ExitCode.USAGE, `--${name}: not a time or duration: ${JSON.stringify(text)}`);
  return at;
}

/** `breakerbox journal export`: the journal as JSON lines on stdout (one event per line). */
function exportCommand(io: CliIo): Command {
  return withConnection(
    new Command('export')
      .description('write the audit journal as JSON lines on stdout (needs the token), e.g. before pruning it')
      .requiredOption('-s, --strategy <name>', 'strategy')
      .option('--before <time>', 'only entries before this time: ISO, ms since the epoch, or a duration ago (90d)')
      .option('--since <time>', 'only entries from this time (same forms)'),
  ).action(async (opts: RetentionOptions) => {
    const query = new URLSearchParams();
    const before = instant('before', opts.before);
    const since = instant('since', opts.since);
    if (before !== undefined) query.set('before', before);
    if (since !== undefined) query.set('since', since);
    const qs = query.toString();
    const text = await clientFor(opts).text('GET', `/api/strategies/${encodeURIComponent(opts.strategy)}/journal/export${qs ? `?${qs}` : ''}`);
    io.stdout.write(text);
  });
}

/** `breakerbox journal prune`: deletes journal entries before a date (needs the token and --yes). */
function pruneCommand(io: CliIo): Command {
  return withConnection(
    new Command('prune')
      .description('delete the audit journal entries before a date (export them first; MiFID II asks to keep five years)')
      .requiredOption('-s, --strategy <name>', 'strategy')
      .requiredOption('--before <time>', 'delete entries before this time: ISO, ms since the epoch, or a duration ago (1825d)')
      .option('-o, --operator <name>', 'who prunes (default $USER)')
      .option('-y, --yes', 'confirm: the entries are deleted for good'),
  ).action(async (opts: RetentionOptions) => {
    const before = instant('before', opts.before)!;
    if (!opts.yes) {
      throw new CliError(ExitCode.USAGE, `pruning deletes audit records for good; export them first (breakerbox journal export --strategy ${opts.strategy} --before ${opts.before}) and pass --yes`);
    }
    const answer = await clientFor(opts).call<{ deleted: number; before: string }>('POST', `/api/strategies/${encodeURIComponent(opts.strategy)}/journal/prune`, {
      operator: opts.operator ?? defaultOperator(),
      before: /^\d+$/.test(before) ? Number(before) : before,
    });
    io.stdout.write(`${opts.strategy}: ${answer.deleted} journal entr${answer.deleted === 1 ? 'y' : 'ies'} before ${answer.before} deleted (the prune itself is journalled)\n`);
  });
}

/** `journal --cluster`: the firm's audit stream, through any process of the firm. */
async function clusterJournal(io: CliIo, opts: JournalOptions): Promise<void> {
  if (opts.newest !== undefined) throw new CliError(ExitCode.USAGE, '--newest is not available with --cluster (the firm stream is read from --since on; use --limit)');
  const query = new URLSearchParams();
  if (opts.since !== undefined) {
    const at = parseInstant(opts.since);
    if (at === null) throw new CliError(ExitCode.USAGE, `--since: not a time or duration: ${JSON.stringify(opts.since)}`);
    query.set('since', /^\d+$/.test(at) ? at : String(Date.parse(at)));
  }
  if (opts.limit !== undefined) query.set('limit', opts.limit);
  const qs = query.toString();
  const { entries } = await clientFor(opts).call<{ entries: Record<string, unknown>[] }>('GET', `/api/firm/journal${qs ? `?${qs}` : ''}`);
  const wanted = opts.strategy;
  const shown = wanted === undefined ? entries : entries.filter((e) => e.strategy === wanted);
  if (opts.json) return void io.stdout.write(jsonLines(shown));
  const line = (e: Record<string, unknown>) =>
    `${String(e.timestamp ?? '')}  ${String(e.type).padEnd(22)} ${String(e.scope ?? `${String(e.desk)}/${String(e.strategy)}`).padEnd(24)} ${e.operator ? `by ${String(e.operator)} ` : ''}${String((e.details as { reason?: unknown } | undefined)?.reason ?? '')}`;
  io.stdout.write(`${shown.map(line).join('\n')}\n`);
}
