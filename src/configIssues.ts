/**
 * Config problems as users read them: zod's issues turned into one message per field, with a
 * dotted path, the offending value, and "did you mean …?" for a misspelt key.
 */
import type { z } from 'zod';
import { describeValue, type ConfigIssue } from './errors.ts';
import { LIMIT_KEYS, PER_SYMBOL_KEYS } from './limitsConfig.ts';
import { breakerKeyLists } from './breakersConfig.ts';

const KNOWN_KEYS: Record<string, readonly string[]> = {
  ...breakerKeyLists(),
  supervision: ['maxRestarts', 'window'],
  marketOpen: ['time', 'timeZone'],
  cluster: ['servers', 'firm', 'desk', 'heartbeatTimeout', 'onDisconnect', 'credentials', 'token'],
  firmLimits: ['dailyLoss', 'orderRate'],
  limits: LIMIT_KEYS,
  perSymbol: PER_SYMBOL_KEYS,
};

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function unknownKey(key: string, parent: string | undefined): string {
  const near = (KNOWN_KEYS[parent ?? ''] ?? []).find((k) => distance(key, k) <= Math.max(1, Math.floor(k.length / 4)));
  return near === undefined ? 'unknown key' : `unknown key; did you mean ${near}?`;
}

type Issue = z.core.$ZodIssue;
const isTypeMismatch = (branch: readonly Issue[]) => branch.every((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'));
const got = (input: unknown) => ` (got ${describeValue(input)})`;

function flatten(issues: readonly Issue[], base: readonly PropertyKey[], out: { path: PropertyKey[]; message: string }[]): void {
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    const input = (issue as { input?: unknown }).input;
    if (issue.code === 'invalid_union') {
      const branch = issue.errors.find((b) => !isTypeMismatch(b));
      if (branch) flatten(branch, path, out);
      else out.push({ path, message: issue.message + got(input) });
    } else if (issue.code === 'unrecognized_keys') {
      const parent = path.length === 0 ? undefined : String(path[path.length - 1]);
      for (const key of issue.keys) {
        let value: unknown;
        try {
          value = (input as Record<string, unknown>)[key];
        } catch {
          value = undefined;
        }
        out.push({ path: [...path, key], message: unknownKey(key, parent) + got(value) });
      }
    } else {
      const appendValue = input !== undefined && (typeof input !== 'object' || input === null);
      out.push({ path, message: appendValue ? issue.message + got(input) : issue.message });
    }
  }
}

/** Turns zod's issues into ours: every field at fault (its first problem), with a dotted path and the offending value. */
export function toConfigIssues(error: z.ZodError, prefix = ''): ConfigIssue[] {
  const out: { path: PropertyKey[]; message: string }[] = [];
  flatten(error.issues, [], out);
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const { path, message } of out) {
    const dotted = [prefix, ...path.map(String)].filter(Boolean).join('.');
    if (seen.has(dotted)) continue; // one problem per field: the first check that failed
    seen.add(dotted);
    issues.push({ path: dotted, message });
  }
  return issues;
}
