/**
 * A small reference model of one strategy's breakers, written independently of the runtime:
 * integer portfolio values, plain arrays of timestamps, explicit timers. The model-based tests
 * drive it and the real runtime with the same random commands and compare them.
 */
export type S = 'NORMAL' | 'TRIPPED' | 'RESETTING' | 'MANUALLY_HALTED';
export type B = 'drawdown' | 'dailyLoss' | 'orderRate' | 'errorRate' | 'manual';
export const BREAKERS: B[] = ['drawdown', 'dailyLoss', 'orderRate', 'errorRate', 'manual'];

export const LIMITS = {
  /** drawdown threshold -0.10: trips when 10·v ≤ 9·hwm */
  orderMax: 4,
  orderWindowMs: 10_000,
  errorMax: 3,
  errorWindowMs: 13_000,
  resetTimeoutMs: 7_500,
  dayMs: 86_400_000,
};

/** Runtime configuration matching the model (all breakers, or one). */
export function runtimeBreakers(enabled: readonly B[]) {
  return {
    drawdown: false as const,
    dailyLoss: false as const,
    orderRate: false as const,
    errorRate: false as const,
    ...(enabled.includes('drawdown') ? { drawdown: { threshold: -0.1 } } : {}),
    ...(enabled.includes('dailyLoss') ? { dailyLoss: { limit: -0.05 } } : {}),
    ...(enabled.includes('orderRate') ? { orderRate: { maxOrders: LIMITS.orderMax, window: LIMITS.orderWindowMs / 1000 } } : {}),
    ...(enabled.includes('errorRate') ? { errorRate: { maxErrors: LIMITS.errorMax, window: LIMITS.errorWindowMs / 1000 } } : {}),
  };
}

interface Token {
  id: string;
  breaker: B;
  deadline: number;
}

export const ALLOWED_EDGES: Record<B, ReadonlySet<string>> = {
  drawdown: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  dailyLoss: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  orderRate: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  errorRate: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  manual: new Set(['NORMAL>MANUALLY_HALTED', 'MANUALLY_HALTED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>MANUALLY_HALTED']),
};

export class ReferenceModel {
  now: number;
  state: Record<B, S> = { drawdown: 'NORMAL', dailyLoss: 'NORMAL', orderRate: 'NORMAL', errorRate: 'NORMAL', manual: 'NORMAL' };
  enabled: Set<B>;
  hwm: number | null = null;
  day: number | null = null;
  start: number | null = null;
  last: number | null = null;
  dataOk = false;
  orders: number[] = [];
  errors: number[] = [];
  tokens: Token[] = [];
  cancels = 0;

  constructor(now: number, enabled: readonly B[]) {
    this.now = now;
    this.enabled = new Set([...enabled, 'manual']);
  }

  get allowed(): boolean {
    return this.dataOk && BREAKERS.every((b) => this.state[b] === 'NORMAL');
  }

  get globalState(): S {
    const rank: S[] = ['NORMAL', 'RESETTING', 'TRIPPED', 'MANUALLY_HALTED'];
    return BREAKERS.map((b) => this.state[b]).reduce((a, b) => (rank.indexOf(b) > rank.indexOf(a) ? b : a), 'NORMAL' as S);
  }

