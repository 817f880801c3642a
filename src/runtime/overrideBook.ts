/**
 * The overrides a runtime holds (its Controls asks them when a limit refuses an order): matched
 * exactly, used up only by an order that passes every limit, lapsed on the monotonic clock. The
 * operator's side (validation, journal) is overrides.ts.
 */
import { toExact } from '../../machines/limits/amount.ts';
import type { LimitName, OrderFacts } from '../../machines/limits/limit.ts';
import type { Exact } from '../../machines/math/exact.ts';
import type { MonotonicClock } from '../clock.ts';
import type { EventDetails } from '../events.ts';

/** One override, as held until used or lapsed. */
export interface Authorization {
  readonly token: string;
  readonly operator: string;
  readonly reason: string;
  readonly limit: LimitName;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: Exact;
  readonly price: Exact | null;
  /** Monotonic ms it lapses at (exclusive). */
  readonly expires: number;
  readonly shown: EventDetails;
}

/** The runtime's overrides (its Controls holds them; check() asks `excuse` only when a limit refuses and some are held). */
export class Overrides {
  #held: Authorization[] = [];
  /** Matched during the decision under way; used up only if the order passes. */
  readonly #pending: Authorization[] = [];
  /** Journals a use (set by {@link authorizeOverride}). */
  onUsed: ((a: Authorization) => void) | null = null;
  readonly #clock: MonotonicClock;

  constructor(clock: MonotonicClock) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#held.length;
  }

  add(a: Authorization): void {
    this.#held.push(a);
  }

  /** A decision begins. */
  begin(): void {
    this.#pending.length = 0;
  }

  /** `limit` refused `o`: whether an unexpired override matches it exactly (then the limit is passed over). */
  excuse(o: OrderFacts, limit: LimitName): boolean {
    const now = this.#clock.monotonic();
    this.#held = this.#held.filter((a) => a.expires > now);
    const match = this.#held.find((a) => a.limit === limit && !this.#pending.includes(a) && matches(a, o));
    if (match === undefined) return false;
    this.#pending.push(match);
    return true;
  }

  /** The order passed: the overrides it used are spent and journaled. */
  commit(_o: OrderFacts): void {
    if (this.#pending.length === 0) return;
    const used = [...this.#pending];
    this.#pending.length = 0;
    this.#held = this.#held.filter((a) => !used.includes(a));
    for (const a of used) this.onUsed?.(a);
  }
}

function matches(a: Authorization, o: OrderFacts): boolean {
  if (a.symbol !== o.symbol || a.side !== o.side) return false;
  if (!toExact(o.qtyRaw).eq(a.quantity)) return false;
  if (a.price === null || o.priceRaw === undefined) return a.price === null && o.priceRaw === undefined;
  return toExact(o.priceRaw).eq(a.price);
}

