/**
 * Scopes of a firm's halts (`firm`, `desk/<name>`, `strategy/<name>`), and how they map to keys
 * of the firm's bucket and subjects of its audit stream.
 */
import { InvalidInputError } from '../errors.ts';

export type Scope = 'firm' | `desk/${string}` | `strategy/${string}`;

const DESK = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const STRATEGY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Parses and validates a scope; throws InvalidInputError naming the field. */
export function parseScope(text: unknown, field = 'scope'): Scope {
  if (text === 'firm') return 'firm';
  if (typeof text === 'string' && text.startsWith('desk/') && DESK.test(text.slice(5))) return text as Scope;
  if (typeof text === 'string' && text.startsWith('strategy/') && STRATEGY.test(text.slice(9))) return text as Scope;
  throw new InvalidInputError(field, text, 'must be "firm", "desk/<name>" or "strategy/<name>"');
}

/** The scope from the CLI's and API's `desk` / `strategy` selectors (neither: the firm). */
export function scopeOf(selector: { desk?: string | undefined; strategy?: string | undefined }): Scope {
  if (selector.desk !== undefined && selector.strategy !== undefined) throw new InvalidInputError('desk', selector.desk, 'give a desk or a strategy, not both');
  if (selector.desk !== undefined) return parseScope(`desk/${selector.desk}`, 'desk');
  if (selector.strategy !== undefined) return parseScope(`strategy/${selector.strategy}`, 'strategy');
  return 'firm';
}

/** The API's `desk` / `strategy` selector of a scope (the firm: none); the inverse of `scopeOf`. */
export function selectorOf(scope: Scope): { desk?: string; strategy?: string } {
  if (scope.startsWith('desk/')) return { desk: scope.slice(5) };
  if (scope.startsWith('strategy/')) return { strategy: scope.slice(9) };
  return {};
}

/** Whether a halt at `scope` covers a strategy of `desk`. */
export function covers(scope: Scope, strategy: string, desk: string): boolean {
  return scope === 'firm' || scope === `desk/${desk}` || scope === `strategy/${strategy}`;
}

/** The name a user types to confirm a reset at a scope (`firm reset` asks for it). */
export function confirmationName(scope: Scope, firm: string): string {
  return scope === 'firm' ? firm : scope.slice(scope.indexOf('/') + 1);
}

export const bucketName = (firm: string): string => `breakerbox_${firm}`;
export const auditStreamName = (firm: string): string => `BREAKERBOX_AUDIT_${firm}`;
/** Every subject of a firm's audit stream. */
export const auditSubjects = (firm: string): string => `breakerbox.${firm}.audit.>`;

/** Subject tokens may not hold ".": strategy names may. */
const token = (name: string): string => name.replaceAll('.', '~');

/** Subject of a strategy's own records: `breakerbox.<firm>.audit.strategy.<desk>.<strategy>`. */
export function strategySubject(firm: string, desk: string, strategy: string): string {
  return `breakerbox.${firm}.audit.strategy.${token(desk)}.${token(strategy)}`;
}

/** Subject of a scope's records (halts set, resets requested and confirmed, limit breaches). */
export function scopeSubject(firm: string, scope: Scope): string {
  return `breakerbox.${firm}.audit.scope.${scope === 'firm' ? 'firm' : scope.replace('/', '.').replace(/\.(.*)$/, (_, rest: string) => `.${token(rest)}`)}`;
}

/** Bucket key of a scope's halt: `halt.firm`, `halt.desk.<name>`, `halt.strategy.<name>`. */
export function haltKey(scope: Scope): string {
  return `halt.${scope.replace('/', '.')}`;
}

export function scopeOfHaltKey(key: string): Scope | null {
  if (key === 'halt.firm') return 'firm';
  for (const kind of ['desk', 'strategy'] as const) {
    const prefix = `halt.${kind}.`;
    if (key.startsWith(prefix)) {
      try {
        return parseScope(`${kind}/${key.slice(prefix.length)}`);
      } catch {
        return null;
      }
    }
  }
  return null;
}
