import { basename } from 'node:path';
import { Subject, type Subscription } from 'rxjs';
import { BreakerState } from '../../machines/constants.ts';
import { type BreakerType } from '../../machines/rules/registry.ts';
import { RiskEventType } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { BreakerboxMetrics } from '../metrics/metrics.ts';
import { createRiskRuntime } from '../app/create.ts';
import type { InspectOption, RiskRuntime } from '../runtime/runtime.ts';
import type { PortfolioUpdate } from '../runtime/types.ts';
import { PaperBroker, type PaperAccount } from './broker.ts';
import type { ScaledClock } from './clock.ts';
import { describeEvent, eventLine, type DemoDisplay } from './display.ts';
import { RandomWalkFeed, ReplayFeed, type PriceSource } from './feed.ts';
import { deriveSeed, mulberry32 } from './prng.ts';
import { DEMO_STALE_DATA, DEMO_STRATEGIES, type DemoStrategySpec, type ScenarioStep } from './scenarios.ts';
import type { SimulatedTime } from './simTime.ts';
import { DemoStrategy } from './strategy.ts';

/** One demo strategy at play: its runtime, paper broker, price feed and trading strategy. */
export interface Sim {
  readonly spec: DemoStrategySpec;
  readonly rt: RiskRuntime;
  readonly broker: PaperBroker;
  readonly feed: PriceSource;
  readonly strategy: DemoStrategy;
  readonly ledger$: Subject<PortfolioUpdate>;
  rejected: number;
  /** The feed is silent: no prices, no portfolio values, no ticks for the strategy. */
  silent: boolean;
}

/** What every strategy of the demo shares. */
export interface SimSetting {
  readonly seed: number;
  /** Prices replayed for the first strategy instead of its simulated crash, or null. */
  readonly replay: readonly number[] | null;
  readonly pricesFile: string | undefined;
  readonly dataDir: string;
  readonly speed: number;
  readonly clock: ScaledClock;
  readonly logger: Logger;
  readonly inspect: InspectOption | undefined;
  readonly cluster: string | undefined;
  /** The demo's webhook receiver, to which every strategy's alerts go. */
  readonly receiver: { readonly url: string; readonly secret: string };
  readonly metrics: BreakerboxMetrics;
  readonly display: DemoDisplay;
  readonly time: SimulatedTime;
  /** Strategies that tripped, by automatic breaker type (filled in as they trip). */
  readonly trips: Record<string, string[]>;
  /** Paper accounts saved by the previous run (accounts.ts), by strategy. */
  readonly accounts: Readonly<Record<string, PaperAccount>>;
}

/** Whether a demo strategy's paper account is kept between runs: its reports are reconciled with its fills. */
export function keepsAccount(spec: DemoStrategySpec): boolean {
  const r = spec.breakers?.reconciliation;
  return r !== undefined && r !== false;
}

/** What the demo has started so far, kept as it goes so that a failed start can stop it all. */
export interface SimParts {
  readonly sims: Map<string, Sim>;
  readonly runtimes: Map<string, RiskRuntime>;
  readonly subs: Subscription[];
}

/**
 * Starts one demo strategy: its paper broker and feed, its runtime (LevelDB in `dataDir`,
 * alerts to the receiver), its trading strategy, and the event lines it prints.
 */
