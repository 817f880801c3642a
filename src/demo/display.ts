import type { Writable } from 'node:stream';
import { ruleOf } from '../../machines/rules/registry.ts';
import type { Evidence } from '../../machines/rules/rule.ts';
import type { RiskEvent } from '../events.ts';
import { table } from '../cli/format.ts';
import type { RuntimeStatus } from '../runtime/types.ts';
import { money as formatMoney, percent } from '../present/format.ts';

const pct = (v: unknown): string => percent(v, 1);
const secs = (v: unknown): string => (typeof v === 'number' ? `${Math.round(v)}s` : '–');
/** Whole currency units, grouped, from the shared (exact) formats. */
const money = (v: unknown): string => formatMoney(v, 0);

/** Width of the strategy column of the event lines. */
export const NAME_WIDTH = 7;

/** An event line: `t+  15s  alpha   text` (the stamp, then the strategy in its column; `''` for none). */
export function eventLine(stamp: string, strategy: string, text: string): string {
  return `${stamp}  ${strategy.padEnd(NAME_WIDTH)} ${text}`;
}

/** A one-line human description of a risk event, or null for events the demo does not print. */
export function describeEvent(e: RiskEvent): string | null {
  const d = e.details;
  const who = e.operator ? ` by ${e.operator}` : '';
  switch (e.type) {
    case 'CircuitBreakerTripped':
      return `TRIPPED   ${e.breaker}: ${String(d.reason ?? '')}${d.onTrip === 'reduceOnly' ? ' (reduce-only)' : ''}`;
    case 'CircuitBreakerWarning':
      return `WARNING   ${String(e.breaker)}: ${e.breaker === null ? '' : (ruleOf(e.breaker)?.words.event(d as Evidence) ?? '')}`;
    case 'ManualHalt': {
      const standing = (d.repeated === true ? d.standing : null) as { operator?: unknown; reason?: unknown } | null;
      if (standing) return `halt repeated${who}: ${String(d.reason ?? '')} (already halted by ${String(standing.operator)}: ${String(standing.reason)}; that halt stands)`;
      return `HALTED${who}: ${String(d.reason ?? '')}${d.tightened === true ? ' (tightens the reduce-only halt)' : ''}`;
    }
    case 'ResetRequested':
      return `reset of ${e.breaker} requested${who} (confirm before ${String(d.expiresAt ?? '').slice(11, 19)})`;
    case 'ResetConfirmed':
      return `RESET     ${e.breaker} back to NORMAL${who}`;
    case 'ResetRefused':
      return `reset of ${e.breaker} REFUSED${who}: ${String(d.reason ?? '')}`;
    case 'ResetExpired':
      return `reset of ${e.breaker} expired: back to ${String(d.backTo ?? '')}`;
    case 'AutoReset':
      return d.passed === true ? `AUTO-RESET ${e.breaker} back to NORMAL (reset policy, re-check passed)` : `auto reset of ${e.breaker} REFUSED: ${String(d.reason ?? '')} (tries again in ${String(d.afterSeconds ?? '')} s)`;
    case 'CircuitBreakerRecovered':
      return `RECOVERED ${String(e.breaker)}: ${e.breaker === null ? '' : (ruleOf(e.breaker)?.words.recovered(d as Evidence) ?? '')}`;
    case 'OrderRejected':
      return `REJECTED  ${String(d.code)}: ${String(d.reason ?? '')}`;
    case 'TradingModeChanged':
      return `MODE      ${String(d.from)} -> ${String(d.to)}${d.to === 'REDUCING' ? ` (${String(d.breaker)} is reduce-only: only orders that shrink a position pass)` : ''}`;
    case 'CancelOrdersFailed':
      return `cancelAllOrders FAILED: ${String(d.error ?? '')}`;
    case 'RestoreFailed':
      return `restore FAILED, starting halted: ${String(d.reason ?? '')}`;
    case 'StoreWriteFailed':
      return `store write FAILED, halted (state not durable): ${String(d.error ?? '')}`;
    default:
      return null;
  }
}

/** A row of the live table for one strategy. */
export function statusRow(scenario: string, s: RuntimeStatus, rejected: number): string[] {
  const b = s.breakers;
  const tripped = (Object.keys(b) as (keyof typeof b)[]).filter((t) => b[t].state !== 'NORMAL');
  const position = s.controls.symbols[0]; // one symbol per demo strategy
  return [
    s.strategy,
    scenario,
    s.state + (tripped.length > 0 ? ` (${tripped.join(',')})` : ''),
    s.tradingMode === 'ACTIVE' ? 'allowed' : s.tradingMode === 'REDUCING' ? 'reduce-only' : 'BLOCKED',
    money(s.portfolio.value),
    pct(b.drawdown.figures?.drawdown),
    pct(b.dailyLoss.figures?.pnlFraction),
    b.orderRate.figures ? `${b.orderRate.figures.count}/${b.orderRate.figures.limit}` : '–',
    b.errorRate.figures ? `${b.errorRate.figures.count}/${b.errorRate.figures.limit}` : '–',
    position ? `${money(position.projected)}${position.maxPosition === null ? '' : `/${money(position.maxPosition)}`}` : '–',
    String(rejected),
  ];
}

const HEADER = ['STRATEGY', 'SCENARIO', 'STATE', 'ORDERS', 'VALUE', 'DRAWDOWN', 'DAY P&L', 'ORD/60s', 'ERR/60s', 'POSITION', 'REJECTED'];

/**
 * Prints what happens: event lines as they come, and — on a TTY — a small table redrawn every
 * second below them. Without a TTY, only event lines and a status line now and then.
 */
export class DemoDisplay {
  readonly #out: Writable;
  readonly #tty: boolean;
  #tableLines = 0;
  #pending: string[] = [];

  constructor(out: Writable, tty: boolean) {
    this.#out = out;
    this.#tty = tty;
  }

  /** Prints a plain line (above the table on a TTY). */
  line(text: string): void {
    if (this.#tty) this.#pending.push(text);
    else this.#out.write(`${text}\n`);
  }

  /**
   * Redraws the table (TTY) or, piped, prints one status line per strategy in the event lines'
   * own format (`t+  15s  alpha   status    …`): the time once, no repeated title.
   */
  render(title: string, rows: readonly (readonly string[])[], stamp = ''): void {
    if (!this.#tty) {
      for (const r of rows) this.#out.write(`${stamp}  ${r[0]!.padEnd(7)} status    ${r[2]}, orders ${r[3]}, value ${r[4]}, drawdown ${r[5]}, day ${r[6]}, position ${r[9]}\n`);
      return;
    }
    this.flush();
    const text = `${title}\n${table(HEADER, rows)}\n`;
    this.#out.write(text);
    this.#tableLines = text.split('\n').length - 1;
  }

  /** Writes pending lines above the table (TTY). */
  flush(): void {
    if (!this.#tty) return;
    if (this.#tableLines > 0) this.#out.write(`\x1b[${this.#tableLines}A\x1b[0J`);
    this.#tableLines = 0;
    for (const l of this.#pending) this.#out.write(`${l}\n`);
    this.#pending = [];
  }
}
