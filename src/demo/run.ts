import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { Subject, type Subscription } from 'rxjs';
import { AUTOMATIC_BREAKERS, BreakerState, type BreakerType } from '../../machines/constants.ts';
import { RiskEventType } from '../events.ts';
import { BreakerboxMetrics } from '../metrics/metrics.ts';
import { createRiskRuntime } from '../runtime/create.ts';
import type { InspectOption, RiskRuntime } from '../runtime/runtime.ts';
import type { PortfolioUpdate } from '../runtime/types.ts';
import { createServer, type BreakerboxServer } from '../server/app.ts';
import { generateToken } from '../server/auth.ts';
import { stopStrategies } from '../server/host.ts';
import { allPersistent, haltedStarts, HaltedStartError } from '../store/startup.ts';
import { firstFreePort } from '../server/ports.ts';
import { startAlertReceiver } from './alertReceiver.ts';
import { PaperBroker } from './broker.ts';
import { ScaledClock } from './clock.ts';
import { describeEvent, DemoDisplay, statusRow } from './display.ts';
import { RandomWalkFeed, ReplayFeed, loadPriceCsv, type PriceSource } from './feed.ts';
import { bannerLines, resetHints } from './hint.ts';
import { fileLogger } from './logfile.ts';
import { deriveSeed, mulberry32 } from './prng.ts';
import { DEMO_STALE_DATA, DEMO_STRATEGIES, TIMELINE, type DemoStrategySpec, type ScenarioStep } from './scenarios.ts';
import { DemoStrategy } from './strategy.ts';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Simulated seconds per real second (default 1). */
  readonly speed?: number;
  /** Port of the API (default 8787, or the next free one; 0 = any free port). */
  readonly port?: number;
  readonly host?: string;
  /** LevelDB directory, also holding breakerbox.log (default ./data). */
  readonly dataDir?: string;
  /** Seed of the simulated market (default 42). */
  readonly seed?: number;
  /** CSV of prices to replay for the first strategy instead of the simulated crash. */
  readonly pricesFile?: string;
  /** API token (default BREAKERBOX_TOKEN, else generated and printed). */
  readonly token?: string;
  /** Where the demo prints (default stdout). */
  readonly out?: Writable;
  /** Redraw a live table (default: whether `out` is a TTY). */
  readonly tty?: boolean;
  /** Start even when the store is locked or unreadable (those strategies run halted, in memory). */
  readonly allowHaltedStart?: boolean;
  /** A NATS JetStream server (`nats://…`): the demo's strategies join firm "demo" (docs/cluster.md). */
  readonly cluster?: string;
  /** Resolve {@link RunningDemo.finished} after this many *simulated* seconds (the unit of the summary). */
  readonly durationSeconds?: number;
  /** Resolve {@link RunningDemo.finished} when the scripted sequence ends (t+120 s simulated). */
  readonly exitOnEnd?: boolean;
  /** XState inspection of every strategy's actors (e.g. `createWebSocketInspector({ url }).inspect`). */
  readonly inspect?: InspectOption;
}

/** What happened in a demo run. */
export interface DemoSummary {
  /** Strategies that tripped, by automatic breaker type. */
  readonly trips: Readonly<Record<string, readonly string[]>>;
  readonly simulatedSeconds: number;
}

/** A running demo. */
export interface RunningDemo {
  readonly url: string;
  readonly token: string;
  /**
   * Resolves when the demo has run for `durationSeconds` simulated seconds (`'duration'`) or its
   * scripted sequence ended with `exitOnEnd` (`'sequence-end'`); never resolves without either.
   */
  readonly finished: Promise<'duration' | 'sequence-end'>;
  /** Stops the simulation, the server and every runtime (store closed, logs flushed). */
  stop(): Promise<DemoSummary>;
}

