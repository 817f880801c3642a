/**
 * The self-contained demo behind `npm start`: a seeded simulated market, paper brokers, demo
 * strategies and scenarios that trip every automatic breaker.
 * @packageDocumentation
 */
export { startDemo, type DemoOptions, type DemoSummary, type RunningDemo } from './run.ts';
export { PaperBroker, PaperBrokerError, type PaperOrder, type SubmitResult, type BrokerMode } from './broker.ts';
export { ScaledClock } from './clock.ts';
export { RandomWalkFeed, ReplayFeed, parsePriceCsv, loadPriceCsv, PriceCsvError, type PriceSource } from './feed.ts';
export { mulberry32, gaussian, deriveSeed, type Random } from './prng.ts';
export { DemoStrategy, timedGuard, type StrategyParams, type Tick } from './strategy.ts';
export { DEMO_STRATEGIES, TIMELINE, type DemoStrategySpec, type ScenarioStep, type ScenarioAction } from './scenarios.ts';
