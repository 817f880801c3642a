import { readFile } from 'node:fs/promises';
import { readSeries, SeriesError, TIME_COLUMNS, VALUE_COLUMNS } from '../replay/series.ts';
import { gaussian, type Random } from './prng.ts';

/** A source of prices, advanced once per simulated tick. */
export interface PriceSource {
  readonly symbol: string;
  /** Advances by `dtSeconds` of simulated time; returns the new price. */
  next(dtSeconds: number): number;
  /** Forces a move of `totalReturn` (e.g. -0.25) spread over `overSeconds` (no-op for replays). */
  impulse(totalReturn: number, overSeconds: number): void;
}

/** A geometric random walk with optional forced moves, from a seeded generator. */
export class RandomWalkFeed implements PriceSource {
  readonly symbol: string;
  readonly #random: Random;
  readonly #volPerSqrtSecond: number;
  #price: number;
  #impulseRate = 0;
  #impulseLeft = 0;

  constructor(symbol: string, start: number, random: Random, volPerSqrtSecond = 0.0008) {
    this.symbol = symbol;
    this.#price = start;
    this.#random = random;
    this.#volPerSqrtSecond = volPerSqrtSecond;
  }

  next(dtSeconds: number): number {
    let logReturn = this.#volPerSqrtSecond * Math.sqrt(dtSeconds) * gaussian(this.#random);
    if (this.#impulseLeft > 0) {
      const dt = Math.min(dtSeconds, this.#impulseLeft);
      logReturn += this.#impulseRate * dt;
      this.#impulseLeft -= dt;
    }
    this.#price = Math.max(0.01, this.#price * Math.exp(logReturn));
    return this.#price;
  }

  impulse(totalReturn: number, overSeconds: number): void {
    this.#impulseRate = Math.log(1 + totalReturn) / overSeconds;
    this.#impulseLeft = overSeconds;
  }
}

/** Replays a list of prices, one per tick; holds the last one when they run out. */
export class ReplayFeed implements PriceSource {
  readonly symbol: string;
  readonly #prices: readonly number[];
  #i = -1;

  constructor(symbol: string, prices: readonly number[]) {
    if (prices.length === 0) throw new RangeError('a replay needs at least one price');
    this.symbol = symbol;
    this.#prices = prices;
  }

  get done(): boolean {
    return this.#i >= this.#prices.length - 1;
  }

  next(): number {
    this.#i = Math.min(this.#i + 1, this.#prices.length - 1);
    return this.#prices[this.#i]!;
  }

  impulse(): void {}
}

/** A CSV that cannot be used, with the line at fault (and the file, when read from one). */
export class PriceCsvError extends Error {
  readonly line: number | null;
  constructor(line: number | null, message: string, file?: string) {
    const where = file === undefined ? (line === null ? '' : `line ${line}: `) : line === null ? `${file}: ` : `${file}:${line}: `;
    super(`${where}${message}`);
    this.name = 'PriceCsvError';
    this.line = line;
  }
}

/** What `--prices` reads, for error messages. */
export const PRICE_FILE_FORMS =
  `a CSV whose header names a time column (${TIME_COLUMNS.join(', ')}) and a price column (${VALUE_COLUMNS.join(', ')}), as \`breakerbox replay\` reads ` +
  '(OHLC bars "date,open,high,low,close,volume" replay their close), JSON lines of the same, or one price per line';

/**
 * Parses a CSV of prices: one column `price`, or two `timestamp,price` (a header row is
 * optional). Throws {@link PriceCsvError} naming the first bad line.
 */
export function parsePriceCsv(text: string): number[] {
  const prices: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(/[,;\t]/).map((c) => c.trim().replace(/^"|"$/g, ''));
    const cell = cells.length === 1 ? cells[0]! : cells[1]!;
    if (cells.length > 2 && cells[1] === undefined) throw new PriceCsvError(i + 1, 'expected "price" or "timestamp,price"');
    const value = Number(cell);
    if (cell === '' || !Number.isFinite(value)) {
      if (prices.length === 0 && /[a-z]/i.test(line)) return; // header row
      throw new PriceCsvError(i + 1, `not a price: ${JSON.stringify(cell)}`);
    }
    if (value <= 0) throw new PriceCsvError(i + 1, `price must be positive (got ${value})`);
    prices.push(value);
  });
  if (prices.length === 0) throw new PriceCsvError(lines.length, 'no prices found');
  return prices;
}

/**
 * Reads a file of prices with the replay's reader ({@link readSeries}: a header naming the time
 * and price columns, OHLC bars, JSON lines; its size limit), or else the demo's plain form (one
 * price per line, or `timestamp,price` without a header). Throws a {@link PriceCsvError} naming
 * the file, the line and the forms it accepts.
 */
export async function loadPriceCsv(file: string): Promise<number[]> {
  let series;
  try {
    series = await readSeries(file);
  } catch (error) {
    if (!(error instanceof SeriesError)) throw error;
    // The whole file is at fault (unreadable, too large, empty): no other reading helps.
    if (error.line === null) throw new PriceCsvError(null, `${error.message.slice(file.length + 2)}; --prices reads ${PRICE_FILE_FORMS}`, file);
    const text = await readFile(file, 'utf8');
    // The demo's plain form has no header, or just "price". Any other header is the replay's
    // form, and its problem is the one to show (never a guess at which column is the price).
    const cells = firstRow(text).split(/[,;\t]/).map((c) => c.trim().replace(/^"|"$/g, ''));
    const plainForm = (cells.length === 1 && cells[0]!.toLowerCase() === 'price') || (cells.length <= 2 && cells.at(-1) !== '' && Number.isFinite(Number(cells.at(-1))));
    if (!plainForm) throw new PriceCsvError(error.line, `${error.message.replace(/^.*?:\d+: /, '')}; --prices reads ${PRICE_FILE_FORMS}`, file);
    try {
      return parsePriceCsv(text);
    } catch (plain) {
      if (!(plain instanceof PriceCsvError)) throw plain;
      throw new PriceCsvError(plain.line, `${plain.message.replace(/^line \d+: /, '')}; --prices reads ${PRICE_FILE_FORMS}`, file);
    }
  }
  return series.values.map((text, i) => {
    const price = Number(text);
    if (!(price > 0)) throw new PriceCsvError(series.lines[i]!, `price must be positive (got ${text})`, file);
    return price;
  });
}

function firstRow(text: string): string {
  return text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
}