interface Sim {
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

/** Width of the strategy column of the event lines. */
const NAME_WIDTH = 7;

/** Turns the scenario steps into what the demo does. */
function applyStep(step: ScenarioStep, sims: Map<string, Sim>, replaying: boolean): void {
  const sim = step.strategy ? sims.get(step.strategy) : undefined;
  const a = step.action;
  if (a.kind === 'crash' && sim && !replaying) sim.feed.impulse(a.totalReturn, a.overSeconds);
  if (a.kind === 'runaway' && sim) sim.strategy.runaway = a.ordersPerSecond;
  if (a.kind === 'outage' && sim) sim.broker.mode = a.on ? 'outage' : 'normal';
  if (a.kind === 'fatFinger' && sim) sim.strategy.fatFinger(a.quantity);
  if (a.kind === 'accumulate' && sim) sim.strategy.accumulate(a.lot, a.everySeconds);
  if (a.kind === 'feedSilent' && sim) sim.silent = a.on;
}

/**
 * Starts the self-contained demo: simulated market, paper brokers, six strategies through the
 * full runtime (LevelDB in `dataDir`), and the API + metrics + dashboard on 127.0.0.1.
 */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const out = options.out ?? process.stdout;
  const tty = options.tty ?? (out as { isTTY?: boolean }).isTTY === true;
  const speed = options.speed ?? 1;
  const seed = options.seed ?? 42;
  const dataDir = options.dataDir ?? './data';
  const host = options.host ?? '127.0.0.1';
  const display = new DemoDisplay(out, tty);
  const log = fileLogger(dataDir);
  const clock = new ScaledClock(speed);
  // Simulated time stands still until the simulation starts (opening the store and the server
  // must not look like a silent feed to the stale-data breakers), and then the simulation loop
  // steps it, tick by tick.
  clock.pause();
  const replay = options.pricesFile ? await loadPriceCsv(options.pricesFile) : null;

  const sims = new Map<string, Sim>();
  const runtimes = new Map<string, RiskRuntime>();
  const subs: Subscription[] = [];
  let server: BreakerboxServer | null = null;
  let interval: NodeJS.Timeout | null = null;
  let renderTimer: NodeJS.Timeout | null = null;
  const trips: Record<string, string[]> = Object.fromEntries(AUTOMATIC_BREAKERS.map((b) => [b, []]));

  const fail = async (error: unknown): Promise<never> => {
    subs.forEach((s) => s.unsubscribe());
    await server?.close().catch(() => undefined);
    await stopStrategies(runtimes);
    await receiver.close();
    log.close();
    throw error;
  };

