/**
 * Writes to the firm's bucket that must not race: compare-and-swap on a key's revision, and a
 * halt that keeps the first setter of a halt already in force.
 */
import type { KV } from '@nats-io/kv';
import { BreakerboxError, ErrorCode } from '../errors.ts';
import { checkHalt, type HaltValue, type StoredHalt } from './records.ts';
import { haltKey, type Scope } from './scopes.ts';

const enc = new TextEncoder();
/** A value as the bucket stores it (JSON). */
export const json = (value: unknown): Uint8Array => enc.encode(JSON.stringify(value));

/** Creates (revision 0) or updates a key at a revision; false when someone else wrote it first. */
export async function compareAndSwap(kv: KV, key: string, value: unknown, revision: number): Promise<boolean> {
  return (await swapRevision(kv, key, value, revision)) !== null;
}

/**
 * As {@link compareAndSwap}, answering the new revision (null when someone else wrote first). The
 * revision comes from the write's own acknowledgement: a read after it may be served by a replica
 * that has not caught up yet (gets are direct), and a stale revision would make the next
 * compare-and-swap on this key fail.
 */
export async function swapRevision(kv: KV, key: string, value: unknown, revision: number): Promise<number | null> {
  try {
    return revision === 0 ? await kv.create(key, json(value)) : await kv.update(key, json(value), revision);
  } catch (error) {
    if (/wrong last sequence|key exists/i.test(error instanceof Error ? error.message : String(error))) return null;
    throw error;
  }
}

/** A key's latest entry as its stream's leader has it. */
export interface BucketEntry {
  readonly revision: number;
  readonly operation: 'PUT' | 'DEL' | 'PURGE';
  readonly value: Uint8Array;
}

/**
 * Reads a key's latest entry from the stream's leader. A read-modify-write must not use the KV's
 * own get: gets are direct, so any replica answers, and one that lags shows a halt already lifted
 * as still in force (a new halt then reports "already halted") or an older revision.
 */
export type LeaderRead = (key: string) => Promise<BucketEntry | null>;

/** Sets a halt at a scope unless one is in force there (then that one is returned, `created: false`). */
export async function setHaltInBucket(kv: KV, read: LeaderRead, scope: Scope, next: HaltValue): Promise<{ created: boolean; halt: StoredHalt }> {
  const key = haltKey(scope);
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await read(key);
    // An invalid record there is no halt to keep: the new halt replaces it (and repairs the key).
    const checked = existing && existing.operation === 'PUT' ? checkHalt(key, scope, existing.value) : null;
    const value = checked?.ok ? checked.value : null;
    if (value && !value.lifted) {
      // The same halt (a retry whose first try was written but not answered) is this call's.
      const own = value.operator === next.operator && value.reason === next.reason && value.at === next.at;
      return { created: own, halt: { scope, operator: value.operator, reason: value.reason, at: value.at, revision: existing!.revision } };
    }
    const revision = existing ? existing.revision : 0;
    const written = await swapRevision(kv, key, next, revision);
    if (written !== null) return { created: true, halt: { scope, operator: next.operator, reason: next.reason, at: next.at, revision: written } };
  }
  throw new ClusterUnavailable(`could not set the halt at ${scope}: the key kept changing`);
}

/** An operator action that needs the cluster while it is unreachable. */
export class ClusterUnavailable extends BreakerboxError {
  constructor(message: string) {
    super(ErrorCode.CLUSTER_UNAVAILABLE, message);
  }
}
