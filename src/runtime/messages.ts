/**
 * The messages besides submissions (RTS 6 Art 15(1)(d)): a modification (`checkModify`) and a
 * cancellation (`checkCancel`) of an open order. Each is one step and never throws. Every
 * well-formed one is counted by the rules that observe it (the message-rate breaker); a
 * cancellation is then always allowed (it reduces risk), a modification is decided like a
 * submission (docs/api.md, "Modifications and cancellations", says exactly against what).
 */
import { ErrorKind } from '../../machines/constants.ts';
import { toExact } from '../../machines/limits/amount.ts';
import type { LimitName } from '../../machines/limits/limit.ts';
import { MODIFY_LIMITS } from '../../machines/limits/registry.ts';
import type { OrderFacts } from '../../machines/limits/facts.ts';
import type { PositionBook } from '../../machines/limits/positions.ts';
import type { Exact } from '../../machines/math/exact.ts';
import type { RuleInput } from '../../machines/rules/rule.ts';
import { InvalidInputError } from '../errors.ts';
import { RiskEventType, type EventDetails } from '../events.ts';
import type { Controls } from './controls.ts';
import { isObject, nameProblem, parseDecimal, threw } from './inputs.ts';
import type { StalePort } from './ports.ts';
import { checkFailed, countError, noticeStale, observeInput } from './signals.ts';
import { RejectCode, type Decision, type DecimalInput, type OrderSide } from './types.ts';

/** A modification of an open order: its id and its new open quantity, its new limit price, or both. */
export interface OrderModification {
  /** The id the order was checked with (`check({ id, ... })`). */
  readonly id: string;
  /** The order's new open quantity (what is still to trade after the change), positive. */
  readonly quantity?: DecimalInput;
  /** The order's new limit price, positive. */
  readonly price?: DecimalInput;
}

/** A cancellation of an open order. */
export interface OrderCancellation {
  /** The id the order was checked with. */
  readonly id: string;
}

/** What the message steps take: the rules (counting, the dead-man's switch) and the open orders' book with the per-order limits. */
export interface MessagesPort extends StalePort {
  /** Whether any pre-trade limit is configured. */
  readonly limited: boolean;
  readonly controls: Pick<Controls, 'book' | 'judge' | 'rejected'>;
}

const ALLOWED: Decision = Object.freeze({ allowed: true });
const MODIFY_INPUT: RuleInput = Object.freeze({ input: 'modify' });
const CANCEL_INPUT: RuleInput = Object.freeze({ input: 'cancel' });
/** The limits a modification is checked against: those that judge one order by itself (each limit's row says). */
const PER_ORDER = MODIFY_LIMITS;

/** A modification as read once. */
interface ModifyRead {
  readonly id: string;
  readonly quantity: Exact | null;
  readonly price: Exact | null;
}

/** Reads a cancellation's id (each field once); the id or the error naming the field. Allocates nothing when well formed. */
export function readCancel(message: unknown): string | InvalidInputError {
  if (!isObject(message)) return new InvalidInputError('cancel', message, 'must be an object with the id of the order to cancel');
  let id: unknown;
  try {
    ({ id } = message as { id?: unknown });
  } catch (error) {
    return new InvalidInputError('cancel', message, `could not be read; ${threw(error)}`);
  }
  const problem = nameProblem(id);
  return problem === null ? (id as string) : new InvalidInputError('cancel.id', id, problem);
}

/** Reads a modification (each field once): the id and at least one of a positive quantity and price; or the error naming the field. */
export function readModify(message: unknown): ModifyRead | InvalidInputError {
  if (!isObject(message)) return new InvalidInputError('modify', message, 'must be an object with id and a new quantity or price');
  let id: unknown, quantity: unknown, price: unknown;
  try {
    ({ id, quantity, price } = message as { id?: unknown; quantity?: unknown; price?: unknown });
  } catch (error) {
    return new InvalidInputError('modify', message, `could not be read; ${threw(error)}`);
  }
  const problem = nameProblem(id);
  if (problem !== null) return new InvalidInputError('modify.id', id, problem);
  if (quantity === undefined && price === undefined) return new InvalidInputError('modify', message, 'must carry a new quantity, a new price or both');
  try {
    const q = quantity === undefined ? null : parseDecimal(quantity, 'modify.quantity', { sign: 'positive' });
    const p = price === undefined ? null : parseDecimal(price, 'modify.price', { sign: 'positive' });
    return { id: id as string, quantity: q, price: p };
  } catch (error) {
    return error instanceof InvalidInputError ? error : new InvalidInputError('modify', message, threw(error));
  }
}

/** The open order with this id in the book (the newest, for a reused id), or null: the book's own index, O(1). */
export function findOpenOrder(book: PositionBook, id: string): { symbol: string; side: OrderSide; remaining: unknown; remainingN: number } | null {
  const held = book.openOrder(id);
  return held === null ? null : { symbol: held.symbol, side: held.side, remaining: held.order.remaining, remainingN: held.order.remainingN };
}

/**
 * `checkCancel`: a well-formed cancellation is counted by every rule that observes cancellations
 * and is always allowed, whatever any breaker's state (even by a stopped runtime, which counts
 * nothing). A malformed one is rejected `MALFORMED_MESSAGE` and journaled (not once stopped). Never throws.
 */
