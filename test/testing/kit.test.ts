import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tradingDayAt } from '../../machines/figures/tradingDay.ts';
import {
  checkScenarios,
  clockAdvance,
  command,
  errorStorm,
  marketPath,
  nextOffsetChange,
  orderBurst,
  runScenario,
  scenario,
  tradingDayOf,
  InvariantViolation,
  type ScenarioCommand,
} from '../../src/testing/index.ts';

const RUNS = Number(process.env.KIT_RUNS ?? 60);

describe('arbitraries', () => {
  it('market paths are positive two-decimal values; rising ones set a new high every step', () => {
    fc.assert(
      fc.property(marketPath(), (values) => values.every((v) => /^\d+\.\d{2}$/.test(v) && Number(v) > 0)),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(marketPath({ kinds: ['rising'] }), (values) => values.every((v, i) => i === 0 || Number(v) > Number(values[i - 1]))),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(marketPath({ kinds: ['crash'] }), (values) => Number(values.at(-1)) < Number(values.at(-3) ?? values[0])),
      { numRuns: 200 },
    );
  });

  it('bursts are signals, storms are errors of the asked kinds, clock moves resolve across opens and DST', () => {
    fc.assert(fc.property(orderBurst({ max: 20 }), (cs) => cs.some((c) => c.kind === 'signal') && cs.every((c) => c.kind === 'signal' || c.kind === 'advance')));
    fc.assert(fc.property(errorStorm({ kinds: ['broker_error'] }), (cs) => cs.every((c) => c.kind === 'advance' || (c.kind === 'error' && c.errorKind === 'broker_error'))));
    fc.assert(fc.property(clockAdvance(), (c) => ['advance', 'toNextOpen', 'toDstChange'].includes(c.kind)));
    expect(fc.stringify([command({ kind: 'tick', value: '1.00' }), command({ kind: 'toNextOpen', offsetMs: -60_000 })])).toBe('[tick(1.00),toNextOpen(-1m)]');
  });
});

describe('the calendar is independent of the runtime and agrees with it', () => {
  it('trading days in New York (09:30 and 02:30, inside the spring-forward gap), London 01:30, UTC', () => {
    const opens = [
      { time: '09:30', timeZone: 'America/New_York' },
      { time: '02:30', timeZone: 'America/New_York' },
      { time: '01:30', timeZone: 'Europe/London' },
      { time: '00:00', timeZone: 'UTC' },
    ];
    for (const open of opens) {
      for (let t = Date.UTC(2025, 2, 1); t < Date.UTC(2025, 11, 1); t += 31 * 3_600_000 + 7_777_777) {
        expect(tradingDayOf(t, open)).toEqual({ openAt: tradingDayAt(t, open).openAt, nextOpenAt: tradingDayAt(t, open).nextOpenAt });
      }
    }
    expect(new Date(nextOffsetChange(Date.UTC(2026, 0, 5), 'America/New_York')!).toISOString()).toBe('2026-03-08T07:00:00.000Z');
  });
});

describe('the oracle agrees with the runtime on generated scenarios', () => {
  const configs: [string, Record<string, unknown>][] = [
    ['moderate preset', {}],
    ['tight limits', { breakers: { drawdown: { threshold: -0.03 }, dailyLoss: { limit: -0.02 }, orderRate: { maxOrders: 5, window: 10 }, errorRate: { maxErrors: 3, window: 13 } }, resetTimeout: 7.5 }],
    ['daily loss as an amount, New York open across DST', { breakers: { preset: 'conservative', dailyLoss: { limitAmount: '-2500' } }, marketOpen: { time: '09:30', timeZone: 'America/New_York' } }],
    ['drawdown and manual only', { breakers: { dailyLoss: false, orderRate: false, errorRate: false } }],
  ];
  for (const [name, runtime] of configs) {
    it(`${name}: ${RUNS} scenarios`, async () => {
      await checkScenarios({ runtime, oracle: true, numRuns: RUNS, start: Date.UTC(2026, 2, 6, 13, 0), commands: scenario({ maxChunks: 16 }) });
    });
  }
});

describe('the harness catches what breaks the invariants', () => {
  const ticks = (...values: string[]): ScenarioCommand[] => values.map((value) => command({ kind: 'tick', value }));

  it('an order sent to the broker past the gate, with the step and the commands so far', async () => {
    const cmds = [...ticks('100000.00', '89000.00'), command({ kind: 'signal', order: { symbol: 'ES', side: 'buy', quantity: 1 } })];
    const error = await runScenario(cmds, { strategy: { onSignal: (ctx, order) => ctx.sendToBroker(order) } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvariantViolation);
    expect((error as Error).message).toMatch(/an order reached the broker while trading was not ACTIVE \(global TRIPPED: drawdown TRIPPED/);
    expect((error as Error).message).toMatch(/at step 3 of 3: signal\(buy 1 ES\)/);
  });

  it('a strategy that loops forever on rejections is stopped', async () => {
    const cmds = [...ticks('100000.00'), command({ kind: 'brokerRejects', count: 1_000_000 }), command({ kind: 'signal', order: { symbol: 'ES', side: 'buy', quantity: 1 } })];
    const strategy = { onBrokerReject: (ctx: { sendToBroker(o: unknown): void }, order: unknown) => ctx.sendToBroker(order) };
    await expect(runScenario(cmds, { strategy: strategy as never, runtime: { breakers: { errorRate: false } }, maxSendsPerCommand: 500 })).rejects.toThrow(/loops/);
  });

  it('checkScenarios prints a shrunk counterexample with the seed to replay it', async () => {
    const error = await checkScenarios({ strategy: { onSignal: (ctx, order) => ctx.sendToBroker(order) }, numRuns: 200, seed: 42 }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/^breakerbox invariant broken: an order reached the broker while trading was not ACTIVE/);
    expect(error!.message).toMatch(/counterexample \(\d+ commands, shrunk \d+ times/);
    expect(error!.message).toMatch(/seed: 42, path: "/);
  });
});
