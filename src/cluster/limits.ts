/**
 * Firm-wide limits shared through the bucket: the daily loss over the sum of every strategy's
 * P&L (a breach halts the firm scope, with the system as operator), and an order budget across
 * processes leased in slices by compare-and-swap, so `check()` only decrements a local counter.
 */
import { Exact } from '../../machines/math/exact.ts';
import type { Logger } from '../logger.ts';
import type { OrderLease } from '../runtime/clusterPort.ts';
import { RejectCode } from '../runtime/types.ts';
import type { ClusterLink } from './link.ts';
import type { FirmNode } from './firmNode.ts';
import { checkBudget, daysBetween, utcDay, type InvalidRecord } from './records.ts';

/** The operator recorded when a firm-wide limit halts the firm. */
export const FIRM_LIMITS_OPERATOR = 'breakerbox-firm-limits';

export class FirmLimitsWatcher {
  readonly #node: FirmNode;
  readonly #limit: string | null;
  readonly #log: Logger;
  #sum: string | null = null;
  #count = 0;
  /** The invalid P&L record that keeps the sum from being computed (the members fail closed on it). */
  #blocking: InvalidRecord | null = null;
  /** Latched on a crossing until the sum is back within the limit (a firm reset is not re-halted at once). */
  #breached = false;
  readonly #unlisten: () => void;

  constructor(node: FirmNode, dailyLoss: { limitAmount: string } | null, logger: Logger) {
    this.#node = node;
    this.#limit = dailyLoss?.limitAmount ?? null;
    this.#log = logger;
    this.#unlisten = this.#limit === null ? () => undefined : node.link.onChange((change) => (change === 'pnl' || change === 'records') && this.#evaluate());
  }

  get publishesPnl(): boolean {
    return this.#limit !== null;
  }

  /** The invalid record the firm's daily loss cannot be computed without, or null (no limit, or none). */
  get blocking(): InvalidRecord | null {
    return this.#blocking;
  }

