/**
 * Messages: `checkCancel()` on a TRIPPED message-rate breaker against an allowed `check()` in the
 * same run (target: median within 2×). A cancellation must pass whatever the breaker's state and
 * still be counted: one O(1) window count, no chart event. Every cancellation must be allowed and
 * every check allowed; the cancel runtime's breaker must still be TRIPPED at the end.
 */
import { createRiskRuntime, silentLogger, systemClock, type Clock, type RiskRuntime } from '../src/index.ts';
import { fmtNs, fmtRate, fmtRatio, measure, pairedRatio, pairedVerdict, table, type BatchTask } from './lib.ts';

const SYNC_BATCH = 1000;
/** As in bench/core.ts: a 1 ms order-rate window never fills at these speeds. */
const BREAKERS = {
  drawdown: { threshold: -0.1 },
  dailyLoss: { limit: -0.05 },
  orderRate: { maxOrders: 100_000, window: 0.001 },
  errorRate: { maxErrors: 10, window: 60 },
} as const;

const wallClock: Clock = {
  now: () => Date.now(),
  monotonic: systemClock.monotonic,
  setTimer(callback, delayMs) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    handle.unref();
    return () => clearTimeout(handle);
  },
};

const ORDER = Object.freeze({ symbol: 'AAPL', side: 'buy', quantity: '10', price: '187.25' });
const CANCEL = Object.freeze({ id: 'order-123456' });

export async function benchMessages(): Promise<string[]> {
  let refused = 0;
  const make = (breakers: object): Promise<RiskRuntime> => createRiskRuntime({ strategy: 'bench', logger: silentLogger, clock: wallClock, breakers });
  const checker = await make(BREAKERS);
  // The message window holds a day: once over 1 message it stays TRIPPED for the whole run.
  const tripped = await make({ ...BREAKERS, messageRate: { maxMessages: 1, window: 86_400 } });
  // Message rate on and never near its limit (a 1 ms window): what counting costs a check.
  const counting = await make({ ...BREAKERS, messageRate: { maxMessages: 1_000_000, window: 0.001 } });
  for (const rt of [checker, tripped, counting]) rt.updatePortfolio({ value: '1000000' });
  tripped.checkCancel(CANCEL);
  tripped.checkCancel(CANCEL);
  if (tripped.status().breakers.messageRate.state !== 'TRIPPED') throw new Error('bench invalid: the message-rate breaker did not trip');

  const tasks: BatchTask[] = [
    {
      name: 'check(), allowed',
      batch: SYNC_BATCH,
      note: 'moderate-like breakers, no limits',
      fn: () => {
        for (let k = 0; k < SYNC_BATCH; k++) if (!checker.check(ORDER).allowed) refused++;
      },
    },
    {
      name: 'checkCancel(), message rate TRIPPED',
      batch: SYNC_BATCH,
      note: 'allowed and counted',
      fn: () => {
        for (let k = 0; k < SYNC_BATCH; k++) if (!tripped.checkCancel(CANCEL).allowed) refused++;
      },
    },
    {
      name: 'check(), allowed, message rate counting',
      batch: SYNC_BATCH,
      note: 'messageRate on, 1 ms window',
      fn: () => {
        for (let k = 0; k < SYNC_BATCH; k++) if (!counting.check(ORDER).allowed) refused++;
      },
    },
  ];
  const [checkFig, cancelFig, countingFig] = await measure(tasks);
  const paired = pairedRatio('checkCancel (tripped) vs check (allowed)', tasks[1]!.fn as () => void, tasks[0]!.fn as () => void);
  const state = tripped.status().breakers.messageRate;
  await Promise.all([checker.stop(), tripped.stop(), counting.stop()]);
  if (refused !== 0) throw new Error(`bench invalid: ${refused} decisions were refusals`);
  if (state.state !== 'TRIPPED') throw new Error(`bench invalid: the message-rate breaker left TRIPPED (${state.state})`);
  const ratio = cancelFig!.medianNs / checkFig!.medianNs;
  return [
    ...table([
      ['task', 'median', 'p99', 'rate', 'vs allowed check', 'samples', 'note'],
      ...[checkFig!, cancelFig!, countingFig!].map((r) => [r.name, fmtNs(r.medianNs), fmtNs(r.p99Ns), fmtRate(r.medianNs), fmtRatio(r.medianNs, checkFig!.medianNs), String(r.samples), r.note]),
    ]),
    `checkCancel on a tripped message-rate breaker vs an allowed check: ${fmtRatio(cancelFig!.medianNs, checkFig!.medianNs)} (target ≤ 2×) — ${ratio <= 2 ? 'OK' : 'OVER TARGET'}; ${state.figures?.count ?? '?'} messages in the window at the end`,
    pairedVerdict(paired, 2),
  ];
}
