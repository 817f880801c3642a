/**
 * Sliding-window limiter: at most `max` alerts per key within any `windowMs`. Keys are
 * `<strategy>/<breaker or "strategy">`. Time comes from the caller: the injected clock's
 * monotonic reading, so a wall-clock step never refills or drains a budget.
 */
export class AlertRateLimiter {
  readonly max: number;
  readonly windowMs: number;
  readonly #sent = new Map<string, number[]>();

  constructor(max: number, windowMs: number) {
    this.max = max;
    this.windowMs = windowMs;
  }

  #log(key: string, now: number): number[] {
    const log = (this.#sent.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (log.length === 0) this.#sent.delete(key);
    else this.#sent.set(key, log);
    return log;
  }

  /** Whether one more alert may go out for `key` at `now`. */
  hasRoom(key: string, now: number): boolean {
    return this.#log(key, now).length < this.max;
  }

  /** Counts an alert sent for `key` at `at`. */
  record(key: string, at: number): void {
    const log = this.#sent.get(key) ?? [];
    log.push(at);
    log.sort((a, b) => a - b);
    this.#sent.set(key, log);
  }

  /** When the window next has room for `key` (now, if it already has). */
  nextOpening(key: string, now: number): number {
    const log = this.#log(key, now);
    if (log.length < this.max) return now;
    return log[log.length - this.max] + this.windowMs;
  }

  /** Alerts counted for `key` in the current window. */
  count(key: string, now: number): number {
    return this.#log(key, now).length;
  }
}

/** The two alert budgets of a breaker: trips and halts (critical) never share one with the rest. */
export type AlertBudget = 'critical' | 'info';

/**
 * The rate-limit key of a strategy, breaker (null = strategy-wide) and budget:
 * `<strategy>/<breaker>` for critical alerts (trips, halts, failed cancels, store failures) and
 * `<strategy>/<breaker>/info` for the rest (warnings, reset requested/confirmed/refused/expired,
 * recoveries), so informational alerts can never use up the budget of a trip.
 */
export function rateKey(strategy: string, breaker: string | null, budget: AlertBudget = 'critical'): string {
  return `${strategy}/${breaker ?? 'strategy'}${budget === 'critical' ? '' : '/info'}`;
}
