import type { StrategyParams } from './strategy.ts';

/** One simulated strategy of the demo. */
export interface DemoStrategySpec {
  readonly name: string;
  /** What happens to it, shown in the live table. */
  readonly scenario: string;
  readonly startPrice: number;
  readonly cash: number;
  readonly params: StrategyParams;
}

/** The demo's strategies: one per scenario, plus a steady one for contrast. */
export const DEMO_STRATEGIES: readonly DemoStrategySpec[] = [
  { name: 'alpha', scenario: 'market crash', startPrice: 120, cash: 1_000_000, params: { symbol: 'ACME', allocation: 0.95, style: 'hold', quoteEverySeconds: 4 } },
  { name: 'beta', scenario: 'runaway order loop', startPrice: 45, cash: 500_000, params: { symbol: 'BOLT', allocation: 0.5, style: 'momentum', quoteEverySeconds: 3 } },
  { name: 'gamma', scenario: 'broker outage', startPrice: 80, cash: 750_000, params: { symbol: 'CRUX', allocation: 0.5, style: 'momentum', quoteEverySeconds: 2 } },
  { name: 'delta', scenario: 'steady (control)', startPrice: 60, cash: 250_000, params: { symbol: 'DYNE', allocation: 0.4, style: 'momentum', quoteEverySeconds: 5 } },
];

/** What a scenario step does to the simulation. */
export type ScenarioAction =
  | { readonly kind: 'crash'; readonly totalReturn: number; readonly overSeconds: number }
  | { readonly kind: 'runaway'; readonly ordersPerSecond: number }
  | { readonly kind: 'outage'; readonly on: boolean }
  | { readonly kind: 'done' };

/** A step of the scenario timeline, at a simulated second after the start. */
export interface ScenarioStep {
  readonly at: number;
  readonly strategy: string | null;
  readonly label: string;
  readonly action: ScenarioAction;
}

/**
 * The timeline (simulated seconds): a crash trips drawdown and daily loss on alpha; a runaway
 * order loop trips order rate on beta (it heals once its 60 s window clears); a broker outage
 * trips error rate on gamma. With the moderate preset: drawdown −10 %, daily loss −5 %,
 * 100 orders / 60 s, 10 errors / 60 s.
 */
export const TIMELINE: readonly ScenarioStep[] = [
  { at: 15, strategy: 'alpha', label: 'market crash: ACME falls 25% within 10 s', action: { kind: 'crash', totalReturn: -0.25, overSeconds: 10 } },
  { at: 40, strategy: 'beta', label: 'runaway order loop: a retry bug resubmits an order 8 times a second', action: { kind: 'runaway', ordersPerSecond: 8 } },
  { at: 65, strategy: 'beta', label: 'runaway loop fixed; the order-rate breaker heals once its 60 s window clears', action: { kind: 'runaway', ordersPerSecond: 0 } },
  { at: 75, strategy: 'gamma', label: 'broker outage: every order is rejected and position sync fails', action: { kind: 'outage', on: true } },
  { at: 105, strategy: 'gamma', label: 'broker back online (the error-rate breaker stays TRIPPED until an operator resets it)', action: { kind: 'outage', on: false } },
  { at: 120, strategy: null, label: 'scenario sequence complete', action: { kind: 'done' } },
];
