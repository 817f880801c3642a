import { readFile } from 'node:fs/promises';
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

/** A CSV that cannot be used, with the line at fault. */
export class PriceCsvError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'PriceCsvError';
    this.line = line;
  }
}

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

/** Reads and parses a CSV file of prices. */
export async function loadPriceCsv(file: string): Promise<number[]> {
  return parsePriceCsv(await readFile(file, 'utf8'));
}
