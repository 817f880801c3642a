import type { Writable } from 'node:stream';
import { BreakerState } from '../../machines/constants.ts';
import { AUTOMATIC_BREAKERS, type BreakerType } from '../../machines/rules/registry.ts';
import { BreakerboxMetrics } from '../metrics/metrics.ts';
import type { InspectOption } from '../runtime/runtime.ts';
import { createServer, type BreakerboxServer } from '../server/app.ts';
import { generateToken } from '../server/auth.ts';
import { stopStrategies } from '../server/host.ts';
import { allPersistent, haltedStarts, HaltedStartError } from '../store/startup.ts';
import { firstFreePort } from '../server/ports.ts';
import { startAlertReceiver } from './alertReceiver.ts';
import { ScaledClock } from './clock.ts';
import { DemoDisplay, eventLine, statusRow } from './display.ts';
import { loadPriceCsv } from './feed.ts';
import { bannerLines, cliInvocation, sequenceEndLines, stopLine } from './hint.ts';
import { fileLogger } from './logfile.ts';
import { DEMO_STRATEGIES } from './scenarios.ts';
import { keepsAccount, startSim, type SimParts, type SimSetting } from './sim.ts';
import { loadAccounts, saveAccounts } from './accounts.ts';
import { Simulation } from './simulation.ts';
import { SimulatedTime } from './simTime.ts';

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
  /** How the printed commands run the CLI (default: {@link cliInvocation} of this process, `npx breakerbox`). */
  readonly cli?: string;
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

  const parts: SimParts = { sims: new Map(), runtimes: new Map(), subs: [] };
  const { sims, runtimes, subs } = parts;
  let server: BreakerboxServer | null = null;
  let interval: NodeJS.Timeout | null = null;
  let renderTimer: NodeJS.Timeout | null = null;
  const trips: Record<string, string[]> = Object.fromEntries(AUTOMATIC_BREAKERS.map((b) => [b, []]));

  const fail = async (error: unknown): Promise<never> => {
    clock.release();
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
  const time = new SimulatedTime(clock);
  // Alerts go out for real: signed webhooks to a receiver on loopback that verifies them.
  // Held back until the demo has decided to start (a refused start prints only its one line).
  let heldBack: string[] | null = [];
  const receiver = await startAlertReceiver(clock, (alert) => {
    if (alert.eventType !== 'CircuitBreakerTripped' && alert.eventType !== 'ManualHalt') return;
    const line = eventLine(time.stamp(), alert.strategy, `alert     webhook received: ${alert.eventType} ${alert.breaker ?? ''} (signature ${alert.signatureOk ? 'verified' : 'INVALID'})`);
    if (heldBack) heldBack.push(line);
    else display.line(line);
  });
  try {
    const setting: SimSetting = {
      seed,
      replay,
      pricesFile: options.pricesFile,
      dataDir,
      speed,
      clock,
      logger: log.logger,
      inspect: options.inspect,
      cluster: options.cluster,
      receiver,
      metrics,
      display,
      time,
      trips,
      accounts: loadAccounts(dataDir),
    };
    for (const spec of DEMO_STRATEGIES) await startSim(spec, setting, parts);

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
    time.start();
    const leftovers = restored.filter((s) => s.state !== BreakerState.NORMAL && !failClosed.has(s.strategy));

    const envToken = process.env.BREAKERBOX_TOKEN;
    const tokenFromEnv = options.token === undefined && envToken !== undefined && envToken !== '';
    const token = options.token ?? (tokenFromEnv ? envToken! : generateToken());
    server = await createServer({ strategies: runtimes, token, logger: log.logger, metrics });
    const requestedPort = options.port ?? 8787;
    const port = await firstFreePort(host, requestedPort);
    const url = await server.listen({ host, port });

    const cli = options.cli ?? cliInvocation(process.argv[1], process.cwd());
    bannerLines({ strategies: sims.size, seed, speed, replaying: replay ? options.pricesFile! : null, url, token, tokenFromEnv, requestedPort, persisted, dataDir, logFile: log.file, cli }).forEach((l) =>
      display.line(l),
    );
    for (const s of leftovers) {
      display.line(`  ${s.strategy}: restored from ${dataDir} in state ${s.state}; the demo resets it (operator "demo") to replay the scenarios`);
    }
    for (const h of halted) {
      display.line(`  ${h.strategy}: started HALTED (fail closed): ${h.reason}; not reset automatically — reset it yourself once you know why`);
    }
    heldBack.forEach((line) => display.line(line));
    heldBack = null;
    display.line('');

    const printHint = () => {
      const strategies = [...sims.values()].map((sim) => ({ name: sim.spec.name, status: sim.rt.status() }));
      // URL and token come from the environment (the banner's export line), never the command line.
      const resetCommand = (strategy: string, breaker: BreakerType) => `${cli} live reset --strategy ${strategy} --breaker ${breaker}`;
      sequenceEndLines(time.stamp(), trips, strategies, resetCommand).forEach((l) => display.line(l));
    };
    const simulation = new Simulation({
      clock,
      time,
      speed,
      sims,
      replay,
      display,
      leftovers: leftovers.length > 0,
      durationSeconds: options.durationSeconds,
      onSequenceEnd: () => {
        printHint();
        if (options.exitOnEnd) finish('sequence-end');
      },
      onDuration: () => finish('duration'),
    });
    simulation.tick();
    interval = setInterval(() => simulation.tick(), simulation.realTickMs);
    const render = () => {
      display.render(`breakerbox demo — t+${time.elapsed()}s simulated (${speed}x) — ${url}/`, [...sims.values()].map((s) => statusRow(s.spec.scenario, s.rt.status(), s.rejected)), time.stamp());
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
          clock.release(); // simulated time moves no more: timers fire in real time while stopping
          if (tty) render();
          display.flush();
          const simulatedSeconds = time.elapsed();
          subs.forEach((s) => s.unsubscribe());
          await server?.close().catch(() => undefined);
          // Whether everything reached the store (a failed write makes flush() reject).
          const flushed = await Promise.allSettled([...runtimes.values()].map((rt) => rt.flush()));
          const storeWritten = flushed.every((r) => r.status === 'fulfilled');
          // The reconciled accounts continue next run from where the saved records are.
          if (persisted && storeWritten) saveAccounts(dataDir, Object.fromEntries([...sims.values()].filter((s) => keepsAccount(s.spec)).map((s) => [s.spec.name, s.broker.account()])));
          metrics.untrackAll();
          await stopStrategies(runtimes);
          await receiver.close();
          log.close();
          const summary = { trips, simulatedSeconds };
          out.write(`${stopLine(simulatedSeconds, trips, { persisted, storeWritten, dataDir })}\n`);
          return summary;
        })();
        return stopping;
      },
    };
  } catch (error) {
    return fail(error);
  }
}
