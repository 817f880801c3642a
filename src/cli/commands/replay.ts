import { readFile, writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { eventJson, formatEventLine, formatReplaySummary, formatSweepTable } from '../../replay/format.ts';
import { renderHtmlReport } from '../../replay/html.ts';
import { replaySeries, type ReplayOptions, type ResetPolicy } from '../../replay/replay.ts';
import { MAX_SERIES_BYTES, readSeries, SeriesError } from '../../replay/series.ts';
import { parseSweepSpec, sweep, type SweepAxis } from '../../replay/sweep.ts';
import { CliError, ExitCode } from '../exitCodes.ts';
import type { CliIo } from '../io.ts';

interface ReplayCliOptions {
  preset?: string;
  config?: string;
  reset: string;
  json?: boolean;
  sweep: string[];
  html?: string;
  workers?: string;
  maxSize?: string;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `next-open`, `never`, or a duration after the trip (`30m`, `4h`, `1d`). */
export function parseResetPolicy(text: string): ResetPolicy {
  if (text === 'next-open' || text === 'never') return text;
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new CliError(ExitCode.USAGE, `--reset: expected next-open, never or a duration such as 30m, 4h, 1d (got ${JSON.stringify(text)})`);
  return { afterMs: Number(m[1]) * UNITS[m[2]!]! };
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new CliError(ExitCode.USAGE, `--max-size: expected a size such as 512MiB or 2GiB (got ${JSON.stringify(text)})`);
  return Math.floor(Number(m[1]) * unit);
}

/** Reads `--config`: a JSON object with `breakers`, `marketOpen`, `warnAt` and `reset` (all optional). */
async function readConfig(path: string): Promise<ReplayOptions & { reset?: ResetPolicy }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CliError(ExitCode.USAGE, `--config ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(ExitCode.USAGE, `--config ${path}: expected a JSON object with breakers, marketOpen, warnAt, reset`);
  const { breakers, marketOpen, warnAt, reset, ...rest } = parsed as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new CliError(ExitCode.USAGE, `--config ${path}: unknown key(s) ${unknown.join(', ')} (expected breakers, marketOpen, warnAt, reset)`);
  return {
    ...(breakers !== undefined ? { breakers: breakers as ReplayOptions['breakers'] } : {}),
    ...(marketOpen !== undefined ? { marketOpen: marketOpen as ReplayOptions['marketOpen'] } : {}),
    ...(warnAt !== undefined ? { warnAt: warnAt as number } : {}),
    ...(reset !== undefined ? { reset: typeof reset === 'string' ? parseResetPolicy(reset) : (reset as ResetPolicy) } : {}),
  };
}

/** `breakerbox replay <file>`: a recorded series through a real runtime on a simulated clock. */
export function replayCommand(io: CliIo): Command {
  return new Command('replay')
    .description('replay a price or portfolio-value series (CSV timestamp,value or date,close; or JSON lines) and report every warning, trip and recovery')
    .argument('<file>', 'the series: CSV with a header, or JSON lines')
    .addOption(new Option('--preset <name>', 'breaker preset').choices(['conservative', 'moderate', 'aggressive']))
    .option('--config <file.json>', 'JSON with breakers (merged over the preset), marketOpen, warnAt, reset')
    .option('--reset <policy>', 'when a simulated operator resets a tripped breaker: next-open, never, or a duration (4h, 1d)', 'next-open')
    .option('--sweep <path=from:to:step>', 'replay once per value of a numeric config path, e.g. drawdown.threshold=-0.05:-0.20:0.01 (repeatable: every combination)', (v: string, all: string[]) => [...all, v], [])
    .option('--json', 'one JSON object per line: each event (or each sweep row), then a summary')
    .option('--html <report.html>', 'write a self-contained HTML report (series with trips, sweep chart and tables)')
    .option('--workers <n>', 'worker threads for a sweep (default: auto)')
    .option('--max-size <size>', `refuse files larger than this (default ${MAX_SERIES_BYTES / 1024 ** 2}MiB)`)
    .action(async (file: string, opts: ReplayCliOptions) => {
      const write = (line: string) => void io.stdout.write(`${line}\n`);
      // `breakerbox replay … --json | head` closes the pipe early: stop quietly.
      io.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(0);
        throw error;
      });
      const fromFile = opts.config !== undefined ? await readConfig(opts.config) : {};
      const base: ReplayOptions = {
        ...fromFile,
        ...(opts.preset !== undefined ? { breakers: mergePreset(opts.preset, fromFile.breakers) } : {}),
        reset: opts.reset !== 'next-open' || fromFile.reset === undefined ? parseResetPolicy(opts.reset) : fromFile.reset,
      };
      let axes: SweepAxis[];
      try {
        axes = opts.sweep.map(parseSweepSpec);
      } catch (error) {
        throw new CliError(ExitCode.USAGE, (error as Error).message);
      }
      const workers = opts.workers === undefined ? 'auto' : Number(opts.workers);
      if (workers !== 'auto' && (!Number.isInteger(workers) || workers < 0)) throw new CliError(ExitCode.USAGE, `--workers: expected a whole number (got ${opts.workers})`);
      try {
        const series = await readSeries(file, opts.maxSize !== undefined ? { maxBytes: parseSize(opts.maxSize) } : {});
        const needBase = axes.length === 0 || opts.html !== undefined;
        const result = needBase
          ? await replaySeries(series, { ...base, ...(axes.length === 0 ? { onEvent: (e) => write(opts.json ? eventJson(e) : formatEventLine(e)) } : {}) })
          : null;
        const rows = axes.length > 0 ? await sweep(series, axes, base, { workers }) : null;
        if (rows) {
          if (opts.json) for (const row of rows) write(JSON.stringify({ type: 'sweep', ...row }));
          else write(formatSweepTable(rows));
        } else if (result) {
          if (opts.json) {
            const { events: _events, ...summary } = result;
            write(JSON.stringify({ type: 'summary', ...summary }));
          } else {
            if (result.events.length > 0) write('');
            write(formatReplaySummary(result));
          }
        }
        if (opts.html !== undefined && result) {
          await writeFile(opts.html, renderHtmlReport({ series, replay: result, ...(rows ? { sweep: rows } : {}) }));
          io.stderr.write(`breakerbox: report written to ${opts.html}\n`);
        }
      } catch (error) {
        if (error instanceof SeriesError || error instanceof RangeError) throw new CliError(ExitCode.USAGE, error.message);
        throw error;
      }
    });
}

function mergePreset(preset: string, breakers: ReplayOptions['breakers']): ReplayOptions['breakers'] {
  if (breakers === undefined || typeof breakers === 'string') return preset as 'moderate';
  return { ...breakers, preset: preset as 'moderate' };
}
