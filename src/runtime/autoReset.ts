/**
 * The reset policy (`breakers.<kind>.autoReset: { after }`): `after` seconds in TRIPPED, a breaker
 * asks for its own reset, as an operator would (operator.ts), under the reserved operator name
 * {@link AUTO_RESET_OPERATOR}; its chart's re-check decides. Journaled once as `AutoReset` (with
 * the re-check's figures and whether it passed), never as a person's ResetRequested/Confirmed.
 * The timer that calls {@link autoReset} is derived from the actor's snapshots (timers.ts).
 */
import { BreakerState } from '../../machines/constants.ts';
import { AUTO_RESET_BREAKERS, AUTO_RESET_OPERATOR } from '../../machines/rules/autoReset.ts';
import type { BreakerType } from '../../machines/rules/registry.ts';
import type { AutoResetSettings } from '../../machines/rules/settings.ts';
import type { ResolvedSettings } from '../config.ts';
import { RiskEventType } from '../events.ts';
import { confirmWithRecheck, issueResetToken, type ResetParts } from './resetSteps.ts';
import type { StrategyRecord } from './persistence.ts';
import type { StepBase } from './ports.ts';
import type { AutoResetTimers } from './timers.ts';

export { AUTO_RESET_OPERATOR };

/**
 * The policy's timers for a runtime: `after` (ms) of each breaker that has one, and for a restored
 * record, when each entered its saved state (its wall-clock "since" moved onto this process's
 * monotonic clock; a "since" in the future counts as now). A restart re-arms for the time left.
 */
export function autoResetTimers(
  settings: ResolvedSettings,
  restored: StrategyRecord | null,
  clock: { readonly now: number; readonly monotonic: number },
  fire: (kind: BreakerType) => void,
): AutoResetTimers | null {
  const breakers = settings.breakers as Readonly<Record<string, { readonly autoReset?: AutoResetSettings } | null>>;
  const afterMs = new Map<BreakerType, number>();
  for (const kind of AUTO_RESET_BREAKERS) {
    const policy = breakers[kind]?.autoReset;
    if (policy) afterMs.set(kind, policy.after * 1000);
  }
  if (afterMs.size === 0) return null;
  const enteredAt = new Map<BreakerType, number>();
  for (const kind of afterMs.keys()) {
    const since = restored?.figures.since[kind];
    if (typeof since === 'number' && Number.isFinite(since)) enteredAt.set(kind, clock.monotonic - Math.max(0, clock.now - since));
  }
  return { afterMs, enteredAt, fire };
}

/** What an attempt takes: a reset's parts, and the journal and log of a step (the core satisfies it). */
export type AutoResetParts = ResetParts & Pick<StepBase, 'strategy' | 'log' | 'emit'>;

/**
 * One attempt, as one step: REQUEST_RESET then CONFIRM_RESET with the token and the rule's
 * re-check evidence. Passed: the breaker is NORMAL and its figures re-baselined, exactly as after
 * an operator's reset. Refused: it is TRIPPED again and the next attempt is `after` later.
 */
export function autoReset(core: AutoResetParts, kind: BreakerType, afterSeconds: number): void {
  if (core.gate.stopped || core.host.state(kind) !== BreakerState.TRIPPED) return;
  core.step.run(() => {
    const { token } = issueResetToken(core, kind, AUTO_RESET_OPERATOR);
    if (token === null) return;
    const evidence = confirmWithRecheck(core, kind, token, AUTO_RESET_OPERATOR);
    const passed = core.host.state(kind) === BreakerState.NORMAL;
    const reason = passed ? null : (core.host.snapshot(kind).context.cause?.reason ?? 're-check failed');
    core.emit(RiskEventType.AUTO_RESET, kind, { ...evidence, passed, reason, afterSeconds }, AUTO_RESET_OPERATOR);
    core.log.info(
      { event: 'auto_reset', strategy: core.strategy, breaker: kind, passed, reason, afterSeconds },
      passed ? `${kind} reset by its reset policy: re-check passed` : `${kind} auto reset refused by re-check; next attempt in ${afterSeconds} s`,
    );
  });
}
