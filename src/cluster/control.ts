/**
 * The firm's scoped controls, served by any process: set a halt at a scope, and lift it by a
 * two-step reset at the same scope (a token, then its confirmation), each recorded on the
 * firm's audit stream. The halt itself lives in the bucket; every process applies it.
 */
import { randomUUID } from 'node:crypto';
import { systemClock } from '../clock.ts';
import { ErrorCode, ResetError } from '../errors.ts';
import type { StoredHalt } from './records.ts';
import type { FirmNode } from './firmNode.ts';
import { confirmationName, covers, scopeSubject, selectorOf, type Scope } from './scopes.ts';

/** How long a scope's reset token stays valid (ms). */
const RESET_TTL_MS = 60_000;

export interface ScopeResetTicket {
  readonly token: string;
  readonly scope: Scope;
  readonly expiresAt: string;
  /** What the operator types to confirm (the firm's, desk's or strategy's name). */
  readonly confirm: string;
}

export class ScopeControl {
  readonly #node: FirmNode;
  /** Pending tokens; `dueAt` on the monotonic clock (a wall-clock step never extends or shortens one). */
  readonly #tickets = new Map<string, { scope: Scope; revision: number; dueAt: number }>();

  constructor(node: FirmNode) {
    this.#node = node;
  }

  /** Halts every strategy in scope, in every process. An existing halt there stays as it was. */
  async halt(scope: Scope, operator: string, reason: string): Promise<{ scope: Scope; created: boolean; halt: StoredHalt }> {
    // Not gated on the link being up now: the write retries and fails over within its budget.
    const { created, halt } = await this.#node.link.setHalt(scope, operator, reason);
    if (created) this.#record(scope, 'ScopeHalted', operator, { reason });
    return { scope, created, halt };
  }

  /**
   * What lifting a scope's halt would lift, and the name to type to confirm it, without
   * requesting anything (so a tool can ask the operator before the first step is recorded).
   */
  previewReset(scope: Scope): { scope: Scope; confirm: string; halt: { operator: string; reason: string; at: string } } {
    const halt = this.#haltAt(scope);
    return { scope, confirm: confirmationName(scope, this.#node.config.firm), halt: { operator: halt.operator, reason: halt.reason, at: new Date(halt.at).toISOString() } };
  }

  /** First step of lifting a scope's halt: a token to confirm within 60 s. */
  requestReset(scope: Scope, operator: string): ScopeResetTicket {
    const halt = this.#haltAt(scope);
    const token = randomUUID();
    const expiresAt = Date.now() + RESET_TTL_MS;
    this.#tickets.set(token, { scope, revision: halt.revision, dueAt: systemClock.monotonic() + RESET_TTL_MS });
    this.#record(scope, 'ScopeResetRequested', operator, { haltedBy: halt.operator, reason: halt.reason, expiresAt: new Date(expiresAt).toISOString() });
    return { token, scope, expiresAt: new Date(expiresAt).toISOString(), confirm: confirmationName(scope, this.#node.config.firm) };
  }

  /** Second step: lifts the halt that was requested (not a newer one set since). */
  async confirmReset(token: string, operator: string): Promise<{ confirmed: true; scope: Scope }> {
    const ticket = this.#tickets.get(token);
    this.#tickets.delete(token);
    if (!ticket || ticket.dueAt < systemClock.monotonic()) throw new ResetError(ErrorCode.INVALID_TOKEN, 'token: unknown or expired scope reset token');
    const lifted = await this.#node.link.liftHalt(ticket.scope, ticket.revision, operator);
    if (!lifted) throw new ResetError(ErrorCode.RESET_NOT_ALLOWED, `scope: the halt at ${ticket.scope} changed since the reset was requested; request it again`);
    this.#record(ticket.scope, 'ScopeResetConfirmed', operator, {});
    return { confirmed: true, scope: ticket.scope };
  }

  /** The firm as this process sees it: link, halts, and its own strategies. */
  status(): Record<string, unknown> {
    const link = this.#node.link;
    const c = this.#node.config;
    return {
      firm: c.firm,
      process: link.id,
      link: link.linkUp ? 'up' : 'down',
      bucket: link.bucketUp ? 'up' : 'down',
      // While either is down the halts below are only the last ones seen: say so, never "none".
      haltsKnown: link.linkUp && link.bucketUp,
      downForMs: link.downSince === null ? 0 : systemClock.monotonic() - link.downSince,
      lagMs: link.lagMs,
      auditBacklog: this.#node.auditBacklog,
      heartbeatTimeout: c.heartbeatTimeout,
      halts: [...link.halts.values()].map((h) => ({
        scope: h.scope,
        operator: h.operator,
        reason: h.reason,
        at: new Date(h.at).toISOString(),
        // What a tool types to lift it, and the selector its reset is requested with.
        confirm: confirmationName(h.scope, c.firm),
        selector: selectorOf(h.scope),
      })),
      // The scopes this process can halt: the firm, its desks, its strategies (a tool lists these).
      scopes: this.#scopes().map((scope) => ({ scope, selector: selectorOf(scope) })),
      // Firm records that failed validation (never used): what `cluster_record_invalid` named.
      invalidRecords: [...link.invalid.values()].map((r) => ({ key: r.key, problem: r.problem })),
      limits: this.#node.limits.status(),
      budget: this.#node.budget?.status() ?? null,
      strategies: [...this.#node.members].map((m) => {
        const port = m.port;
        const state = port?.state() ?? null;
        return {
          name: m.strategy,
          desk: m.desk,
          cluster: state,
          haltedAt: [...link.halts.keys()].filter((s) => covers(s, m.strategy, m.desk)),
        };
      }),
    };
  }

  /** The halt in force at a scope; a reset of a scope without one is refused. */
  #haltAt(scope: Scope): StoredHalt {
    // The watched copy, not gated on the link now: the confirmation lifts only this revision.
    const halt = this.#node.link.halts.get(scope);
    if (!halt) throw new ResetError(ErrorCode.RESET_NOT_ALLOWED, `scope: there is no halt at ${scope}; nothing to reset`);
    return halt;
  }

  #scopes(): Scope[] {
    const members = [...this.#node.members];
    const desks = [...new Set(members.map((m) => m.desk))].sort();
    return ['firm', ...desks.map((d): Scope => `desk/${d}`), ...members.map((m): Scope => `strategy/${m.strategy}`)];
  }

  #record(scope: Scope, type: string, operator: string, details: Record<string, unknown>): void {
    const c = this.#node.config;
    this.#node.audit(scopeSubject(c.firm, scope), { type, scope, operator, firm: c.firm, process: this.#node.link.id, at: Date.now(), timestamp: new Date().toISOString(), details });
  }
}
