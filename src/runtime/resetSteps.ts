/**
 * The two steps of a reset, shared by an operator's reset (operator.ts) and the reset policy's
 * own (autoReset.ts): REQUEST_RESET with a new token, then CONFIRM_RESET with the rule's re-check
 * evidence. The chart decides both. Typed by the parts they use, so the reset policy can be wired
 * in the core without an import cycle.
 */
import { randomUUID } from 'node:crypto';
import { BreakerState } from '../../machines/constants.ts';
import type { BreakerType } from '../../machines/rules/registry.ts';
import type { Evidence } from '../../machines/rules/rule.ts';
import type { MonotonicClock } from '../clock.ts';
import type { Durability } from './durability.ts';
import type { Figures } from './figures.ts';
import type { Breakers, GateView } from './ports.ts';
import type { StepRunner } from './step.ts';

/** What a reset touches (the port of operator.ts and autoReset.ts): the core satisfies it. */
export interface ResetParts {
  readonly clock: MonotonicClock;
  readonly settings: { readonly resetTimeoutMs: number };
  readonly step: StepRunner;
  readonly host: Breakers;
  readonly figures: Pick<Figures, 'trackers' | 'value' | 'band' | 'recomputeBand'>;
  readonly gate: GateView;
  readonly durability: Pick<Durability, 'countersChanged'>;
}

/** Sends REQUEST_RESET with a new token (a step, or part of the caller's); the token when the chart took it, else null. */
export function issueResetToken(core: ResetParts, breaker: BreakerType, operator: string): { token: string | null; deadline: number } {
  const token = randomUUID();
  // A wall-clock time (shown to people and persisted); its expiry runs on the monotonic clock (timers.ts).
  const deadline = core.clock.now() + core.settings.resetTimeoutMs;
  core.step.run(() => core.host.send(breaker, { type: 'REQUEST_RESET', token, deadline, operator }));
  return { token: core.host.snapshot(breaker).context.resetToken === token ? token : null, deadline };
}

/**
 * Sends CONFIRM_RESET with the rule's re-check evidence (the chart decides); when the breaker is
 * NORMAL again its figures re-baseline. Returns the evidence sent.
 */
export function confirmWithRecheck(core: ResetParts, breaker: BreakerType, token: string, operator: string): Evidence {
  const now = core.clock.monotonic();
  const tracker = core.figures.trackers.get(breaker) ?? null;
  const evidence = tracker?.recheckEvidence(now, core.figures.value) ?? {};
  core.step.run(() => {
    core.host.send(breaker, { type: 'CONFIRM_RESET', token, operator, evidence });
    if (core.host.state(breaker) === BreakerState.NORMAL && tracker !== null) {
      tracker.rebaseline(now, core.figures.value);
      // While the data cannot be trusted no value may skip the step that clears the fault.
      if (core.gate.dataFault === null) core.figures.recomputeBand();
      else core.figures.band = null;
      core.durability.countersChanged();
    }
  });
  return evidence;
}