  #inWindow(entries: number[], windowMs: number): number {
    return entries.filter((t) => this.now - t < windowMs).length;
  }

  #trip(b: B): void {
    if (this.state[b] !== 'NORMAL') return;
    this.state[b] = 'TRIPPED';
    this.cancels++;
  }

  #dropTokens(b: B): void {
    this.tokens = this.tokens.filter((t) => t.breaker !== b);
  }

  /** The instant the order window first holds no more than the limit (recovery of a tripped order rate). */
  #recoveryAt(): number | null {
    if (!this.enabled.has('orderRate')) return null;
    if (this.state.orderRate !== 'TRIPPED' && this.state.orderRate !== 'RESETTING') return null;
    const sorted = [...this.orders].sort((a, b) => b - a);
    const nth = sorted[LIMITS.orderMax];
    return nth === undefined ? this.now : nth + LIMITS.orderWindowMs;
  }

  advanceTo(target: number): void {
    for (;;) {
      const recovery = this.#recoveryAt();
      const token = [...this.tokens].sort((a, b) => a.deadline - b.deadline)[0];
      const candidates = [recovery, token?.deadline].filter((t): t is number => t !== null && t !== undefined && t <= target);
      if (candidates.length === 0) break;
      const at = Math.max(this.now, Math.min(...candidates));
      this.now = at;
      if (recovery !== null && recovery <= at) {
        this.state.orderRate = 'NORMAL';
        this.#dropTokens('orderRate');
        continue;
      }
      if (token && token.deadline <= at) {
        this.tokens = this.tokens.filter((t) => t !== token);
        this.state[token.breaker] = token.breaker === 'manual' ? 'MANUALLY_HALTED' : 'TRIPPED';
      }
    }
    this.now = target;
  }

  update(value: number | null): void {
    if (value === null) {
      this.dataOk = false;
      this.error();
      return;
    }
    this.last = value;
    this.dataOk = true;
    if (this.enabled.has('drawdown')) {
      if (this.hwm === null || value > this.hwm) {
        if (value > 0) this.hwm = value;
      } else if (10 * value <= 9 * this.hwm) this.#trip('drawdown');
    }
    if (this.enabled.has('dailyLoss')) {
      const day = Math.floor(this.now / LIMITS.dayMs);
      if (this.day !== day) {
        this.day = day;
        this.start = null;
      }
      if (this.start === null) {
        if (value > 0) this.start = value;
      } else if (20 * value <= 19 * this.start) this.#trip('dailyLoss');
    }
  }

  order(): boolean {
    if (this.enabled.has('orderRate')) {
      this.orders.push(this.now);
      if (this.#inWindow(this.orders, LIMITS.orderWindowMs) > LIMITS.orderMax) this.#trip('orderRate');
    }
    return this.allowed;
  }

  error(): void {
    if (!this.enabled.has('errorRate')) return;
    this.errors.push(this.now);
    if (this.#inWindow(this.errors, LIMITS.errorWindowMs) > LIMITS.errorMax) this.#trip('errorRate');
  }

  halt(): void {
    this.state.manual = 'MANUALLY_HALTED';
    this.#dropTokens('manual');
    this.cancels++;
  }

  /** Returns false when the runtime must refuse the request (breaker NORMAL). */
  requestReset(b: B, id: string): boolean {
    if (this.state[b] === 'NORMAL') return false;
    this.#dropTokens(b);
    this.tokens.push({ id, breaker: b, deadline: this.now + LIMITS.resetTimeoutMs });
    this.state[b] = 'RESETTING';
    return true;
  }

  /** Returns null when the token must be refused, else whether the reset was confirmed. */
  confirmReset(id: string): boolean | null {
    const token = this.tokens.find((t) => t.id === id);
    if (!token) return null;
    this.tokens = this.tokens.filter((t) => t !== token);
    const b = token.breaker;
    let passed = true;
    if (b === 'dailyLoss') passed = this.last !== null && !(this.start !== null && 20 * this.last <= 19 * this.start);
    if (passed) {
      if (b === 'drawdown') this.hwm = this.last !== null && this.last > 0 ? this.last : null;
      if (b === 'orderRate') this.orders = [];
      if (b === 'errorRate') this.errors = [];
    }
    this.state[b] = passed ? 'NORMAL' : 'TRIPPED';
    return passed;
  }

  /** A restart: RESETTING comes back TRIPPED (or MANUALLY_HALTED), pending tokens die, data must be re-established. */
  restart(): void {
    for (const t of this.tokens) this.state[t.breaker] = t.breaker === 'manual' ? 'MANUALLY_HALTED' : 'TRIPPED';
    this.tokens = [];
    this.dataOk = false;
    this.last = null;
  }
}
