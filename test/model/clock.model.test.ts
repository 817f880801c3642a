import fc from 'fast-check';
import { describe, it } from 'vitest';
import { collectRxjsErrors, commands, MAX_COMMANDS, NUM_RUNS, replay, scenario, verify, type Cmd } from './harness.ts';
import type { B } from './referenceModel.ts';

// The same harness with wall-clock steps among the commands: the wall clock alone moves (NTP, a
// resumed VM), both ways. The model keeps every window, deadline and age on the monotonic clock
// and only the trading day on the wall clock; the runtime must agree after every command.
collectRxjsErrors();

/** A quarter of NUM_RUNS per configuration (at least 50): the step is one command among many. */
const CLOCK_RUNS = Math.max(50, Math.floor(NUM_RUNS / 4));

class StepWall implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Parameters<Cmd['run']>[0], real: Parameters<Cmd['run']>[1]) {
    m.stepWall(this.ms);
    real.clock.stepWall(this.ms);
    verify(m, real);
  }
  toString = () => `stepWall(${this.ms > 0 ? '+' : ''}${this.ms / 1000}s)`;
}

/** Steps of a second to a day, both ways (a step forward across midnight opens a trading day). */
const stepWall = fc
  .oneof(fc.integer({ min: 1, max: 600 }).map((s) => s * 1000), fc.constantFrom(3_600_000, 13 * 3_600_000, 86_400_000))
  .chain((ms) => fc.constantFrom(ms, -ms))
  .map((ms) => new StepWall(ms));

const withSteps = [...commands, stepWall, stepWall, stepWall];

describe('model-based: wall-clock steps never move a window, a deadline or an age', () => {
  const configs: [string, B[]][] = [
    ['every breaker', ['drawdown', 'dailyLoss', 'orderRate', 'errorRate']],
    ['dailyLoss', ['dailyLoss']],
    ['orderRate', ['orderRate']],
  ];
  for (const [name, enabled] of configs) {
    it(`${name}: ${CLOCK_RUNS} random sequences with wall-clock steps agree with the model`, async () => {
      await fc.assert(fc.asyncProperty(fc.commands(withSteps, { maxCommands: MAX_COMMANDS, size: 'large' }), scenario(enabled, 'memory')), {
        numRuns: CLOCK_RUNS,
        verbose: 1,
        ...replay,
      });
    }, 600_000);
  }
});
