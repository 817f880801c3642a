/**
 * One strategy's membership of the firm's cluster: it turns what the process's link sees (halts
 * in scope, link lost or back) into events of the strategy's `cluster` breaker, each as one step
 * of the runtime, on the runtime's clock. The chart's guards decide; the gate follows the actor.
 */
import type { Subscription } from 'rxjs';
import { BreakerState } from '../../machines/constants.ts';
import type { ClusterTracker } from '../../machines/rules/cluster.ts';
import { systemClock, type Clock, type CancelTimer } from '../clock.ts';
import type { ResolvedSettings } from '../config.ts';
import { BREAKER_STATE_EVENTS } from '../breakerStateEvents.ts';
import type { RiskEvent } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { ClusterBinding, ClusterPort, OrderLease } from '../runtime/clusterPort.ts';
import type { ClusterConfig } from '../clusterConfig.ts';
import type { FirmMember, FirmNode } from './firmNode.ts';
import { acquireNode } from './node.ts';
import type { InvalidRecord } from './records.ts';
import { covers, scopeOfHaltKey, strategySubject } from './scopes.ts';

/** Events of a strategy that go to the firm's audit stream. */
const AUDITED = new Set<string>(BREAKER_STATE_EVENTS);

/** How often at most a strategy publishes its P&L to the bucket (ms). */
const PNL_EVERY_MS = 100;

/**
 * Joins the process's node for this cluster (one connection per process), waits at most the
 * heartbeat timeout for the firm's halts to be read, and returns the runtime's binding.
 */
export async function joinCluster(settings: ResolvedSettings, deps: { clock: Clock; logger: Logger }): Promise<ClusterBinding> {
  const config = settings.cluster!;
  const node = acquireNode(config, settings.firmLimits, deps.logger);
  await node.link.ready(config.heartbeatTimeout * 1000);
  return new ClusterMember(node, config, settings.strategy, deps.logger);
}

export class ClusterMember implements ClusterBinding, FirmMember {
  readonly lease: OrderLease | null;
  readonly #node: FirmNode;
  readonly #config: ClusterConfig;
  readonly #strategy: string;
  readonly #log: Logger;
  #port: ClusterPort | null = null;
  #tripTimer: CancelTimer | null = null;
  #pnlTimer: NodeJS.Timeout | null = null;
  #unlisten: (() => void) | null = null;
  #subs: Subscription[] = [];
  #detached = false;

  constructor(node: FirmNode, config: ClusterConfig, strategy: string, logger: Logger) {
    this.#node = node;
    this.#config = config;
    this.#strategy = strategy;
    this.#log = logger;
    this.lease = node.budget;
  }