  status(): Record<string, unknown> | null {
    return this.#limit === null
      ? null
      : { dailyLoss: { limitAmount: this.#limit, pnl: this.#sum, strategies: this.#count, breached: this.#breached, ...(this.#blocking ? { invalidRecord: this.#blocking.key } : {}) } };
  }

  stop(): void {
    this.#unlisten();
  }

  #evaluate(): void {
    // A sum without one strategy's figure could pass where the firm is beyond its limit: fail closed.
    this.#blocking = [...this.#node.link.invalid.values()].find((r) => r.key.startsWith('pnl.')) ?? null;
    if (this.#blocking !== null) {
      this.#sum = null;
      return;
    }
    // Each strategy's own trading day: a record is current unless its day is over in every zone
    // (every zone's date is within a day of UTC's). Validation refused days later than that.
    const utcToday = utcDay(Date.now());
    const today = [...this.#node.link.pnl.values()].filter((e) => e.tradingDay === null || daysBetween(e.tradingDay, utcToday) <= 1);
    let sum = new Exact(0);
    // Every figure passed the input bounds (< 1e21, ≤ 34 digits): the sum is exact and cheap.
    for (const e of today) sum = sum.plus(e.pnl);
    this.#sum = sum.toFixed();
    this.#count = today.length;
    const beyond = sum.lte(new Exact(this.#limit!));
    if (!beyond) {
      this.#breached = false;
      return;
    }
    if (this.#breached) return;
    this.#breached = true;
    const reason = `firm daily loss ${this.#sum} over ${today.length} strategies reached the firm limit ${this.#limit}`;
    const firm = this.#node.config.firm;
    this.#node.control
      .halt('firm', FIRM_LIMITS_OPERATOR, reason)
      .then(({ created }) => {
        if (!created) return;
        this.#log.warn({ event: 'firm_limit_breached', firm, pnl: this.#sum, limit: this.#limit }, reason);
        this.#node.audit(`breakerbox.${firm}.audit.scope.firm`, { type: 'FirmLimitBreached', scope: 'firm', limit: 'dailyLoss', pnl: this.#sum, limitAmount: this.#limit, strategies: today.map((e) => e.strategy), at: Date.now(), timestamp: new Date().toISOString() });
      })
      .catch((error: unknown) => {
        this.#breached = false;
        this.#log.error({ event: 'firm_limit_halt_failed', error: (error as Error).message }, 'firm limit breached but the halt could not be set');
      });
  }
}

const BUDGET_KEY = 'rate.orders';

/** The process's lease on the firm's order budget. */
export class OrderBudget implements OrderLease {
  readonly rejection: OrderLease['rejection'];
  readonly #link: ClusterLink;
  readonly #max: number;
  readonly #windowMs: number;
  readonly #slice: number;
  readonly #log: Logger;
  #tokens = 0;
  #window = -1;
  #leased = 0;
  #refilling = false;
  #exhausted = -1;
  #invalidUntil = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(link: ClusterLink, settings: { maxOrders: number; window: number; slice: number }, logger: Logger) {
    this.#link = link;
    this.#max = settings.maxOrders;
    this.#windowMs = settings.window * 1000;
    this.#slice = Math.min(settings.slice, settings.maxOrders);
    this.#log = logger;
    this.rejection = Object.freeze({
      allowed: false as const,
      code: RejectCode.FIRM_ORDER_RATE,
      reason: `no lease on the firm's order budget (${this.#max} orders per ${settings.window}s across every process): the budget is used up or the cluster is unreachable`,
      breaker: null,
      state: 'NORMAL' as const,
    });
    link.onChange((change) => change === 'link' && link.up && this.#refill());
    this.#armWindow();
  }

  /** One order: a local decrement; a refill is asked for in the background when the lease runs low. */
  take(): boolean {
    if (this.#tokens > 0) {
      this.#tokens--;
      if (this.#tokens <= this.#slice >> 1) this.#refill();
      return true;
    }
    this.#refill();
    return false;
  }

  status(): Record<string, unknown> {
    return { maxOrders: this.#max, windowSeconds: this.#windowMs / 1000, slice: this.#slice, leased: this.#leased, available: this.#tokens };
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** At each window's end the lease lapses; a new one is taken from the next window's budget. */
  #armWindow(): void {
    if (this.#stopped) return;
    const now = Date.now();
    const next = (Math.floor(now / this.#windowMs) + 1) * this.#windowMs;
    this.#timer = setTimeout(() => {
      this.#tokens = 0;
      this.#leased = 0;
      this.#refill();
      this.#armWindow();
    }, next - now);
    this.#timer.unref?.();
  }

  #refill(): void {
    if (this.#refilling || this.#stopped || !this.#link.up) return;
    const window = Math.floor(Date.now() / this.#windowMs);
    if (this.#exhausted === window || Date.now() < this.#invalidUntil) return;
    this.#refilling = true;
    void (async () => {
      try {
        for (let attempt = 0; attempt < 20; attempt++) {
          const current = await this.#link.read(BUDGET_KEY, checkBudget);
          if (current && !current.checked.ok) {
            // Fail closed: no lease from a budget that cannot be read; tried again a second later.
            this.#invalidUntil = Date.now() + 1000;
            return;
          }
          const stored = current?.checked.ok ? current.checked.value : undefined;
          const granted = stored?.window === window ? stored.granted : 0;
          const grant = Math.min(this.#slice, this.#max - granted);
          if (grant <= 0) {
            this.#exhausted = window;
            return;
          }
          if (await this.#link.compareAndSwap(BUDGET_KEY, { window, granted: granted + grant }, current?.revision ?? 0)) {
            if (Math.floor(Date.now() / this.#windowMs) !== window) return;
            if (this.#window !== window) {
              this.#window = window;
              this.#tokens = 0;
              this.#leased = 0;
            }
            this.#tokens += grant;
            this.#leased += grant;
            return;
          }
        }
      } catch (error) {
        this.#log.warn({ event: 'firm_budget_lease_failed', error: (error as Error).message }, 'could not lease from the firm order budget');
      } finally {
        this.#refilling = false;
      }
    })();
  }
}
