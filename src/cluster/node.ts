/**
 * The process-wide part of a cluster: one link (connection, bucket, stream) shared by every
 * runtime of the process that joins the same firm on the same servers, the firm's limits, the
 * scoped halt and reset controls, and the audit publisher (with a bounded backlog while the
 * link is down). Reference-counted: the last runtime to stop closes it.
 */
import type { Logger } from '../logger.ts';
import type { ClusterConfig, FirmLimits } from '../clusterConfig.ts';
import { ScopeControl } from './control.ts';
import { FirmLimitsWatcher, OrderBudget } from './limits.ts';
import { ClusterLink } from './link.ts';
import type { FirmMember, FirmNode } from './firmNode.ts';

/** Records kept for the audit stream while the link is down (oldest dropped beyond it, and logged). */
const AUDIT_BACKLOG = 10_000;

export class ClusterNode implements FirmNode {
  readonly key: string;
  readonly link: ClusterLink;
  readonly members = new Set<FirmMember>();
  readonly limits: FirmLimitsWatcher;
  readonly budget: OrderBudget | null;
  readonly control: ScopeControl;
  readonly #log: Logger;
  /** Records to publish, oldest first; a function builds its record when it is published. */
  readonly #backlog: { subject: string; record: unknown; id: string }[] = [];
  #flushing = false;
  /** 1 while the oldest record of the backlog is being published (a full backlog drops the next one). */
  #inFlight = 0;
  #dropped = 0;
  /** Numbers the records of this process (their id makes a retried publish idempotent). */
  #sequence = 0;
  refs = 0;

  constructor(key: string, config: ClusterConfig, firmLimits: FirmLimits | null, logger: Logger) {
    this.key = key;
    this.#log = logger;
    this.link = new ClusterLink(config, logger);
    this.control = new ScopeControl(this);
    this.limits = new FirmLimitsWatcher(this, firmLimits?.dailyLoss ?? null, logger);
    this.budget = firmLimits?.orderRate ? new OrderBudget(this.link, firmLimits.orderRate, logger) : null;
    this.link.onChange((change) => {
      if (change === 'link' && this.link.up) this.#flush();
    });
    this.link.start();
  }

  /** Audit records waiting for the firm's stream (grows while the link is down; 0 when caught up). */
  get auditBacklog(): number {
    return this.#backlog.length;
  }

  get config(): ClusterConfig {
    return this.link.config;
  }

  /**
   * Publishes a record to the firm's audit stream; kept and retried while the link is down. A
   * function is called for the record when it is published: a strategy's step only queues it.
   */
  audit(subject: string, record: unknown): void {
    this.#backlog.push({ subject, record, id: `${this.link.id}-${++this.#sequence}` });
    if (this.#backlog.length > AUDIT_BACKLOG) {
      // The oldest record not being published right now.
      this.#backlog.splice(this.#inFlight, 1);
      if (this.#dropped++ === 0) this.#log.error({ event: 'cluster_audit_dropped' }, 'audit backlog full: oldest records dropped (the local journals keep them)');
    }
    this.#flush();
  }

  async release(): Promise<void> {
    if (--this.refs > 0) return;
    NODES.delete(this.key);
    this.budget?.stop();
    this.limits.stop();
    await this.#drain(1000);
    // The backlog lives in memory only: what is still in it now never reaches the firm's stream.
    if (this.#backlog.length > 0) {
      // A strategy's events are in its own journal; scope actions and firm-limit breaches are not: logged here (at most 100).
      const scoped = this.#backlog.filter((r) => typeof r.record !== 'function').map((r) => r.record);
      this.#log.error(
        { event: 'cluster_audit_unpublished', count: this.#backlog.length, records: scoped.slice(0, 100) },
        `stopping with ${this.#backlog.length} audit records not on the firm's stream (strategy events stay in each strategy's journal; scope and firm-limit records are in this line)`,
      );
    }
    await this.link.close();
  }

  /** Waits (at most `ms`) for the audit backlog to be published. */
  async #drain(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.#backlog.length > 0 && this.link.up && Date.now() < until) {
      this.#flush();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Publishes the backlog, oldest first, one record at a time, each awaiting its acknowledgement
   * (a halt's records all in flight at once compete with the next halt for the server: see
   * docs/performance.md). Started in a microtask: during a halt's fan-out every strategy's gate
   * closes and its listeners hear of it before the first record is built, encoded or written.
   */
  #flush(): void {
    if (this.#flushing || !this.link.up) return;
    this.#flushing = true;
    queueMicrotask(() => void this.#publishBacklog());
  }

  async #publishBacklog(): Promise<void> {
    try {
      while (this.#backlog.length > 0 && this.link.up) {
        const next = this.#backlog[0]!;
        if (typeof next.record === 'function') next.record = (next.record as () => unknown)();
        this.#inFlight = 1;
        await this.link.audit(next.subject, next.record, next.id);
        this.#inFlight = 0;
        this.#backlog.shift();
      }
    } catch (error) {
      this.#log.warn({ event: 'cluster_audit_failed', error: (error as Error).message, backlog: this.#backlog.length }, 'audit record not published yet');
      setTimeout(() => this.#flush(), 250).unref?.();
    } finally {
      this.#inFlight = 0;
      this.#flushing = false;
    }
  }
}

const NODES = new Map<string, ClusterNode>();

/** The process's node for a cluster config (created and connected on first use). */
export function acquireNode(config: ClusterConfig, firmLimits: FirmLimits | null, logger: Logger): ClusterNode {
  const key = JSON.stringify([config.servers, config.firm, config.credentials ?? null, config.token ?? null, config.heartbeatTimeout]);
  let node = NODES.get(key);
  if (!node) {
    node = new ClusterNode(key, config, firmLimits, logger);
    NODES.set(key, node);
  }
  node.refs++;
  return node;
}

/** Every node of this process (the API serves the firm's controls through them). */
export function clusterNodes(): ClusterNode[] {
  return [...NODES.values()];
}
