/**
 * What the parts of a process's cluster node (scope control, firm limits, members) use of the
 * node, as one interface: they depend on this, the node implements it, and nothing imports the
 * node back (no cycle between a whole and its parts).
 */
import type { ClusterPort, OrderLease } from '../runtime/clusterPort.ts';
import type { ClusterConfig } from '../clusterConfig.ts';
import type { ClusterLink } from './link.ts';
import type { InvalidRecord, StoredHalt } from './records.ts';
import type { Scope } from './scopes.ts';

/** A strategy of this process in the firm, as the node's parts see it. */
export interface FirmMember {
  readonly strategy: string;
  readonly desk: string;
  /** The runtime's side of the binding, or null before it attached / after it detached. */
  readonly port: ClusterPort | null;
}

/** The node as its parts see it (implemented by `ClusterNode`). */
export interface FirmNode {
  readonly link: ClusterLink;
  readonly config: ClusterConfig;
  readonly members: Set<FirmMember>;
  /** Audit records not yet acknowledged by the firm's stream. */
  readonly auditBacklog: number;
  readonly limits: { status(): Record<string, unknown> | null; readonly publishesPnl: boolean; readonly blocking: InvalidRecord | null };
  readonly budget: (OrderLease & { status(): Record<string, unknown> }) | null;
  readonly control: { halt(scope: Scope, operator: string, reason: string): Promise<{ scope: Scope; created: boolean; halt: StoredHalt }> };
  /** Queues a record for the firm's audit stream (a function is called when it is published). */
  audit(subject: string, record: unknown): void;
  /** Called by each member that leaves; the last one closes the node. */
  release(): Promise<void>;
}
