import type { ScaledClock } from './clock.ts';
import { eventLine, type DemoDisplay } from './display.ts';
import { DEMO_STRATEGIES, TIMELINE } from './scenarios.ts';
import { applyStep, resetLeftovers, type Sim } from './sim.ts';
import type { SimulatedTime } from './simTime.ts';

/** What {@link Simulation} drives and tells. */
export interface SimulationOptions {
  readonly clock: ScaledClock;
  readonly time: SimulatedTime;
  /** Simulated seconds per real second. */
  readonly speed: number;
  readonly sims: ReadonlyMap<string, Sim>;
  /** Prices replayed for the first strategy, or null. */
  readonly replay: readonly number[] | null;
  readonly display: DemoDisplay;
  /** Whether a previous run left breakers tripped (reset once the first values are in). */
  readonly leftovers: boolean;
  /** Simulated seconds after which {@link SimulationOptions.onDuration} is called (on every tick from then on). */
  readonly durationSeconds: number | undefined;
  /** Called when the scripted sequence ends. */
  readonly onSequenceEnd: () => void;
  readonly onDuration: () => void;
}

/**
 * The simulation loop: every tick plays the scenario steps that are due, moves each market,
 * values each portfolio and lets each strategy trade. Simulated time moves in fixed steps, one
 * per tick, and stands still between them: a slow or busy machine runs the same simulation
 * more slowly instead of a different one.
 */
export class Simulation {
  /** Real milliseconds between ticks. */
  readonly realTickMs: number;
  readonly #stepMs: number;
  readonly #options: SimulationOptions;
  #firstTick = true;
  #step = 0;
  #cleared: boolean;

  constructor(options: SimulationOptions) {
    this.#options = options;
    this.realTickMs = Math.max(20, 1000 / options.speed);
    this.#stepMs = Math.round(this.realTickMs * options.speed);
    this.#cleared = !options.leftovers;
  }

  /** One step of simulated time. */
  tick(): void {
    const { clock, time, sims, replay, display } = this.#options;
    if (!this.#firstTick) clock.jumpTo(clock.now() + this.#stepMs);
    const dt = this.#firstTick ? 0.001 : this.#stepMs / 1000;
    this.#firstTick = false;
    const now = clock.now();
    const elapsed = time.secondsAt(now);
    while (this.#step < TIMELINE.length && TIMELINE[this.#step]!.at <= elapsed) {
      const s = TIMELINE[this.#step++]!;
      const replaying = replay !== null && s.strategy === DEMO_STRATEGIES[0]!.name;
      if (replaying && s.action.kind === 'crash') display.line(eventLine(time.stamp(), s.strategy!, `replaying ${replay.length} prices (one per simulated second) instead of the crash`));
      else display.line(eventLine(time.stamp(), s.strategy ?? '', `>> ${s.label}`));
      applyStep(s, sims, replay !== null);
      if (s.action.kind === 'done') this.#options.onSequenceEnd();
    }
    if (this.#options.durationSeconds !== undefined && elapsed >= this.#options.durationSeconds) this.#options.onDuration();
    const prices = new Map<Sim, number>();
    for (const sim of sims.values()) {
      if (sim.silent) continue;
      const price = sim.feed.next(dt);
      prices.set(sim, price);
      sim.broker.setPrice(sim.spec.params.symbol, price);
      sim.ledger$.next(sim.broker.snapshot());
    }
    // A previous run's trips are cleared once the first values are in, before anyone trades.
    if (!this.#cleared) {
      this.#cleared = true;
      resetLeftovers(sims, display);
    }
    for (const [sim, price] of prices) sim.strategy.ticks$.next({ at: now, price, dt });
  }
}
