import { InvalidArgumentError } from 'commander';
import { BREAKER_TYPES } from '../../machines/rules/registry.ts';

/** Edit distance (insertions, deletions, substitutions; case-insensitive) between two names. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let row = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const next = [i];
    for (let j = 1; j <= t.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    row = next;
  }
  return row[t.length]!;
}

/** The candidate closest to `name` if it is plausibly a typo of it (at most a third of its letters off), else null. */
export function closestName(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}

/** `unknown <what> "x" (did you mean "y"?); valid <plural>: a, b` — for messages that name every valid value. */
export function unknownNameMessage(what: string, name: string, valid: readonly string[], plural = `${what}s`): string {
  const near = closestName(name, valid);
  return `unknown ${what} ${JSON.stringify(name)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; valid ${plural}: ${valid.length > 0 ? valid.join(', ') : '(none)'}`;
}

/** Commander argument parser for `--breaker`: a misspelled breaker is a usage error (exit 1) naming the valid ones. */
export function parseBreaker(text: string): string {
  if ((BREAKER_TYPES as readonly string[]).includes(text)) return text;
  throw new InvalidArgumentError(unknownNameMessage('breaker', text, BREAKER_TYPES));
}
