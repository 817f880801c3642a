/** What the firm's key-value bucket stores: halts by scope and each strategy's P&L today. */
import type { Scope } from './scopes.ts';

/** A halt as stored in the bucket (value of `halt.<scope>`). */
export interface StoredHalt {
  readonly scope: Scope;
  readonly operator: string;
  readonly reason: string;
  readonly at: number;
  readonly revision: number;
}

/** One strategy's P&L today, as its process published it (value of `pnl.<strategy>`). */
export interface StoredPnl {
  readonly strategy: string;
  readonly desk: string;
  readonly pnl: string;
  readonly tradingDay: string | null;
  readonly at: number;
}

/** The stored value of a halt key: an active halt, or the marker of its lift. */
export interface HaltValue {
  readonly scope: Scope;
  readonly operator: string;
  readonly reason: string;
  readonly at: number;
  readonly lifted?: { readonly operator: string; readonly at: number };
}
