/**
 * Reads the firm's bucket whole: every halt in force, the last lift of each scope, every
 * strategy's P&L figure, and the stream sequence to watch from. Pure reading; the link commits.
 */
import type { KV } from '@nats-io/kv';
import type { HaltValue, StoredHalt, StoredPnl } from './records.ts';
import { scopeOfHaltKey, type Scope } from './scopes.ts';

export interface BucketContents {
  /** The bucket's last sequence when the read began: watching resumes just after it. */
  readonly lastSeq: number;
  readonly halts: Map<Scope, StoredHalt>;
  readonly lifts: Map<Scope, { operator: string; at: number }>;
  readonly pnl: Map<string, StoredPnl>;
}

/** Reads the bucket; `stillWanted` throws to abandon a read nobody waits for any more. */
export async function readBucket(kv: KV, stillWanted: () => void): Promise<BucketContents> {
  const status = await kv.status();
  const lastSeq = status.streamInfo.state.last_seq;
  const halts = new Map<Scope, StoredHalt>();
  const lifts = new Map<Scope, { operator: string; at: number }>();
  const pnl = new Map<string, StoredPnl>();
  for (const prefix of ['halt', 'pnl']) {
    const keys = await kv.keys(`${prefix}.>`);
    for await (const key of keys) {
      stillWanted();
      const entry = await kv.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      if (prefix === 'pnl') {
        pnl.set(key.slice(4), entry.json() as StoredPnl);
        continue;
      }
      const scope = scopeOfHaltKey(key);
      const value = entry.json() as HaltValue;
      if (scope && !value.lifted) halts.set(scope, { scope, operator: value.operator, reason: value.reason, at: value.at, revision: entry.revision });
      else if (scope && value.lifted) lifts.set(scope, value.lifted);
    }
  }
  return { lastSeq, halts, lifts, pnl };
}