export async function startSim(spec: DemoStrategySpec, setting: SimSetting, parts: SimParts): Promise<void> {
  const { replay, clock, speed, display, time, trips, metrics } = setting;
  const random = mulberry32(deriveSeed(setting.seed, spec.name));
  // Stamped fills and reports: reconciliation compares them (docs/breakers.md).
  const broker = new PaperBroker(spec.name, spec.cash, () => clock.now());
  const saved = setting.accounts[spec.name];
  if (saved !== undefined && keepsAccount(spec)) broker.restoreAccount(saved);
  const isReplay = replay !== null && spec.name === DEMO_STRATEGIES[0]!.name;
  const feed = isReplay ? new ReplayFeed(spec.params.symbol, replay) : new RandomWalkFeed(spec.params.symbol, spec.startPrice, random);
  const rt = await createRiskRuntime({
    strategy: spec.name,
    breakers: { preset: 'moderate', staleData: DEMO_STALE_DATA, ...spec.breakers },
    limits: spec.limits,
    store: { path: setting.dataDir },
    broker,
    clock,
    logger: setting.logger,
    ...(setting.inspect ? { inspect: setting.inspect } : {}),
    // Reset confirmations stay valid for a minute of real time, whatever the speed.
    resetTimeout: Math.min(3600, 60 * speed),
    alerts: { webhooks: [{ url: setting.receiver.url, format: 'json', secret: setting.receiver.secret }], allowlist: [setting.receiver.url] },
    ...(setting.cluster ? { cluster: { servers: setting.cluster, firm: 'demo', desk: 'demo' } } : {}),
  });
  parts.runtimes.set(spec.name, rt);
  const ledger$ = new Subject<PortfolioUpdate>();
  const strategy = new DemoStrategy(rt, broker, spec.params, random);
  const sim: Sim = { spec: isReplay ? { ...spec, scenario: `replay ${basename(setting.pricesFile!)}` } : spec, rt, broker, feed, strategy, ledger$, rejected: 0, silent: false };
  parts.sims.set(spec.name, sim);
  parts.subs.push(
    { unsubscribe: rt.connect({ ledger$, errors$: broker.errors$ }) } as Subscription,
    broker.fills$.subscribe((fill) => rt.recordFill(fill)),
    strategy.start(metrics),
    rt.events$.subscribe((event) => {
      if (event.type === RiskEventType.TRIPPED && event.breaker && event.breaker in trips) trips[event.breaker]!.push(event.strategy);
      const text = describeEvent(event);
      if (text) display.line(eventLine(time.stamp(), event.strategy, text));
    }),
    rt.decisions$.subscribe(({ decision }) => {
      if (!decision.allowed) sim.rejected++;
    }),
    strategy.notes$.subscribe((note) => display.line(eventLine(time.stamp(), spec.name, note))),
    broker.cancels$.subscribe(({ count }) => display.line(eventLine(time.stamp(), spec.name, `paper broker: cancelAllOrders cancelled ${count} pending order${count === 1 ? '' : 's'}`))),
  );
  metrics.track(rt);
}

/** Turns the scenario steps into what the demo does. */
export function applyStep(step: ScenarioStep, sims: ReadonlyMap<string, Sim>, replaying: boolean): void {
  const sim = step.strategy ? sims.get(step.strategy) : undefined;
  const a = step.action;
  if (a.kind === 'crash' && sim && !replaying) sim.feed.impulse(a.totalReturn, a.overSeconds);
  if (a.kind === 'runaway' && sim) sim.strategy.runaway = a.ordersPerSecond;
  if (a.kind === 'outage' && sim) sim.broker.mode = a.on ? 'outage' : 'normal';
  if (a.kind === 'fatFinger' && sim) sim.strategy.fatFinger(a.quantity);
  if (a.kind === 'accumulate' && sim) sim.strategy.accumulate(a.lot, a.everySeconds);
  if (a.kind === 'feedSilent' && sim) sim.silent = a.on;
  if (a.kind === 'cancelReplace' && sim) sim.strategy.cancelReplace = a.roundsPerSecond;
  if (a.kind === 'stuffing' && sim) sim.strategy.stuffing = a.quotesPerSecond;
  if (a.kind === 'buyDips' && sim) {
    sim.feed.impulse(a.slide, a.overSeconds); // a no-op for a replayed feed
    sim.strategy.buyDips({ lot: a.lot, everySeconds: a.everySeconds, stop: a.stop });
  }
  if (a.kind === 'stopDips' && sim) sim.strategy.buyDips(null);
  if (a.kind === 'phantom' && sim) sim.broker.phantom = { symbol: sim.spec.params.symbol, quantity: a.quantity };
}

/** Resets (operator "demo") every breaker a previous run left tripped, so that the scenarios play again. */
export function resetLeftovers(sims: ReadonlyMap<string, Sim>, display: DemoDisplay): void {
  for (const sim of sims.values()) {
    const status = sim.rt.status();
    for (const breaker of Object.keys(status.breakers) as BreakerType[]) {
      if (status.breakers[breaker].state === BreakerState.NORMAL) continue;
      try {
        const { token: t } = sim.rt.requestReset({ breaker, operator: 'demo' });
        sim.rt.confirmReset({ token: t, operator: 'demo' });
      } catch (error) {
        display.line(`  ${sim.spec.name}: could not reset ${breaker}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
