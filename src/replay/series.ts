/**
 * Reading a price or portfolio-value series for replay: CSV (`timestamp,value`, `date,close`, …)
 * or JSON lines (`{"timestamp": …, "value": …}`). Every problem is a {@link SeriesError} naming
 * the line; a file larger than the limit is refused by its size before a byte is read, and any
 * file (a pipe, a device, a file that grows while read) is refused once more bytes than the limit
 * have been read.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** A time series in row order: `at[i]` (ms since the epoch) and `values[i]` (decimal text). */
export interface Series {
  /** Timestamps, ms since the epoch, never decreasing. */
  readonly at: Float64Array;
  /** Values as decimal strings, as written in the data (the documented input shape). */
  readonly values: readonly string[];
  /** The 1-based line of the file each row came from (for error messages). */
  readonly lines: Uint32Array;
  /** Where the series came from (a path, or a name given by the caller). */
  readonly source: string;
}

/** A series that cannot be read: the message names the line (when there is one) and the problem. */
export class SeriesError extends Error {
  /** 1-based line of the file, or null when the problem is the whole file. */
  readonly line: number | null;
  constructor(source: string, line: number | null, message: string) {
    super(line === null ? `${source}: ${message}` : `${source}:${line}: ${message}`);
    this.name = 'SeriesError';
    this.line = line;
  }
}

/** A series above the size limit: by its size when it has one, or by the bytes read (pipes, devices). */
export class SeriesTooLargeError extends SeriesError {
  readonly code = 'SERIES_TOO_LARGE' as const;
  /** The limit in bytes. */
  readonly maxBytes: number;
  constructor(source: string, maxBytes: number, message: string) {
    super(source, null, message);
    this.name = 'SeriesTooLargeError';
    this.maxBytes = maxBytes;
  }
}

/** Default size limit of a series file: 256 MiB (about 7 million rows of minute bars). */
export const MAX_SERIES_BYTES = 256 * 1024 * 1024;

/** Column names accepted for the time and the value (case-insensitive). */
export const TIME_COLUMNS = ['timestamp', 'date', 'time', 'datetime'] as const;
export const VALUE_COLUMNS = ['value', 'close', 'price', 'equity'] as const;

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const CANONICAL = /^(0|[1-9]\d*)(\.\d+)?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const EPOCH = /^\d+(\.\d+)?$/;

/**
 * Reads a series file (CSV or JSON lines, told apart by the first character). Refuses a file
 * larger than `maxBytes` (default {@link MAX_SERIES_BYTES}) from its size when it has one, and
 * counts the bytes as they are read: `stat()` says 0 for a pipe or a device, so a stream is
 * stopped (a {@link SeriesTooLargeError}) as soon as it passes the limit.
 */
export async function readSeries(path: string, options: { maxBytes?: number } = {}): Promise<Series> {
  const maxBytes = options.maxBytes ?? MAX_SERIES_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes: expected a whole number of bytes (got ${String(maxBytes)})`);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new SeriesError(path, null, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (size > maxBytes) {
    throw new SeriesTooLargeError(path, maxBytes, `the file is ${formatBytes(size)}, above the limit of ${formatBytes(maxBytes)}; split it or raise the limit (--max-size)`);
  }
  return parseSeries(await readBounded(path, maxBytes), path);
}

/** The file's text, read in chunks and counted: stops (and closes it) once past `maxBytes`. */
async function readBounded(path: string, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  // A chunk never much larger than the limit: a small limit stops a stream after a few bytes too.
  const stream = createReadStream(path, { highWaterMark: Math.max(1, Math.min(64 * 1024, maxBytes + 1)) });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new SeriesTooLargeError(
          path,
          maxBytes,
          `more than ${formatBytes(maxBytes)} read (the limit) and the stream goes on; split it or raise the limit (--max-size)`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof SeriesError) throw error;
    throw new SeriesError(path, null, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Parses series text (CSV with a header row, or JSON lines). `source` names it in errors. */
export function parseSeries(text: string, source = 'series'): Series {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = text.search(/\S/);
  if (first < 0) throw new SeriesError(source, null, 'the file is empty: expected a header such as "timestamp,value" and at least one row');
  return text[first] === '{' ? parseJsonLines(text, source) : parseCsv(text, source);
}

class Builder {
  at: number[] = [];
  values: string[] = [];
  lines: number[] = [];
  constructor(readonly source: string) {}

  push(line: number, rawTime: unknown, rawValue: unknown): void {
    const at = parseTime(rawTime, this.source, line);
    const value = parseValue(rawValue, this.source, line);
    const n = this.at.length;
    if (n > 0 && at < this.at[n - 1]!) {
      throw new SeriesError(
        this.source,
        line,
        `timestamp ${describe(rawTime)} (${new Date(at).toISOString()}) is before the previous row's (${new Date(this.at[n - 1]!).toISOString()}, line ${this.lines[n - 1]}): rows must be in time order`,
      );
    }
    this.at.push(at);
    this.values.push(value);
    this.lines.push(line);
  }

  done(headerLine: number | null): Series {
    if (this.at.length === 0) {
      throw new SeriesError(this.source, headerLine, headerLine === null ? 'no data rows' : 'no data rows after the header');
    }
    return { at: Float64Array.from(this.at), values: this.values, lines: Uint32Array.from(this.lines), source: this.source };
  }
}

