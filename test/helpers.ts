import { createRiskRuntime, ManualClock, createMemoryLogger, type RiskRuntimeOptions, type RiskRuntime, type RiskEvent } from '../src/index.ts';

export const ORDER = Object.freeze({ symbol: 'AAPL', side: 'buy', quantity: 10 }) as { symbol: string; side: 'buy'; quantity: number };

export interface Harness {
  rt: RiskRuntime;
  clock: ManualClock;
  cancels: { breaker: string; reason: string }[];
  events: RiskEvent[];
  logs: ReturnType<typeof createMemoryLogger>['entries'];
  types(): string[];
}

/** A runtime on a manual clock with a counting broker and captured events and logs. */
export async function harness(options: Partial<RiskRuntimeOptions> = {}, start?: number | Date): Promise<Harness> {
  const clock = new ManualClock(start);
  const logger = createMemoryLogger();
  const cancels: { breaker: string; reason: string }[] = [];
  const rt = await createRiskRuntime({
    strategy: 'alpha-1',
    clock,
    logger,
    broker: { cancelAllOrders: ({ breaker, reason }) => void cancels.push({ breaker, reason }) },
    ...options,
  });
  const events: RiskEvent[] = [];
  rt.events$.subscribe((e) => events.push(e));
  return { rt, clock, cancels, events, logs: logger.entries, types: () => events.filter((e) => e.type !== 'StateChanged').map((e) => e.type) };
}

const ALL_OFF = { drawdown: false, dailyLoss: false, orderRate: false, errorRate: false } as const;
/** A `breakers` config with only the named breakers on (a breaker not named keeps the preset's settings otherwise). */
export function only<T extends object>(breakers: T): typeof ALL_OFF & T {
  return { ...ALL_OFF, ...breakers };
}