  attach(port: ClusterPort): void {
    this.#port = port;
    // Inside the runtime's first step: the halts read at start apply before any input.
    this.#syncLink();
    this.#syncHalts();
    this.#syncRecords();
    this.#node.members.add(this);
    this.#unlisten = this.#node.link.onChange((change) => {
      if (this.#detached) return;
      if (change === 'link') port.step(() => this.#syncLink());
      else if (change === 'halts') port.step(() => this.#syncHalts());
      else if (change === 'records')
        port.step(() => {
          this.#syncHalts();
          this.#syncRecords();
        });
      if (change === 'link' && this.#node.link.up) this.#publishPnl();
    });
    this.#subs.push(
      port.events$.subscribe((event) => this.#audit(event)),
      port.portfolio$.subscribe(() => this.#schedulePnl()),
    );
  }

  async detach(): Promise<void> {
    if (this.#detached) return;
    this.#detached = true;
    this.#unlisten?.();
    this.#subs.forEach((s) => s.unsubscribe());
    this.#tripTimer?.();
    if (this.#pnlTimer) clearTimeout(this.#pnlTimer);
    this.#node.members.delete(this);
    await this.#node.release();
  }

  get strategy(): string {
    return this.#strategy;
  }

  get desk(): string {
    return this.#config.desk;
  }

  /** The strategy's state as its actor has it (for the firm's status). */
  get port(): ClusterPort | null {
    return this.#port;
  }

  // ───────────────────────────── link ─────────────────────────────

  /** The link went down or came back: trip after the heartbeat timeout, recover once it is back. */
  #syncLink(): void {
    const port = this.#port!;
    const tracker = port.tracker;
    const link = this.#node.link;
    const now = port.clock.monotonic();
    // The link's outage started on the system's monotonic clock; carry its age over to the runtime's.
    const downSince = link.downSince === null ? now : now - Math.max(0, systemClock.monotonic() - link.downSince);
    const changed = tracker.setLink(link.linkUp, link.bucketUp, downSince);
    tracker.lagMs = link.lagMs;
    if (tracker.up) {
      this.#tripTimer?.();
      this.#tripTimer = null;
      this.#recover(tracker);
    } else if (this.#tripTimer === null) this.#armTrip();
    if (changed) port.figuresChanged();
  }

  /**
   * Trips once the outage reaches the heartbeat timeout. A timer may fire a fraction of a ms
   * before its due time on a fractional monotonic clock (the guard would refuse the trip): it
   * is armed again for what is left, never dropped.
   */
  #armTrip(): void {
    const port = this.#port!;
    const tracker = port.tracker;
    if (tracker.up || tracker.downSince === null) return;
    const due = tracker.downSince + this.#config.heartbeatTimeout * 1000 - port.clock.monotonic();
    if (due <= 0) return this.#trip();
    this.#tripTimer = port.clock.setTimer(() => {
      this.#tripTimer = null;
      if (!this.#detached) port.step(() => this.#armTrip());
    }, Math.max(1, Math.ceil(due)));
  }

  #trip(): void {
    const port = this.#port!;
    const tracker = port.tracker;
    if (tracker.up && tracker.invalid === null) return;
    const state = port.state();
    if (state === BreakerState.NORMAL || state === BreakerState.RESETTING) port.send({ type: 'TRIP', evidence: tracker.tripEvidence(port.clock.monotonic()) });
  }

  /** Link and bucket back, no halt in scope: TRIPPED → RESETTING → NORMAL (the guards decide). */
  #recover(tracker: ClusterTracker): void {
    const port = this.#port!;
    const evidence = () => tracker.recheckEvidence(port.clock.monotonic());
    if (port.state() === BreakerState.TRIPPED) port.send({ type: 'WINDOW_CLEARED', evidence: evidence() });
    if (port.state() === BreakerState.RESETTING) port.send({ type: 'RECOVER', evidence: evidence() });
  }

  // ───────────────────────────── halts ─────────────────────────────

  /** The halts in scope changed: the most senior one halts the breaker; none left lifts it. */
  #syncHalts(): void {
    const port = this.#port!;
    const tracker = port.tracker;
    const link = this.#node.link;
    const before = tracker.senior;
    tracker.halts = [...link.halts.values()].filter((h) => covers(h.scope, this.#strategy, this.#config.desk));
    tracker.synced = tracker.synced || link.up;
    const senior = tracker.senior;
    const state = port.state();
    const current = port.context().evidence?.scope;
    if (senior !== null) {
      if (state !== BreakerState.MANUALLY_HALTED || current !== senior.scope) {
        port.send({ type: 'HALT', operator: senior.operator, reason: senior.reason, scope: senior.scope });
      }
    } else if (state === BreakerState.MANUALLY_HALTED && typeof current === 'string' && link.up) {
      const lift = link.lifts.get(current as never);
      port.send({ type: 'LIFT', operator: lift?.operator ?? 'cluster', scope: current, evidence: tracker.recheckEvidence(port.clock.monotonic()) });
      this.#recover(tracker);
    }
    if (before?.scope !== senior?.scope) port.figuresChanged();
  }

  // ───────────────────────────── records ─────────────────────────────

  /** A firm record this strategy needs is invalid: trip at once naming it; fixed or removed: recover. */
  #syncRecords(): void {
    const port = this.#port!;
    const tracker = port.tracker;
    const before = tracker.invalid?.key ?? null;
    const blocking = this.#blockingRecord();
    tracker.invalid = blocking;
    if (blocking !== null) this.#trip();
    else if (before !== null && tracker.up) this.#recover(tracker);
    if (before !== (blocking?.key ?? null)) port.figuresChanged();
  }

  /** The firm's daily loss cannot be computed, or a halt in scope cannot be read: the record why. */
  #blockingRecord(): InvalidRecord | null {
    const limits = this.#node.limits.blocking;
    if (limits !== null) return limits;
    for (const record of this.#node.link.invalid.values()) {
      const scope = record.key.startsWith('halt.') ? scopeOfHaltKey(record.key) : null;
      if (scope !== null && covers(scope, this.#strategy, this.#config.desk)) return record;
    }
    return null;
  }

  // ───────────────────────────── outputs ─────────────────────────────

  #audit(event: RiskEvent): void {
    if (!AUDITED.has(event.type)) return;
    const config = this.#config;
    const process = this.#node.link.id;
    this.#node.audit(strategySubject(config.firm, config.desk, this.#strategy), () => ({ ...event, firm: config.firm, desk: config.desk, process }));
  }

  #schedulePnl(): void {
    if (this.#pnlTimer !== null || !this.#node.limits.publishesPnl) return;
    this.#pnlTimer = setTimeout(() => {
      this.#pnlTimer = null;
      this.#publishPnl();
    }, PNL_EVERY_MS);
    this.#pnlTimer.unref?.();
  }

  #publishPnl(): void {
    const port = this.#port;
    if (!port || this.#detached || !this.#node.limits.publishesPnl || !this.#node.link.up) return;
    const figures = port.dailyPnl();
    if (figures === null) return;
    this.#node.link
      .publishPnl({ strategy: this.#strategy, desk: this.#config.desk, pnl: figures.pnl, tradingDay: figures.tradingDay, at: Date.now() })
      .catch((error: unknown) => this.#log.warn({ event: 'cluster_pnl_failed', strategy: this.#strategy, error: (error as Error).message }, 'P&L not published'));
  }
}
