/**
 * Runs a user's command sequence against a real runtime (manual clock, in-memory store) with
 * their strategy in the loop, and checks the invariants after every step: no order reaches the
 * broker (nor is allowed by `check()`) while trading is not ACTIVE, every breaker moves only
 * along its chart's edges, one cancel per trip or halt — and, when the configuration is one the
 * oracle models, that states, decisions and cancels agree with the {@link Oracle}.
 */
import fc from 'fast-check';
import { BreakerType } from '../../machines/rules/registry.ts';
import { ManualClock } from '../clock.ts';
import { InvalidInputError, ResetError } from '../errors.ts';
import type { RiskEvent } from '../events.ts';
import { silentLogger } from '../logger.ts';
import { createRiskRuntime, type RiskRuntimeOptions } from '../app/create.ts';
import type { RiskRuntime } from '../runtime/runtime.ts';
import type { Decision, Order } from '../runtime/types.ts';
import { nextOffsetChange, tradingDayOf } from './calendar.ts';
import { describeCommand, type ScenarioCommand } from './commands.ts';
import { ALLOWED_EDGES, ORACLE_BREAKERS, Oracle, type OracleBreaker } from './oracle.ts';
import { scenario } from './arbitraries.ts';

/** What a strategy may do when the harness calls it. Use these (not the runtime directly) so the oracle sees every input. */
export interface StrategyContext {
  readonly runtime: RiskRuntime;
  readonly clock: ManualClock;
  /** The right way to trade: `check()` the order, and send it to the broker only if allowed. */
  submit(order: Order): Decision;
  /** Sends an order straight to the (simulated) broker. The harness checks trading is allowed at that moment. */
  sendToBroker(order: Order): void;
  /** Reports an error to the runtime (`recordError`). */
  recordError(kind: 'order_rejected' | 'broker_error' | 'data_error', message: string): void;
}

/** The user's strategy under test: every hook is optional. */
export interface Strategy {
  /** The strategy wants to trade `order` (default: `ctx.submit(order)`). */
  onSignal?(ctx: StrategyContext, order: Order): void;
  /** The broker rejected an order the strategy sent (default: report it as `order_rejected`). */
  onBrokerReject?(ctx: StrategyContext, order: Order, reason: string): void;
  /** A portfolio value was accepted. */
  onTick?(ctx: StrategyContext, value: string): void;
}

export interface RunOptions {
  /** The runtime's options (without clock, broker, store and logger, which the harness provides). */
  readonly runtime?: Omit<RiskRuntimeOptions, 'clock' | 'broker' | 'store' | 'logger' | 'strategy'> & { strategy?: string };
  readonly strategy?: Strategy;
  /** Clock start (default 2026-01-05 14:00 UTC). */
  readonly start?: number;
  /** Compare with the oracle: `'auto'` (default) when it models the configuration, or true / false. */
  readonly oracle?: boolean | 'auto';
  /** Most broker sends per command before the strategy is declared to loop (default 10000). */
  readonly maxSendsPerCommand?: number;
}

/** An invariant did not hold: the message names it, the step and the commands up to it. */
export class InvariantViolation extends Error {
  readonly step: number;
  constructor(message: string, step: number, trace: readonly ScenarioCommand[]) {
    const shown = trace.slice(0, step + 1).map((c, i) => `  ${String(i + 1).padStart(3)}. ${describeCommand(c)}`);
    super(`${message}\n  at step ${step + 1} of ${trace.length}: ${describeCommand(trace[step]!)}\n  commands so far:\n${shown.join('\n')}`);
    this.name = 'InvariantViolation';
    this.step = step;
  }
}

const DEFAULT_START = Date.UTC(2026, 0, 5, 14, 0, 0);

