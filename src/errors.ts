import { types } from 'node:util';

/** Machine-readable error codes. */
export const ErrorCode = {
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_CONFIG: 'INVALID_CONFIG',
  UNKNOWN_BREAKER: 'UNKNOWN_BREAKER',
  RESET_NOT_ALLOWED: 'RESET_NOT_ALLOWED',
  INVALID_TOKEN: 'INVALID_TOKEN',
  STORE_LOCKED: 'STORE_LOCKED',
  STORE_CORRUPT: 'STORE_CORRUPT',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  RUNTIME_STOPPED: 'RUNTIME_STOPPED',
  ALERT_CONFIG: 'ALERT_CONFIG',
  URL_NOT_ALLOWED: 'URL_NOT_ALLOWED',
  /** A local reset of a breaker halted at a cluster scope (lift it at that scope). */
  SCOPED_HALT: 'SCOPED_HALT',
  /** The firm's cluster could not be reached for an operator action. */
  CLUSTER_UNAVAILABLE: 'CLUSTER_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error breakerbox throws on purpose. */
export class BreakerboxError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Renders an offending value for an error message without ever throwing, and without running
 * Proxy traps (a revoked Proxy throws on almost any touch).
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'function') return 'a function';
  if (types.isProxy(value)) return 'a Proxy';
  if (types.isDate(value)) {
    const time = Date.prototype.getTime.call(value);
    return `Date(${Number.isNaN(time) ? 'Invalid' : Date.prototype.toISOString.call(value)})`;
  }
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 80 ? `${json.slice(0, 80)}…` : json;
  } catch {
    // A throwing getter or toJSON: fall through to the type alone.
  }
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return 'an unreadable object';
  }
}

/** A malformed input (portfolio update, order, error report, operator request). */
export class InvalidInputError extends BreakerboxError {
  readonly field: string;
  readonly value: unknown;
  constructor(field: string, value: unknown, problem: string) {
    super(ErrorCode.INVALID_INPUT, `${field}: ${problem} (got ${describeValue(value)})`);
    this.field = field;
    this.value = value;
  }
}

/** One problem found in a configuration. */
export interface ConfigIssue {
  /** Dotted path of the field at fault, e.g. `breakers.drawdown.threshold`. */
  readonly path: string;
  readonly message: string;
}

/** A configuration was refused; `issues` lists every problem at once. */
export class ConfigError extends BreakerboxError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], what = 'configuration') {
    super(
      ErrorCode.INVALID_CONFIG,
      `invalid ${what}: ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n` +
        issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
    this.issues = issues;
  }
}

/** A reset request or confirmation that cannot be honoured. */
export class ResetError extends BreakerboxError {}

/** The persistent store could not be used. */
export class StoreError extends BreakerboxError {}

/** What a store directory's removal loses for good (the runtime rewrites everything else). */
export const LOST_WITH_DIRECTORY: readonly string[] = Object.freeze([
  'every journal entry written before the removal',
  'alerts not yet delivered and their delivery attempts',
  'the recent history (value series, marks, orders, fills)',
]);

/**
 * The store directory vanished while in use and was re-created: the strategy's whole current
 * state must be written into it again, and the strategy held halted until an operator resets it.
 * Passed to the runtime's store-failure handler (it is a failure: the history is gone).
 */
export class StoreRecreatedError extends StoreError {
  /** The store directory. */
  readonly directory: string;
  /** What happened to it (removed, emptied, replaced by an empty one). */
  readonly problem: string;
  constructor(directory: string, problem: string) {
    super(
      ErrorCode.STORE_UNAVAILABLE,
      `store: ${problem}; re-created it and wrote the current state into it again (lost: ${LOST_WITH_DIRECTORY.join('; ')}); ` +
        'the strategy stays halted until an operator resets it',
    );
    this.directory = directory;
    this.problem = problem;
  }
}

/** The store directory vanished and could not be re-created: the message says why. */
export class StoreNotRecreatedError extends StoreError {}
