/**
 * The process's live copy of the firm's bucket: the halts in force, who lifted each scope's
 * last halt, and every strategy's P&L figure. It applies a whole read or one watched entry and
 * says what changed; it never talks to NATS.
 */
import type { KvWatchEntry } from '@nats-io/kv';
import type { BucketContents } from './bucketRead.ts';
import type { HaltValue, StoredHalt, StoredPnl } from './records.ts';
import { scopeOfHaltKey, type Scope } from './scopes.ts';

export class BucketMirror {
  readonly halts = new Map<Scope, StoredHalt>();
  /** Who lifted each scope's last halt (for the journals of the strategies it released). */
  readonly lifts = new Map<Scope, { operator: string; at: number }>();
  readonly pnl = new Map<string, StoredPnl>();

  /** Replaces everything with a whole read of the bucket. */
  replace(contents: BucketContents): void {
    this.halts.clear();
    for (const [k, v] of contents.halts) this.halts.set(k, v);
    for (const [k, v] of contents.lifts) this.lifts.set(k, v);
    this.pnl.clear();
    for (const [k, v] of contents.pnl) this.pnl.set(k, v);
  }

  /** Applies one watched entry; returns what changed, or null (an older revision, another key). */
  apply(entry: KvWatchEntry): 'halts' | 'pnl' | null {
    if (entry.key.startsWith('halt.')) {
      const scope = scopeOfHaltKey(entry.key);
      if (!scope) return null;
      const known = this.halts.get(scope);
      if (known && known.revision >= entry.revision) return null;
      const value = entry.operation === 'PUT' ? (entry.json() as HaltValue) : null;
      const changed =
        value && !value.lifted
          ? this.applyHalt(scope, { scope, operator: value.operator, reason: value.reason, at: value.at, revision: entry.revision })
          : this.applyHalt(scope, null, value?.lifted ?? { operator: 'unknown (key deleted)', at: Date.now() });
      return changed ? 'halts' : null;
    }
    if (entry.key.startsWith('pnl.')) {
      if (entry.operation === 'PUT') this.pnl.set(entry.key.slice(4), entry.json() as StoredPnl);
      else this.pnl.delete(entry.key.slice(4));
      return 'pnl';
    }
    return null;
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
}
