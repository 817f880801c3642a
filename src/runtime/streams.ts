/**
 * The runtime's RxJS side: `guard()` as an operator and `connect()` of input streams. Both go
 * through the same public methods as imperative callers (`check`, `updatePortfolio`,
 * `recordError`), so a stream is never a second way in.
 */
import { Observable, type OperatorFunction, type Subject, type Subscription } from 'rxjs';
import { describeValue } from '../errors.ts';
import type { DataFaultPort, StepBase } from './ports.ts';
import { setDataFault } from './signals.ts';
import type { Decision, ErrorReport, PortfolioUpdate, Rejection } from './types.ts';

/** What the streams call on the runtime. */
export interface StreamInputs {
  check(order: unknown): Decision;
  updatePortfolio(update: PortfolioUpdate): void;
  recordError(report: ErrorReport): void;
}

/** What the streams take from the runtime's parts: where rejected orders go, the clock, and the data fault a failed ledger stream sets. */
export interface StreamsPort extends DataFaultPort, Pick<StepBase, 'clock' | 'step'> {
  readonly rejected$: Pick<Subject<Rejection>, 'next'>;
}

/** An operator that passes allowed orders on and sends rejected ones to `rejected$`. */
export function guardOrders<T>(runtime: StreamInputs, core: Pick<StreamsPort, 'rejected$' | 'clock'>): OperatorFunction<T, T> {
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (order) => {
          const decision = runtime.check(order);
          if (decision.allowed) subscriber.next(order);
          else core.rejected$.next({ order, decision, at: core.clock.now() });
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}

/**
 * Subscribes the runtime to its input streams. A bad item is refused (and counted) without
 * ending the subscription; a ledger stream that errors blocks orders (fail closed).
 */
export function connectInputs(
  runtime: StreamInputs,
  core: StreamsPort,
  inputs: { ledger$?: Observable<PortfolioUpdate>; orders$?: Observable<unknown>; errors$?: Observable<ErrorReport> },
): Subscription[] {
  const subs: Subscription[] = [];
  const swallow = (fn: () => void) => {
    try {
      fn();
    } catch {
      // Already logged, journalled and counted by the method itself; the stream goes on.
    }
  };
  if (inputs.ledger$) {
    subs.push(
      inputs.ledger$.subscribe({
        next: (update) => swallow(() => runtime.updatePortfolio(update)),
        error: (error: unknown) => core.step.run(() => setDataFault(core, `ledger stream failed: ${error instanceof Error ? error.message : describeValue(error)}`)),
      }),
    );
  }
  if (inputs.errors$) subs.push(inputs.errors$.subscribe({ next: (report) => swallow(() => runtime.recordError(report)) }));
  if (inputs.orders$) {
    subs.push(
      inputs.orders$.subscribe({
        next: (order) => {
          const decision = runtime.check(order);
          if (!decision.allowed) core.rejected$.next({ order, decision, at: core.clock.now() });
        },
      }),
    );
  }
  return subs;
}
