/**
 * The process's live copy of the firm's bucket: the halts in force, who lifted each scope's
 * last halt, every strategy's P&L figure, and the records that failed validation (by key, never
 * used). It applies a whole read or one watched entry and says what changed; it never talks to
 * NATS.
 */
import type { KvWatchEntry } from '@nats-io/kv';
import type { BucketContents } from './bucketRead.ts';
import { checkHalt, checkPnl, type InvalidRecord, type StoredHalt, type StoredPnl } from './records.ts';
import { scopeOfHaltKey, type Scope } from './scopes.ts';

/** What one watched entry changed. */
export type MirrorChange = 'halts' | 'pnl' | 'records';

export class BucketMirror {
  readonly halts = new Map<Scope, StoredHalt>();
  /** Who lifted each scope's last halt (for the journals of the strategies it released). */
  readonly lifts = new Map<Scope, { operator: string; at: number }>();
  readonly pnl = new Map<string, StoredPnl>();
  /** Records in the bucket now that failed validation, by key. */
  readonly invalid = new Map<string, InvalidRecord>();
  /** Invalid records seen since start (each read or watched entry that failed counts once). */
  invalidSeen = 0;
  /** Called with each invalid record as it is seen (the link logs it). */
  onInvalid: (record: InvalidRecord) => void = () => undefined;

  /** Replaces everything with a whole read of the bucket. */
  replace(contents: BucketContents): void {
    this.halts.clear();
    for (const [k, v] of contents.halts) this.halts.set(k, v);
    for (const [k, v] of contents.lifts) this.lifts.set(k, v);
    this.pnl.clear();
    for (const [k, v] of contents.pnl) this.pnl.set(k, v);
    const before = new Map(this.invalid);
    this.invalid.clear();
    for (const [k, v] of contents.invalid) {
      this.invalid.set(k, v);
      if (before.get(k)?.problem !== v.problem) this.#seen(v);
    }
  }

  /** Applies one watched entry; returns what changed, or null (an older revision, another key). */
  apply(entry: KvWatchEntry): MirrorChange | null {
    if (entry.key.startsWith('halt.')) return this.#applyHaltEntry(entry);
    if (entry.key.startsWith('pnl.')) {
      const wasInvalid = this.invalid.delete(entry.key);
      if (entry.operation !== 'PUT') {
        this.pnl.delete(entry.key.slice(4));
        return wasInvalid ? 'records' : 'pnl';
      }
      const checked = checkPnl(entry.key, entry.value);
      if (checked.ok) {
        this.pnl.set(entry.key.slice(4), checked.value);
        return wasInvalid ? 'records' : 'pnl';
      }
      // Never used: the key's last good figure is no longer what the bucket says either.
      this.pnl.delete(entry.key.slice(4));
      this.#invalid(checked.invalid);
      return 'records';
    }
    return null;
  }

  #applyHaltEntry(entry: KvWatchEntry): MirrorChange | null {
    const scope = scopeOfHaltKey(entry.key);
    const wasInvalid = this.invalid.delete(entry.key);
    if (!scope) {
      if (entry.operation === 'PUT') this.#invalid({ key: entry.key, problem: 'is not the key of a scope (halt.firm, halt.desk.<name>, halt.strategy.<name>)' });
      return entry.operation === 'PUT' || wasInvalid ? 'records' : null;
    }
    const known = this.halts.get(scope);
    if (known && known.revision >= entry.revision) return wasInvalid ? 'records' : null;
    if (entry.operation !== 'PUT') {
      const changed = this.applyHalt(scope, null, { operator: 'unknown (key deleted)', at: Date.now() });
      return wasInvalid ? 'records' : changed ? 'halts' : null;
    }
    const checked = checkHalt(entry.key, scope, entry.value);
    if (!checked.ok) {
      // A halt in force stays in force: a record that cannot be read lifts nothing (fail closed).
      this.#invalid(checked.invalid);
      return 'records';
    }
    const value = checked.value;
    const changed = value.lifted
      ? this.applyHalt(scope, null, value.lifted)
      : this.applyHalt(scope, { scope, operator: value.operator, reason: value.reason, at: value.at, revision: entry.revision });
    return wasInvalid ? 'records' : changed ? 'halts' : null;
  }

  /** Sets (a newer revision only) or lifts a scope's halt; true when the halts in force changed. */
  applyHalt(scope: Scope, halt: StoredHalt | null, lift?: { operator: string; at: number }): boolean {
    const known = this.halts.get(scope);
    if (halt === null) {
      if (lift) this.lifts.set(scope, lift);
      if (!known) return false;
      this.halts.delete(scope);
    } else {
      if (known && known.revision >= halt.revision) return false;
      this.halts.set(scope, halt);
    }
    return true;
  }

  #invalid(record: InvalidRecord): void {
    this.invalid.set(record.key, record);
    this.#seen(record);
  }

  #seen(record: InvalidRecord): void {
    this.invalidSeen++;
    this.onInvalid(record);
  }
}
