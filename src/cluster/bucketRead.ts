/**
 * Reads the firm's bucket whole: every halt in force, the last lift of each scope, every
 * strategy's P&L figure, the records that failed validation, and the stream sequence to watch
 * from. Pure reading; the link commits.
 */
import type { KV } from '@nats-io/kv';
import { checkHalt, checkPnl, type InvalidRecord, type StoredHalt, type StoredPnl } from './records.ts';
import { scopeOfHaltKey, type Scope } from './scopes.ts';

export interface BucketContents {
  /** The bucket's last sequence when the read began: watching resumes just after it. */
  readonly lastSeq: number;
  readonly halts: Map<Scope, StoredHalt>;
  readonly lifts: Map<Scope, { operator: string; at: number }>;
  readonly pnl: Map<string, StoredPnl>;
  /** Records that failed validation, by key (never used). */
  readonly invalid: Map<string, InvalidRecord>;
}

/** Reads the bucket; `stillWanted` throws to abandon a read nobody waits for any more. */
export async function readBucket(kv: KV, stillWanted: () => void): Promise<BucketContents> {
  const status = await kv.status();
  const lastSeq = status.streamInfo.state.last_seq;
  const halts = new Map<Scope, StoredHalt>();
  const lifts = new Map<Scope, { operator: string; at: number }>();
  const pnl = new Map<string, StoredPnl>();
  const invalid = new Map<string, InvalidRecord>();
  for (const prefix of ['halt', 'pnl']) {
    const keys = await kv.keys(`${prefix}.>`);
    for await (const key of keys) {
      stillWanted();
      const entry = await kv.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      if (prefix === 'pnl') {
        const checked = checkPnl(key, entry.value);
        if (checked.ok) pnl.set(key.slice(4), checked.value);
        else invalid.set(key, checked.invalid);
        continue;
      }
      const scope = scopeOfHaltKey(key);
      if (!scope) {
        invalid.set(key, { key, problem: 'is not the key of a scope (halt.firm, halt.desk.<name>, halt.strategy.<name>)' });
        continue;
      }
      const checked = checkHalt(key, scope, entry.value);
      if (!checked.ok) invalid.set(key, checked.invalid);
      else if (!checked.value.lifted) halts.set(scope, { scope, operator: checked.value.operator, reason: checked.value.reason, at: checked.value.at, revision: entry.revision });
      else lifts.set(scope, checked.value.lifted);
    }
  }
  return { lastSeq, halts, lifts, pnl, invalid };
}
