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
    scenario: 'broker outage; phantom position',
    startPrice: 80,
    cash: 750_000,
    params: { symbol: 'CRUX', allocation: 0.5, style: 'momentum', quoteEverySeconds: 2 },
    limits: { maxOrderQuantity: 10_000, maxOrderNotional: 400_000, maxPosition: 7_000, priceCollar: 0.05 },
    // Its broker's position reports are reconciled with its fills (RTS 6 Art 17).
    breakers: { reconciliation: { tolerance: 0, grace: 10 } },
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
  {
    name: 'eta',
    scenario: 'cancel/replace loop',
    startPrice: 40,
    cash: 200_000,
    params: { symbol: 'ECHO', allocation: 0.4, style: 'momentum', quoteEverySeconds: 3 },
    limits: { maxOrderQuantity: 5_000, maxOrderNotional: 100_000, maxPosition: 3_000, priceCollar: 0.05 },
    // RTS 6 message limit: submissions, modifications and cancellations together.
    breakers: { messageRate: { maxMessages: 60, window: 10 } },
  },
  {
    name: 'theta',
    scenario: 'losing streak; fill storm',
    startPrice: 25,
    cash: 200_000,
    params: { symbol: 'TIDE', allocation: 0.3, style: 'hold', quoteEverySeconds: 4 },
    limits: { maxOrderQuantity: 5_000, maxOrderNotional: 100_000, maxPosition: 4_000, priceCollar: 0.05 },
    // Three losing fills within a minute lock it for 20 s (as Freqtrade's StoplossGuard); more
    // than 20 fills within 5 s halt it until an operator re-enables it (RTS 6 Art 15(3)).
    breakers: { tradeLosses: { maxLosses: 3, lookback: 60, autoReset: { after: 20 } }, executionRate: { maxFills: 20, window: 5 } },
  },
  {
    name: 'iota',
    scenario: 'quote stuffing',
    startPrice: 70,
    cash: 300_000,
    params: { symbol: 'IRIS', allocation: 0.4, style: 'momentum', quoteEverySeconds: 3 },
    limits: { maxOrderQuantity: 5_000, maxOrderNotional: 150_000, maxPosition: 2_500, priceCollar: 0.05 },
    // More than 4 orders per fill over 20 s, once it has sent 20, halts it until the ratio falls back.
    breakers: { orderToTrade: { maxRatio: 4, window: 20, minOrders: 20 } },
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
  | { readonly kind: 'cancelReplace'; readonly roundsPerSecond: number }
  | { readonly kind: 'stuffing'; readonly quotesPerSecond: number }
  | { readonly kind: 'buyDips'; readonly lot: number; readonly everySeconds: number; readonly stop: number; readonly slide: number; readonly overSeconds: number }
  | { readonly kind: 'stopDips' }
  | { readonly kind: 'phantom'; readonly quantity: number }
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
 * - a losing streak (stop-loss sells in a slide) trips trade losses on theta, which its reset
 *   policy lifts 20 s later; a fill storm then trips its execution rate (operator re-enable only);
 * - a cancel/replace loop trips message rate on eta (it heals once its window clears);
 * - a broker outage trips error rate on gamma; after it, the broker reports a position gamma
 *   never traded, and reconciliation trips once the 10 s grace has passed;
 * - quote stuffing (orders that never trade) trips order-to-trade on iota.
 */
export const TIMELINE: readonly ScenarioStep[] = [
  { at: 15, strategy: 'alpha', label: 'market crash: ACME falls 25% within 10 s (alpha\'s loss breakers are reduce-only)', action: { kind: 'crash', totalReturn: -0.25, overSeconds: 10 } },
  { at: 20, strategy: 'epsilon', label: 'fat finger: a trader keys 25,000 EPIC instead of 250', action: { kind: 'fatFinger', quantity: 25_000 } },
  { at: 25, strategy: 'zeta', label: 'market data feed goes silent: no prices, no portfolio values (stale data trips after 30 s)', action: { kind: 'feedSilent', on: true } },
  { at: 30, strategy: 'epsilon', label: 'sizing bug: buys 250 EPIC every 2 s on top of its target (position limit 3,000)', action: { kind: 'accumulate', lot: 250, everySeconds: 2 } },
  { at: 30, strategy: 'theta', label: 'losing streak: TIDE slides 6% over 40 s; a buy-the-dip bug buys 300 every 3 s, its stop-loss sells each 0.4% lower (3 losing fills in 60 s lock it)', action: { kind: 'buyDips', lot: 300, everySeconds: 3, stop: 0.004, slide: -0.06, overSeconds: 40 } },
  { at: 35, strategy: 'eta', label: 'cancel/replace loop: a repricing bug cancels, re-sends and amends its quote 3 times a second (message limit 60 per 10 s)', action: { kind: 'cancelReplace', roundsPerSecond: 3 } },
  { at: 40, strategy: 'beta', label: 'runaway order loop: a retry bug resubmits an order 8 times a second', action: { kind: 'runaway', ordersPerSecond: 8 } },
  { at: 50, strategy: 'eta', label: 'cancel/replace loop fixed; the message-rate breaker heals once its 10 s window clears', action: { kind: 'cancelReplace', roundsPerSecond: 0 } },
  { at: 55, strategy: 'theta', label: 'buy-the-dip bug switched off (the trade-losses lock ends by itself: autoReset after 20 s)', action: { kind: 'stopDips' } },
  { at: 65, strategy: 'beta', label: 'runaway loop fixed; the order-rate breaker heals once its 60 s window clears', action: { kind: 'runaway', ordersPerSecond: 0 } },
  { at: 70, strategy: 'zeta', label: 'feed back: values flow again (the stale-data breaker recovers by itself)', action: { kind: 'feedSilent', on: false } },
  { at: 75, strategy: 'gamma', label: 'broker outage: every order is rejected and position sync fails', action: { kind: 'outage', on: true } },
  { at: 80, strategy: 'iota', label: 'quote stuffing: 2 quotes a second 3% away from the market, none of which trades (order-to-trade limit 4)', action: { kind: 'stuffing', quotesPerSecond: 2 } },
  { at: 85, strategy: 'theta', label: 'fill storm: a slicing bug sends 1-share market orders, 8 a second, each filled at once (execution limit 20 per 5 s)', action: { kind: 'runaway', ordersPerSecond: 8 } },
  { at: 90, strategy: 'theta', label: 'slicing bug stopped (the execution-rate breaker stays TRIPPED until an operator re-enables it)', action: { kind: 'runaway', ordersPerSecond: 0 } },
  { at: 95, strategy: 'gamma', label: 'broker back online (the error-rate breaker stays TRIPPED until an operator resets it)', action: { kind: 'outage', on: false } },
  { at: 95, strategy: 'gamma', label: 'phantom position: its broker now reports 500 CRUX more than gamma\'s fills (reconciliation trips after 10 s grace)', action: { kind: 'phantom', quantity: 500 } },
  { at: 95, strategy: 'iota', label: 'quote stuffing stops; the order-to-trade breaker heals once the ratio falls back', action: { kind: 'stuffing', quotesPerSecond: 0 } },
  { at: 120, strategy: null, label: 'scenario sequence complete', action: { kind: 'done' } },
];
