import { BreakerState, OnTrip } from '../../machines/constants.ts';
import { BREAKER_TYPES, BreakerType } from '../../machines/rules/registry.ts';
import { describeValue, ErrorCode, InvalidInputError, ResetError } from '../errors.ts';
import { validateOperator } from './inputs.ts';
import { confirmWithRecheck, issueResetToken, type ResetParts } from './resetSteps.ts';

/** What the operator's steps take: a reset's parts (the actors, the gate as read, the figures a confirmed reset re-baselines). */
export type OperatorPort = ResetParts;

/** The answer to a confirmed (or refused) reset. */
export interface ResetOutcome {
  /** Whether the breaker is NORMAL again. */
  confirmed: boolean;
  /** The breaker the token was for. */
  breaker: BreakerType;
  /** Its state after the confirmation. */
  state: BreakerState;
  /** Why the re-check refused it, or null when confirmed. */
  reason: string | null;
}

/** The halt that was in force when another one came. */
export interface StandingHalt {
  /** Who halted (journalled operator). */
  readonly operator: string | null;
  /** Why, as that operator gave it. */
  readonly reason: string | null;
  /** When the manual breaker entered MANUALLY_HALTED (ISO). */
  readonly since: string;
  /** `'halt'` (no order passes) or `'reduceOnly'` (risk-reducing orders pass). */
  readonly mode: OnTrip;
}

/** The answer to a halt: whether the strategy was halted already, and whether this halt changed that. */
export interface HaltOutcome {
  /** The halt in force before this one (the manual breaker was MANUALLY_HALTED), else null. */
  readonly alreadyHalted: StandingHalt | null;
  /**
   * True when this full halt replaced a standing reduce-only halt. When `alreadyHalted` is set and
   * this is false, the standing halt stays in force and is what status shows; this one is journalled.
   */
  readonly tightened: boolean;
}

/** Halts the strategy at once (the manual breaker), as one step. */
export function halt(core: OperatorPort, request: unknown): HaltOutcome {
  const { operator, reason, mode } = readOperatorRequest(request, 'halt');
  const alreadyHalted = standingHalt(core);
  core.step.run(() => core.host.send(BreakerType.MANUAL, { type: 'HALT', operator, reason: reason!, mode: mode ?? OnTrip.HALT }));
  const tightened = alreadyHalted !== null && alreadyHalted.mode === OnTrip.REDUCE_ONLY && core.host.snapshot(BreakerType.MANUAL).context.haltMode === OnTrip.HALT;
  return { alreadyHalted, tightened };
}

function standingHalt(core: OperatorPort): StandingHalt | null {
  if (core.host.state(BreakerType.MANUAL) !== BreakerState.MANUALLY_HALTED) return null;
  const { context } = core.host.snapshot(BreakerType.MANUAL);
  return { operator: context.operator, reason: context.reason, since: new Date(core.gate.views.manual.since).toISOString(), mode: context.haltMode ?? OnTrip.HALT };
}

/** Asks to reset a breaker that is not NORMAL; the token lives only in its chart's context. */
export function requestReset(core: OperatorPort, request: unknown): { token: string; breaker: BreakerType; expiresAt: string } {
  const { operator, breaker } = readOperatorRequest(request, 'request');
  if (core.host.state(breaker) === BreakerState.NORMAL) {
    throw new ResetError(ErrorCode.RESET_NOT_ALLOWED, `breaker: ${breaker} is NORMAL; there is nothing to reset`);
  }
  if (breaker === BreakerType.CLUSTER) throw clusterResetRefused(core);
  const { token, deadline } = issueResetToken(core, breaker, operator);
  if (token === null) {
    throw new ResetError(ErrorCode.RESET_NOT_ALLOWED, `breaker: ${breaker} did not accept the reset request in state ${core.host.state(breaker)}`);
  }
  return { token, breaker, expiresAt: new Date(deadline).toISOString() };
}

/**
 * Confirms a reset. The chart decides (token and the rule's re-check on the evidence); when it
 * passes, the breaker's figures re-baseline.
 */
export function confirmReset(core: OperatorPort, request: unknown): ResetOutcome {
  const { operator, token } = readOperatorRequest(request, 'confirm');
  const breaker = BREAKER_TYPES.find((kind) => core.host.snapshot(kind).context.resetToken === token);
  if (breaker === undefined) throw new ResetError(ErrorCode.INVALID_TOKEN, `token: unknown or expired reset token (got ${describeValue(token)})`);
  confirmWithRecheck(core, breaker, token!, operator);
  const { context } = core.host.snapshot(breaker);
  const state = core.host.state(breaker);
  const confirmed = state === BreakerState.NORMAL;
  return { confirmed, breaker, state, reason: confirmed ? null : (context.cause?.reason ?? 're-check failed') };
}

type OperatorRequestKind = 'halt' | 'request' | 'confirm';

/** Reads an operator request's fields once each and validates what that kind of request needs. */
function readOperatorRequest(
  request: unknown,
  kind: OperatorRequestKind,
): { operator: string; reason?: string; breaker: BreakerType; token?: string; mode?: OnTrip } {
  let operator: unknown, reason: unknown, breaker: unknown, token: unknown, mode: unknown;
  try {
    ({ operator, reason, breaker, token, mode } = (request ?? {}) as Record<string, unknown>);
  } catch {
    throw new InvalidInputError('request', request, 'could not be read');
  }
  const validOperator = validateOperator(operator);
  if (kind === 'halt') {
    if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 1000) {
      throw new InvalidInputError('reason', reason, 'must be a non-empty string of at most 1000 characters');
    }
    if (mode !== undefined && mode !== OnTrip.HALT && mode !== OnTrip.REDUCE_ONLY) {
      throw new InvalidInputError('mode', mode, 'must be "halt" or "reduceOnly" when given');
    }
    return { operator: validOperator, reason: reason.trim(), breaker: BreakerType.MANUAL, ...(mode === undefined ? {} : { mode: mode as OnTrip }) };
  }
  if (kind === 'confirm') {
    if (typeof token !== 'string' || token.length === 0 || token.length > 200) {
      throw new ResetError(ErrorCode.INVALID_TOKEN, `token: unknown or expired reset token (got ${describeValue(token)})`);
    }
    return { operator: validOperator, breaker: BreakerType.MANUAL, token };
  }
  if (!BREAKER_TYPES.includes(breaker as BreakerType)) {
    throw new InvalidInputError('breaker', breaker, `must be one of ${BREAKER_TYPES.join(', ')}`);
  }
  return { operator: validOperator, breaker: breaker as BreakerType };
}

/** The cluster breaker has no local reset edge: a scoped halt is lifted at its scope, a lost link heals itself. */
function clusterResetRefused(core: OperatorPort): ResetError {
  const scope = core.host.snapshot(BreakerType.CLUSTER).context.evidence?.scope;
  if (typeof scope !== 'string') {
    return new ResetError(
      ErrorCode.SCOPED_HALT,
      `breaker: cluster is ${core.host.state(BreakerType.CLUSTER)} because the cluster link is lost; it recovers by itself once the link and the bucket are back`,
    );
  }
  const where = scope === 'firm' ? '' : scope.startsWith('desk/') ? ` --desk ${scope.slice(5)}` : ` --strategy ${scope.slice(9)}`;
  return new ResetError(ErrorCode.SCOPED_HALT, `breaker: cluster is halted at scope ${scope}; a local reset cannot lift it: reset that scope (breakerbox firm reset${where})`);
}