  let finish: (why: 'duration' | 'sequence-end') => void = () => undefined;
  const finished = new Promise<'duration' | 'sequence-end'>((resolve) => (finish = resolve));
  const metrics = new BreakerboxMetrics();
  const simStart = { at: 0 };
  const stamp = () => `t+${String(Math.max(0, Math.round((clock.now() - simStart.at) / 1000))).padStart(4)}s`;
  // Alerts go out for real: signed webhooks to a receiver on loopback that verifies them.
  // Held back until the demo has decided to start (a refused start prints only its one line).
  let heldBack: string[] | null = [];
  const receiver = await startAlertReceiver(clock, (alert) => {
    if (alert.eventType !== 'CircuitBreakerTripped' && alert.eventType !== 'ManualHalt') return;
    const line = `${stamp()}  ${alert.strategy.padEnd(NAME_WIDTH)} alert     webhook received: ${alert.eventType} ${alert.breaker ?? ''} (signature ${alert.signatureOk ? 'verified' : 'INVALID'})`;
    if (heldBack) heldBack.push(line);
    else display.line(line);
  });
  try {
    for (const spec of DEMO_STRATEGIES) {
      const random = mulberry32(deriveSeed(seed, spec.name));
      const broker = new PaperBroker(spec.name, spec.cash);
      const isReplay = replay !== null && spec.name === DEMO_STRATEGIES[0]!.name;
      const feed = isReplay ? new ReplayFeed(spec.params.symbol, replay) : new RandomWalkFeed(spec.params.symbol, spec.startPrice, random);
      const rt = await createRiskRuntime({
        strategy: spec.name,
        breakers: { preset: 'moderate', staleData: DEMO_STALE_DATA, ...spec.breakers },
        limits: spec.limits,
        store: { path: dataDir },
        broker,
        clock,
        logger: log.logger,
        ...(options.inspect ? { inspect: options.inspect } : {}),
        // Reset confirmations stay valid for a minute of real time, whatever the speed.
        resetTimeout: Math.min(3600, 60 * speed),
        alerts: { webhooks: [{ url: receiver.url, format: 'json', secret: receiver.secret }], allowlist: [receiver.url] },
        ...(options.cluster ? { cluster: { servers: options.cluster, firm: 'demo', desk: 'demo' } } : {}),
      });
      runtimes.set(spec.name, rt);
      const ledger$ = new Subject<PortfolioUpdate>();
      const strategy = new DemoStrategy(rt, broker, spec.params, random);
      const sim: Sim = { spec: isReplay ? { ...spec, scenario: `replay ${basename(options.pricesFile!)}` } : spec, rt, broker, feed, strategy, ledger$, rejected: 0, silent: false };
      sims.set(spec.name, sim);
      subs.push(
        { unsubscribe: rt.connect({ ledger$, errors$: broker.errors$ }) } as Subscription,
        broker.fills$.subscribe((fill) => rt.recordFill(fill)),
        strategy.start(metrics),
        rt.events$.subscribe((event) => {
          if (event.type === RiskEventType.TRIPPED && event.breaker && event.breaker in trips) trips[event.breaker]!.push(event.strategy);
          const text = describeEvent(event);
          if (text) display.line(`${stamp()}  ${event.strategy.padEnd(NAME_WIDTH)} ${text}`);
        }),
        rt.decisions$.subscribe(({ decision }) => {
          if (!decision.allowed) sim.rejected++;
        }),
        strategy.notes$.subscribe((note) => display.line(`${stamp()}  ${spec.name.padEnd(NAME_WIDTH)} ${note}`)),
        broker.cancels$.subscribe(({ count }) => display.line(`${stamp()}  ${spec.name.padEnd(NAME_WIDTH)} paper broker: cancelAllOrders cancelled ${count} pending order${count === 1 ? '' : 's'}`)),
      );
      metrics.track(rt);
    }

    // A store locked by another process or unreadable: say so and stop, unless told to start halted.
    const halted = haltedStarts(runtimes.values());
    if (halted.length > 0 && !options.allowHaltedStart) throw new HaltedStartError(halted); // the catch below cleans up
    const failClosed = new Set(halted.map((h) => h.strategy));
    const persisted = allPersistent(runtimes.values());

    // A previous run's state was restored from the store: continue its clock, and clear old trips
    // (never a fail-closed halt: that one waits for a person).
    const restored = [...runtimes.values()].map((rt) => rt.status());
    const lastSeen = Math.max(0, ...restored.map((s) => (s.portfolio.timestamp ? Date.parse(s.portfolio.timestamp) : 0)));
    clock.jumpTo(lastSeen + 1000);
    simStart.at = clock.now();
    const leftovers = restored.filter((s) => s.state !== BreakerState.NORMAL && !failClosed.has(s.strategy));

    const token = options.token ?? process.env.BREAKERBOX_TOKEN ?? generateToken();
    server = await createServer({ strategies: runtimes, token, logger: log.logger, metrics });
    const port = await firstFreePort(host, options.port ?? 8787);
    const url = await server.listen({ host, port });

    const cli = 'node bin/breakerbox.js';
    bannerLines({ strategies: sims.size, seed, speed, replaying: replay ? options.pricesFile! : null, url, token, persisted, dataDir, logFile: log.file, cli }).forEach((l) => display.line(l));
    for (const s of leftovers) {
      display.line(`  ${s.strategy}: restored from ${dataDir} in state ${s.state}; the demo resets it (operator "demo") to replay the scenarios`);
    }
    for (const h of halted) {
      display.line(`  ${h.strategy}: started HALTED (fail closed): ${h.reason}; not reset automatically — reset it yourself once you know why`);
    }
    heldBack.forEach((line) => display.line(line));
    heldBack = null;
    display.line('');

    // The simulation loop: every tick moves each market, values each portfolio, lets each strategy trade.
    // Simulated time moves in fixed steps, one per tick, and stands still between them: a slow or
    // busy machine runs the same simulation more slowly instead of a different one.
    const realTickMs = Math.max(20, 1000 / speed);
    const stepMs = Math.round(realTickMs * speed);
    let firstTick = true;
    let step = 0;
    let cleared = leftovers.length === 0;
    const tick = () => {
      if (!firstTick) clock.jumpTo(clock.now() + stepMs);
      const dt = firstTick ? 0.001 : stepMs / 1000;
      firstTick = false;
      const now = clock.now();
      const elapsed = (now - simStart.at) / 1000;
      while (step < TIMELINE.length && TIMELINE[step]!.at <= elapsed) {
        const s = TIMELINE[step++]!;
        const replaying = replay !== null && s.strategy === DEMO_STRATEGIES[0]!.name;
        if (replaying && s.action.kind === 'crash') display.line(`${stamp()}  ${s.strategy!.padEnd(NAME_WIDTH)} replaying ${replay.length} prices (one per simulated second) instead of the crash`);
        else display.line(`${stamp()}  ${(s.strategy ?? '').padEnd(NAME_WIDTH)} >> ${s.label}`);
        applyStep(s, sims, replay !== null);
        if (s.action.kind === 'done') {
          printHint();
          if (options.exitOnEnd) finish('sequence-end');
        }
      }
      if (options.durationSeconds !== undefined && elapsed >= options.durationSeconds) finish('duration');
      const prices = new Map<Sim, number>();
      for (const sim of sims.values()) {
        if (sim.silent) continue;
        const price = sim.feed.next(dt);
        prices.set(sim, price);
        sim.broker.setPrice(sim.spec.params.symbol, price);
        sim.ledger$.next(sim.broker.snapshot());
      }
      // A previous run's trips are cleared once the first values are in, before anyone trades.
      if (!cleared) {
        cleared = true;
        clearLeftovers();
      }
      for (const [sim, price] of prices) sim.strategy.ticks$.next({ at: now, price, dt });
    };
    const clearLeftovers = () => {
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
    };
    // Reset commands only for breakers whose chart waits for an operator (self-healing ones recover by themselves).
    const printHint = () => {
      display.line(`${stamp()}${' '.repeat(NAME_WIDTH + 3)}every automatic breaker has tripped: ${AUTOMATIC_BREAKERS.map((b) => `${b} ${trips[b]!.length > 0 ? 'yes' : 'no'}`).join(', ')}`);
      for (const sim of sims.values()) {
        for (const hint of resetHints(sim.rt.status(), (b) => `${cli} live reset --strategy ${sim.spec.name} --breaker ${b} --url ${url} --token ${token}`)) display.line(`         ${hint}`);
      }
      display.line('         (daily loss refuses a reset while today\'s loss is still beyond its limit)');
    };
    tick();
    interval = setInterval(tick, realTickMs);
    const render = () => {
      const elapsed = Math.round((clock.now() - simStart.at) / 1000);
      display.render(`breakerbox demo — t+${elapsed}s simulated (${speed}x) — ${url}/`, [...sims.values()].map((s) => statusRow(s.spec.scenario, s.rt.status(), s.rejected)), stamp());
    };
    renderTimer = setInterval(render, tty ? 1000 : 15_000);
    if (tty) render();

    let stopping: Promise<DemoSummary> | null = null;
    return {
      url,
      token,
      finished,
      stop() {
        stopping ??= (async () => {
          if (interval) clearInterval(interval);
          if (renderTimer) clearInterval(renderTimer);
          if (tty) render();
          display.flush();
          const simulatedSeconds = Math.round((clock.now() - simStart.at) / 1000);
          subs.forEach((s) => s.unsubscribe());
          await server?.close().catch(() => undefined);
          // Whether everything reached the store (a failed write makes flush() reject).
          const flushed = await Promise.allSettled([...runtimes.values()].map((rt) => rt.flush()));
          const storeWritten = flushed.every((r) => r.status === 'fulfilled');
          metrics.untrackAll();
          await stopStrategies(runtimes);
          await receiver.close();
          log.close();
          const summary = { trips, simulatedSeconds };
          const saved = persisted && storeWritten ? `state saved in ${dataDir}` : `state NOT saved (${persisted ? 'the store could not be written' : `${dataDir} could not be used`})`;
          out.write(
            `demo stopped after ${simulatedSeconds}s simulated; trips: ${AUTOMATIC_BREAKERS.map((b) => `${b}=${trips[b]!.length > 0 ? trips[b]!.join('+') : 'none'}`).join(' ')}; ${saved}\n`,
          );
          return summary;
        })();
        return stopping;
      },
    };
  } catch (error) {
    return fail(error);
  }
}