function parseCsv(text: string, source: string): Series {
  const builder = new Builder(source);
  let line = 0;
  let pos = 0;
  let timeCol = -1;
  let valueCol = -1;
  let columns = 0;
  let headerLine: number | null = null;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    let row = text.slice(pos, end);
    pos = end + 1;
    line++;
    if (row.endsWith('\r')) row = row.slice(0, -1);
    if (row.trim() === '' || row.startsWith('#')) continue;
    const cells = row.split(',').map(unquote);
    if (headerLine === null) {
      headerLine = line;
      const names = cells.map((c) => c.toLowerCase());
      timeCol = names.findIndex((c) => (TIME_COLUMNS as readonly string[]).includes(c));
      valueCol = names.findIndex((c) => (VALUE_COLUMNS as readonly string[]).includes(c));
      const missing = [
        timeCol < 0 ? `a time column (${TIME_COLUMNS.join(', ')})` : null,
        valueCol < 0 ? `a value column (${VALUE_COLUMNS.join(', ')})` : null,
      ].filter(Boolean);
      if (missing.length > 0) {
        throw new SeriesError(source, line, `the header has no ${missing.join(' and no ')}; found columns: ${cells.map((c) => JSON.stringify(c)).join(', ')}`);
      }
      columns = cells.length;
      continue;
    }
    if (cells.length !== columns) {
      throw new SeriesError(source, line, `expected ${columns} columns like the header, found ${cells.length}: ${JSON.stringify(row.length > 80 ? `${row.slice(0, 80)}…` : row)}`);
    }
    builder.push(line, cells[timeCol], cells[valueCol]);
  }
  if (headerLine === null) throw new SeriesError(source, null, 'the file is empty');
  return builder.done(headerLine);
}

function parseJsonLines(text: string, source: string): Series {
  const builder = new Builder(source);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const row = lines[i]!.trim();
    if (row === '') continue;
    let item: unknown;
    try {
      item = JSON.parse(row);
    } catch (error) {
      throw new SeriesError(source, i + 1, `not valid JSON (${(error as Error).message})`);
    }
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new SeriesError(source, i + 1, 'each line must be a JSON object such as {"timestamp": "2024-01-02", "value": 100}');
    const record = item as Record<string, unknown>;
    const keys = Object.keys(record);
    const timeKey = keys.find((k) => (TIME_COLUMNS as readonly string[]).includes(k.toLowerCase()));
    const valueKey = keys.find((k) => (VALUE_COLUMNS as readonly string[]).includes(k.toLowerCase()));
    if (timeKey === undefined || valueKey === undefined) {
      throw new SeriesError(source, i + 1, `the object has no ${timeKey === undefined ? `time field (${TIME_COLUMNS.join(', ')})` : `value field (${VALUE_COLUMNS.join(', ')})`}; found: ${keys.join(', ') || 'no fields'}`);
    }
    builder.push(i + 1, record[timeKey], record[valueKey]);
  }
  return builder.done(null);
}

function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

function describe(raw: unknown): string {
  return typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
}

/**
 * A time: an ISO date (`2024-01-02`, midnight UTC), an ISO date-time (UTC unless it carries an
 * offset), or an epoch number (ms from 1e11 up, seconds below: 1e11 ms is March 1973).
 */
export function parseTime(raw: unknown, source: string, line: number): number {
  let at = NaN;
  if (typeof raw === 'number') at = raw < 1e11 ? raw * 1000 : raw;
  else if (typeof raw === 'string') {
    const t = raw.trim();
    if (DATE_ONLY.test(t)) at = Date.parse(`${t}T00:00:00Z`);
    else if (ISO.test(t)) at = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(t) ? t.replace(' ', 'T') : `${t.replace(' ', 'T')}Z`);
    else if (EPOCH.test(t)) {
      const n = Number(t);
      at = n < 1e11 ? n * 1000 : n;
    }
  }
  if (!Number.isFinite(at) || at < 0 || at > 8.64e15) {
    const shown = raw === '' || raw === undefined ? 'empty' : describe(raw);
    throw new SeriesError(source, line, `timestamp ${shown} is not an ISO date or date-time (2024-01-02, 2024-01-02T15:30:00Z) or an epoch number (ms or seconds)`);
  }
  return Math.round(at);
}

/** A value: a plain decimal number, returned as decimal text (canonical when it already is). */
export function parseValue(raw: unknown, source: string, line: number): string {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new SeriesError(source, line, `value ${String(raw)} is not a finite number`);
    return String(raw);
  }
  if (typeof raw !== 'string' || raw.trim() === '') throw new SeriesError(source, line, `value is ${raw === undefined || raw === '' ? 'empty' : describe(raw)}: expected a number such as 101.25`);
  const t = raw.trim();
  if (CANONICAL.test(t)) return t;
  if (!DECIMAL.test(t) || !Number.isFinite(Number(t))) {
    throw new SeriesError(source, line, `value ${JSON.stringify(t)} is not a number (write 1234.5: no thousands separators, currency signs or units)`);
  }
  return t;
}

/** 1.5 GiB, 256 MiB, 12 KiB. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${Number.isInteger(n) ? n : n.toFixed(1)} ${units[u]}`;
}
