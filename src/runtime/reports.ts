/**
 * The steps of the reports a strategy makes besides its portfolio: an error (for the error-rate
 * breaker), a fill and a closed order (for the pre-trade limits' projected positions). Each is
 * one step; a malformed report is refused with the field at fault (errors and fills counted as a
 * `data_error`).
 */
import { RiskEventType } from '../events.ts';
import { InvalidInputError } from '../errors.ts';
import type { Subject } from 'rxjs';
import type { Controls } from './controls.ts';
import { MAX_NAME_LENGTH, validateErrorReport, validateFill } from './inputs.ts';
import type { RuleInput } from '../../machines/rules/rule.ts';
import type { DataFaultPort, RulesPort } from './ports.ts';
import { countError, observeInput, rejectInput } from './signals.ts';
import type { ErrorReport, Fill, FillReport } from './types.ts';

/** What the report steps take: the rules that count them, the data fault a refused one may set, the controls' book, `fills$`. */
export interface ReportsPort extends RulesPort, DataFaultPort {
  readonly gate: RulesPort['gate'] & DataFaultPort['gate'];
  readonly figures: RulesPort['figures'];
  readonly settings: { readonly maxClockSkewMs: number };
  readonly controls: Pick<Controls, 'fill' | 'canonical' | 'close'>;
  readonly fills$: Pick<Subject<FillReport>, 'next'>;
}

/** An error report: journalled, then counted by the error-rate breaker. */
export function recordError(core: ReportsPort, report: ErrorReport): void {
  core.step.run(() => {
    let valid: ErrorReport;
    try {
      valid = validateErrorReport(report);
    } catch (error) {
      rejectInput(core, 'error', error);
      throw error;
    }
    core.emit(RiskEventType.ERROR_RECORDED, 'errorRate', { kind: valid.kind, message: valid.message.slice(0, 500) });
    countError(core, valid.kind, valid.message);
  });
}

/** An execution: moves quantity from open to filled, and goes out on `fills$`. */
export function recordFill(core: ReportsPort, fill: Fill): void {
  core.step.run(() => {
    let report: FillReport;
    try {
      report = validateFill(fill, core.clock.now(), { maxSkewMs: core.settings.maxClockSkewMs });
    } catch (error) {
      rejectInput(core, 'fill', error);
      throw error;
    }
    core.controls.fill(report);
    // Every rule that observes fills (execution rate, trade losses, …) sees it, symbol canonical.
    if (core.figures.observers.fill.length > 0) {
      const input: RuleInput = {
        input: 'fill',
        symbol: core.controls.canonical(report.symbol),
        side: report.side,
        quantity: report.quantity,
        realizedPnl: report.realizedPnl ?? null,
        executedAt: report.executedAt ?? report.at,
      };
      const fill = { symbol: input.symbol, side: report.side, quantity: report.quantity, price: report.price, ...(report.realizedPnl === undefined ? {} : { realizedPnl: report.realizedPnl }) };
      observeInput(core, input, core.clock.monotonic(), { fill });
    }
    core.step.notify(() => core.fills$.next(report));
  });
}

/** A closed order: releases what is left of it open; whether an open order with that id was known. */
export function recordOrderClosed(core: ReportsPort, request: { id: string }): boolean {
  let id: unknown;
  try {
    ({ id } = (request ?? {}) as { id?: unknown });
  } catch {
    throw new InvalidInputError('request', request, 'could not be read');
  }
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError('id', id, `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
  }
  return core.step.run(() => core.controls.close(id));
}
