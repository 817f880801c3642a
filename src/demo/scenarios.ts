import type { BreakersConfig } from '../config.ts';
import type { LimitsConfig } from '../limitsConfig.ts';
import type { StrategyParams } from './strategy.ts';

/** One simulated strategy of the demo. */
export interface DemoStrategySpec {
  readonly name: string;
  /** What happens to it, shown in the live table. */
  readonly scenario: string;
  readonly startPrice: number;
  readonly cash: number;
  readonly params: StrategyParams;
  /** Pre-trade limits (docs/controls.md), sized so that normal trading never meets them. */
  readonly limits: LimitsConfig;
  /** Breaker settings over the demo's (preset moderate, stale data after 30 s). */
  readonly breakers?: BreakersConfig;
}

/** Every demo strategy's dead-man's switch: no portfolio value for 30 simulated seconds trips it. */
export const DEMO_STALE_DATA = { maxAge: 30 } as const;

/**
 * The demo's strategies: one per scenario, plus a steady one for contrast. Each has a position
 * limit about 1.5× what it holds, an order-size and order-notional limit above its largest
 * rebalance, and a 5 % price collar on limit orders.
 */
export const DEMO_STRATEGIES: readonly DemoStrategySpec[] = [
  {
    name: 'alpha',
    scenario: 'market crash (reduce-only)',
    startPrice: 120,
    cash: 1_000_000,
    params: { symbol: 'ACME', allocation: 0.95, style: 'hold', quoteEverySeconds: 4 },
    limits: { maxOrderQuantity: 10_000, maxOrderNotional: 1_000_000, maxPosition: 12_000, priceCollar: 0.05 },
    // Both loss breakers let it cut its losses: a trip puts it in REDUCING instead of HALTED.
    breakers: { drawdown: { onTrip: 'reduceOnly' }, dailyLoss: { onTrip: 'reduceOnly' } },
  },
  {
    name: 'beta',
    scenario: 'runaway order loop',
    startPrice: 45,
    cash: 500_000,
    params: { symbol: 'BOLT', allocation: 0.5, style: 'momentum', quoteEverySeconds: 3 },
    limits: { maxOrderQuantity: 10_000, maxOrderNotional: 300_000, maxPosition: 8_000, priceCollar: 0.05 },
  },
  {
    name: 'gamma',
    scenario: 'broker outage',
    startPrice: 80,
    cash: 750_000,
    params: { symbol: 'CRUX', allocation: 0.5, style: 'momentum', quoteEverySeconds: 2 },
    limits: { maxOrderQuantity: 10_000, maxOrderNotional: 400_000, maxPosition: 7_000, priceCollar: 0.05 },
  },
  {
    name: 'delta',
    scenario: 'steady (control)',
    startPrice: 60,
    cash: 250_000,
    params: { symbol: 'DYNE', allocation: 0.4, style: 'momentum', quoteEverySeconds: 5 },
    limits: { maxOrderQuantity: 5_000, maxOrderNotional: 150_000, maxPosition: 2_500, priceCollar: 0.05 },
  },
  {
    name: 'epsilon',
    scenario: 'fat finger; position creep',
    startPrice: 50,
    cash: 300_000,
    params: { symbol: 'EPIC', allocation: 0.3, style: 'hold', quoteEverySeconds: 4 },
    // Holds about 1 800 EPIC: the position limit leaves room for four of the sizing bug's buys.
    limits: { maxOrderQuantity: 5_000, maxOrderNotional: 150_000, maxPosition: 3_000, priceCollar: 0.05 },
  },
  {
    name: 'zeta',
    scenario: 'feed goes silent',
    startPrice: 30,
    cash: 200_000,
    params: { symbol: 'ZINC', allocation: 0.4, style: 'momentum', quoteEverySeconds: 4 },
    limits: { maxOrderQuantity: 5_000, maxOrderNotional: 100_000, maxPosition: 4_000, priceCollar: 0.05 },
  },
];

/** What a scenario step does to the simulation. */
export type ScenarioAction =
  | { readonly kind: 'crash'; readonly totalReturn: number; readonly overSeconds: number }
  | { readonly kind: 'runaway'; readonly ordersPerSecond: number }
  | { readonly kind: 'outage'; readonly on: boolean }
  | { readonly kind: 'fatFinger'; readonly quantity: number }
  | { readonly kind: 'accumulate'; readonly lot: number; readonly everySeconds: number }
  | { readonly kind: 'feedSilent'; readonly on: boolean }
  | { readonly kind: 'done' };

/** A step of the scenario timeline, at a simulated second after the start. */
export interface ScenarioStep {
  readonly at: number;
  readonly strategy: string | null;
  readonly label: string;
  readonly action: ScenarioAction;
}

/**
 * The timeline (simulated seconds). With the moderate preset: drawdown −10 %, daily loss −5 %,
 * 100 orders / 60 s, 10 errors / 60 s; and every strategy's stale-data switch at 30 s.
 *
 * - a crash trips daily loss and drawdown on alpha, both reduce-only: alpha enters REDUCING and
 *   sells its position down in quarters while its buys are rejected REDUCE_ONLY;
 * - a fat-finger order on epsilon is rejected LIMIT_ORDER_QUANTITY (nothing trips);
 * - zeta's feed goes silent for 45 s: stale data trips after 30 s and recovers by itself when
 *   values resume;
 * - a sizing bug grows epsilon's position until LIMIT_POSITION rejects the buy that would pass
 *   its 3 000 limit;
 * - a runaway order loop trips order rate on beta (it heals once its 60 s window clears);
 * - a broker outage trips error rate on gamma.
 */
export const TIMELINE: readonly ScenarioStep[] = [
  { at: 15, strategy: 'alpha', label: 'market crash: ACME falls 25% within 10 s (alpha\'s loss breakers are reduce-only)', action: { kind: 'crash', totalReturn: -0.25, overSeconds: 10 } },
  { at: 20, strategy: 'epsilon', label: 'fat finger: a trader keys 25,000 EPIC instead of 250', action: { kind: 'fatFinger', quantity: 25_000 } },
  { at: 25, strategy: 'zeta', label: 'market data feed goes silent: no prices, no portfolio values (stale data trips after 30 s)', action: { kind: 'feedSilent', on: true } },
  { at: 30, strategy: 'epsilon', label: 'sizing bug: buys 250 EPIC every 2 s on top of its target (position limit 3,000)', action: { kind: 'accumulate', lot: 250, everySeconds: 2 } },
  { at: 40, strategy: 'beta', label: 'runaway order loop: a retry bug resubmits an order 8 times a second', action: { kind: 'runaway', ordersPerSecond: 8 } },
  { at: 65, strategy: 'beta', label: 'runaway loop fixed; the order-rate breaker heals once its 60 s window clears', action: { kind: 'runaway', ordersPerSecond: 0 } },
  { at: 70, strategy: 'zeta', label: 'feed back: values flow again (the stale-data breaker recovers by itself)', action: { kind: 'feedSilent', on: false } },
  { at: 75, strategy: 'gamma', label: 'broker outage: every order is rejected and position sync fails', action: { kind: 'outage', on: true } },
  { at: 105, strategy: 'gamma', label: 'broker back online (the error-rate breaker stays TRIPPED until an operator resets it)', action: { kind: 'outage', on: false } },
  { at: 120, strategy: null, label: 'scenario sequence complete', action: { kind: 'done' } },
];