export function checkCancel(core: MessagesPort, message: unknown): Decision {
  try {
    const id = readCancel(message);
    if (typeof id !== 'string') return rejectMalformedMessage(core, 'cancel', id);
    if (core.gate.stopped) return ALLOWED;
    if (core.figures.observers.cancel.length > 0) observeInput(core, CANCEL_INPUT, core.clock.monotonic(), { message: 'cancel', id });
  } catch (error) {
    // A cancellation is never refused for a bug of ours: it reduces risk. The failure is logged.
    const reason = error instanceof Error ? error.message : String(error);
    core.log.error({ event: 'check_failed', strategy: core.strategy, input: 'cancel', error: reason }, 'checkCancel() failed: cancellation allowed');
  }
  return ALLOWED;
}

/**
 * `checkModify`: a well-formed modification is counted by every rule that observes
 * modifications, then decided like a submission: rejected while a breaker (or the data) blocks;
 * judged against the open order it modifies (its symbol and side; UNKNOWN_ORDER when the runtime
 * must know it and does not); in REDUCING, rejected REDUCE_ONLY when it raises the open quantity;
 * with limits, the modified order must pass the per-order limits. Never throws.
 */
export function checkModify(core: MessagesPort, message: unknown): Decision {
  const gate = core.gate;
  if (gate.stopped) return gate.rejection;
  // One step: a trip this message causes closes the gate before it is decided; the trip's
  // listeners (which may reset the breaker) run after, so the tripping message is rejected.
  return core.step.run(() => decideModify(core, message));
}

function decideModify(core: MessagesPort, message: unknown): Decision {
  const gate = core.gate;
  try {
    const read = readModify(message);
    if (read instanceof InvalidInputError) return rejectMalformedMessage(core, 'modify', read);
    const mono = core.clock.monotonic();
    if (core.figures.observers.modify.length > 0) observeInput(core, MODIFY_INPUT, mono, { message: 'modify', ...shown(read) });
    if (core.stale !== null) noticeStale(core, mono);
    if (!gate.open && !gate.reducing) return gate.rejection;
    const open = findOpenOrder(core.controls.book, read.id);
    if (open === null) {
      // Without limits and while ACTIVE there is nothing to judge the order by: the breakers decided.
      if (!gate.reducing && !core.limited) return ALLOWED;
      const why = gate.reducing ? 'while REDUCING a modification must be shown not to raise the quantity' : 'the per-order limits need its symbol and side';
      return rejectModify(core, read, null, RejectCode.UNKNOWN_ORDER, null, `order ${read.id} is not open in the runtime's book of open orders (${why}); the book holds orders allowed by check() with an id while a limit reads projected positions or the trading mode is REDUCING, until filled, closed or covered by a position report`);
    }
    if (gate.reducing && read.quantity !== null && read.quantity.gt(toExact(open.remaining))) {
      const reason = `reduce-only: modifying order ${read.id} (${open.side} ${open.symbol}) to ${read.quantity.toFixed()} would raise its open quantity of ${toExact(open.remaining).toFixed()}; only changes that do not raise it pass`;
      return rejectModify(core, read, open.symbol, RejectCode.REDUCE_ONLY, 'reduceOnly', reason);
    }
    if (!core.limited) return ALLOWED;
    const facts: OrderFacts = {
      id: read.id,
      symbol: open.symbol,
      side: open.side,
      qty: read.quantity === null ? open.remainingN : read.quantity.toNumber(),
      qtyRaw: read.quantity ?? open.remaining,
      // A price not changed is not known here (the book keeps none): the order is valued at the last price.
      price: read.price === null ? undefined : read.price.toNumber(),
      priceRaw: read.price ?? undefined,
    };
    const verdict = core.controls.judge(facts, PER_ORDER, mono);
    if (verdict === null) return ALLOWED;
    core.controls.rejected(verdict, open.symbol, core.clock.now());
    return rejectModify(core, read, open.symbol, verdict.code, verdict.limit, verdict.reason);
  } catch (error) {
    return checkFailed(core, error);
  }
}

function shown(read: ModifyRead): EventDetails {
  return { id: read.id, quantity: read.quantity?.toFixed() ?? null, price: read.price?.toFixed() ?? null };
}

/** A modification rejected by the runtime's own judgement (no trip): journaled and counted as an order_rejected error, like a submission's. */
function rejectModify(core: MessagesPort, read: ModifyRead, symbol: string | null, code: RejectCode, limit: LimitName | null, reason: string): Decision {
  const gate = core.gate;
  const decision = Object.freeze({
    allowed: false as const,
    code,
    reason,
    breaker: code === RejectCode.REDUCE_ONLY ? gate.rejection.breaker : null,
    state: gate.global,
    ...(limit === null ? {} : { limit }),
  });
  core.step.run(() => {
    core.emit(RiskEventType.ORDER_REJECTED, null, { code, limit, reason, order: { message: 'modify', symbol, ...shown(read) }, tradingMode: gate.mode });
    core.log.info({ event: 'order_rejected', strategy: core.strategy, input: 'modify', code, reason }, 'modification rejected');
    countError(core, ErrorKind.ORDER_REJECTED, `${code}: ${reason}`);
  });
  return decision;
}

/** A malformed modification or cancellation: rejected, journaled (InputRejected), never counted as a message. */
function rejectMalformedMessage(core: MessagesPort, input: 'modify' | 'cancel', problem: InvalidInputError): Decision {
  const decision = Object.freeze({ allowed: false as const, code: RejectCode.MALFORMED_MESSAGE, reason: problem.message, breaker: null, state: core.gate.global });
  // A stopped runtime journals nothing (its store is closed); the answer is the same.
  if (core.gate.stopped) return decision;
  core.step.run(() => {
    core.emit(RiskEventType.INPUT_REJECTED, null, { input, field: problem.field, error: problem.message });
    core.log.warn({ event: 'input_rejected', strategy: core.strategy, input, error: problem.message }, `malformed ${input} message rejected`);
  });
  return decision;
}