/** Runs `commands` once against a fresh runtime; throws {@link InvariantViolation} on the first broken invariant. */
export async function runScenario(commands: readonly ScenarioCommand[], options: RunOptions = {}): Promise<void> {
  const start = options.start ?? DEFAULT_START;
  const clock = new ManualClock(start);
  const runtimeOptions = { strategy: 'property', ...options.runtime };
  let oracle: Oracle | null = null;
  if (options.oracle !== false) {
    try {
      oracle = new Oracle(start, runtimeOptions);
    } catch (error) {
      if (options.oracle === true) throw error;
    }
  }
  let cancels = 0;
  let step = 0;
  const fail = (message: string): never => {
    throw new InvariantViolation(message, step, commands);
  };
  const rt = await createRiskRuntime({ ...runtimeOptions, clock, logger: silentLogger, store: false, broker: { cancelAllOrders: () => void cancels++ } });
  let tripsAndHalts = 0;
  const edgeProblems: string[] = [];
  const subscription = rt.events$.subscribe((e: RiskEvent) => {
    if (e.type === 'CircuitBreakerTripped' || e.type === 'ManualHalt') tripsAndHalts++;
    if (e.type === 'StateChanged' && e.breaker !== null) {
      const edge = `${String(e.details.from)}>${String(e.details.to)}`;
      const allowed = ALLOWED_EDGES[e.breaker as OracleBreaker];
      if (allowed && !allowed.has(edge)) edgeProblems.push(`${e.breaker} moved ${edge}, not an edge of its chart`);
    }
  });
  const marketOpen = runtimeOptions.marketOpen ?? { time: '00:00', timeZone: 'UTC' };
  const strategy = options.strategy ?? {};
  const maxSends = options.maxSendsPerCommand ?? 10_000;
  let rejectsLeft = 0;
  let sends = 0;
  const tokens: string[] = [];

  const checkDecision = (decision: Decision, expected: boolean | null) => {
    if (decision.allowed) {
      const status = rt.status();
      const blocking = Object.values(status.breakers).filter((b) => b.state !== 'NORMAL');
      if (blocking.length > 0) fail(`check() allowed an order while ${blocking.map((b) => `${b.type} is ${b.state}`).join(', ')}`);
    }
    if (expected !== null && decision.allowed !== expected) {
      fail(`check() ${decision.allowed ? 'allowed' : 'rejected'} an order the oracle ${expected ? 'allows' : 'rejects'}${decision.allowed ? '' : ` (${decision.reason})`}`);
    }
  };
  const ctx: StrategyContext = {
    runtime: rt,
    clock,
    submit(order) {
      const expected = oracle ? oracle.order() : null;
      const decision = rt.check(order);
      checkDecision(decision, expected);
      if (decision.allowed) ctx.sendToBroker(order);
      return decision;
    },
    sendToBroker(order) {
      if (++sends > maxSends) fail(`the strategy sent more than ${maxSends} orders to the broker in one step: it loops`);
      const status = rt.status();
      if (!status.ordersAllowed) {
        const blocking = Object.values(status.breakers).filter((b) => b.state !== 'NORMAL').map((b) => `${b.type} ${b.state}`);
        fail(`an order reached the broker while trading was not ACTIVE (global ${status.state}${blocking.length ? `: ${blocking.join(', ')}` : ''}${status.dataFault ? `; ${status.dataFault}` : ''})`);
      }
      if (rejectsLeft > 0) {
        rejectsLeft--;
        if (strategy.onBrokerReject) strategy.onBrokerReject(ctx, order, 'rejected by the broker');
        else ctx.recordError('order_rejected', 'rejected by the broker');
      }
    },
    recordError(kind, message) {
      oracle?.error();
      rt.recordError({ kind, message });
    },
  };

  const moveTo = (target: number) => {
    const at = Math.max(clock.now(), target);
    oracle?.advanceTo(at);
    clock.set(at);
  };

  try {
    for (step = 0; step < commands.length; step++) {
      const c = commands[step]!;
      sends = 0;
      switch (c.kind) {
        case 'tick': {
          const accepted = oracle ? oracle.update(c.value) : null;
          try {
            rt.updatePortfolio({ value: c.value });
            if (accepted === false) fail(`updatePortfolio(${c.value}) was accepted; the oracle refuses it`);
          } catch (error) {
            if (error instanceof InvariantViolation || !(error instanceof InvalidInputError)) throw error;
            if (accepted === true) fail(`updatePortfolio(${c.value}) was refused (${error.message}); the oracle accepts it`);
          }
          strategy.onTick?.(ctx, c.value);
          break;
        }
        case 'badTick':
          oracle?.update(null);
          try {
            rt.updatePortfolio({ value: 'not a number' });
            fail('updatePortfolio accepted "not a number"');
          } catch (error) {
            if (error instanceof InvariantViolation) throw error;
          }
          break;
        case 'signal':
          if (strategy.onSignal) strategy.onSignal(ctx, c.order);
          else ctx.submit(c.order);
          break;
        case 'brokerRejects':
          rejectsLeft = c.count;
          break;
        case 'error':
          ctx.recordError(c.errorKind as 'order_rejected', 'generated error');
          break;
        case 'advance':
          moveTo(clock.now() + c.ms);
          break;
        case 'toNextOpen':
          moveTo(tradingDayOf(clock.now(), marketOpen).nextOpenAt + c.offsetMs);
          break;
        case 'toDstChange': {
          const change = nextOffsetChange(clock.now(), marketOpen.timeZone);
          if (change !== null) moveTo(change + c.offsetMs);
          break;
        }
        case 'halt':
          oracle?.halt();
          rt.halt({ operator: 'ops', reason: 'property test' });
          break;
        case 'requestReset': {
          const breaker = c.breaker as BreakerType;
          try {
            const { token } = rt.requestReset({ breaker, operator: 'ops' });
            tokens.push(token);
            if (oracle && !oracle.requestReset(c.breaker, token)) fail(`requestReset(${breaker}) was accepted; the oracle says ${breaker} is NORMAL`);
          } catch (error) {
            if (!(error instanceof ResetError)) throw error;
            if (oracle && oracle.state[c.breaker] !== 'NORMAL') fail(`requestReset(${breaker}) was refused while the oracle has it ${oracle.state[c.breaker]}: ${error.message}`);
          }
          break;
        }
        case 'confirmReset': {
          const token = c.pick < 0 ? 'bogus-token' : (tokens[tokens.length - 1 - c.pick] ?? 'never-issued');
          const expected = oracle ? oracle.confirmReset(token) : undefined;
          try {
            const { confirmed } = rt.confirmReset({ token, operator: 'ops' });
            if (expected === null) fail('confirmReset accepted a token the oracle refuses');
            if (expected !== undefined && expected !== confirmed) fail(`confirmReset ${confirmed ? 'confirmed' : 'refused'} the reset; the oracle ${expected ? 'confirms' : 'refuses'} it`);
          } catch (error) {
            if (error instanceof InvariantViolation) throw error;
            if (!(error instanceof ResetError)) throw error;
            if (expected !== null && expected !== undefined) fail(`confirmReset threw (${error.message}); the oracle ${expected ? 'confirms' : 'refuses'} it`);
          }
          break;
        }
      }
      verify();
    }
  } finally {
    subscription.unsubscribe();
    await rt.stop();
  }

  function verify(): void {
    if (edgeProblems.length > 0) fail(edgeProblems[0]!);
    if (cancels !== tripsAndHalts) fail(`${cancels} calls to cancelAllOrders for ${tripsAndHalts} trips and halts: expected one cancel per trip`);
    const status = rt.status();
    if (status.ordersAllowed && status.state !== 'NORMAL') fail(`orders are allowed while the global state is ${status.state}`);
    if (!oracle) return;
    for (const b of ORACLE_BREAKERS) {
      const real = status.breakers[b as BreakerType]?.state;
      if (real !== oracle.state[b]) fail(`${b} is ${real}; the oracle has it ${oracle.state[b]}`);
    }
    if (status.ordersAllowed !== oracle.allowed) fail(`orders are ${status.ordersAllowed ? 'allowed' : 'blocked'}; the oracle ${oracle.allowed ? 'allows' : 'blocks'} them${status.dataFault ? ` (${status.dataFault})` : ''}`);
    if (cancels !== oracle.cancels) fail(`${cancels} cancels; the oracle expects ${oracle.cancels}`);
  }
}

/** Options of {@link checkScenarios}: what to run, and fast-check's parameters. */
export interface CheckOptions extends RunOptions {
  /** The commands to generate (default {@link scenario}()). */
  readonly commands?: fc.Arbitrary<ScenarioCommand[]>;
  readonly numRuns?: number;
  readonly seed?: number;
  readonly path?: string;
}

/**
 * Property-tests a configuration and strategy: `numRuns` generated scenarios (default 100), each
 * through {@link runScenario}. On failure it throws an Error showing the shrunk counterexample,
 * one command per line, the broken invariant, and the seed and path to replay it.
 */
export async function checkScenarios(options: CheckOptions = {}): Promise<void> {
  const arbitrary = options.commands ?? scenario();
  const details = await fc.check(
    fc.asyncProperty(arbitrary, (commands) => runScenario(commands, options)),
    { numRuns: options.numRuns ?? 100, ...(options.seed !== undefined ? { seed: options.seed } : {}), ...(options.path !== undefined ? { path: options.path } : {}) },
  );
  if (!details.failed) return;
  const [commands] = details.counterexample ?? [[]];
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message.split('\n')[0] : String(details.errorInstance);
  const lines = commands.map((c, i) => `  ${String(i + 1).padStart(3)}. ${describeCommand(c)}`);
  throw new Error(
    [
      `breakerbox invariant broken: ${cause}`,
      `counterexample (${commands.length} commands, shrunk ${details.numShrinks} times, after ${details.numRuns} runs):`,
      ...lines,
      `replay it with: checkScenarios({ ...options, seed: ${details.seed}, path: ${JSON.stringify(details.counterexamplePath)} })`,
    ].join('\n'),
  );
}
