import type { Snapshot } from 'xstate';
import { z } from 'zod';
import { BreakerState } from '../../machines/constants.ts';
import { BREAKER_TYPES, REGISTRY } from '../../machines/rules/registry.ts';

/**
 * Current version of the persisted strategy record. See docs/persistence.md for migrations.
 * Version 3 reads as version 2 did; a breaker added since a record was saved starts NORMAL.
 */
export const RECORD_VERSION = 3;

const json: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
);
const evidence = z.record(z.string(), json).nullable();

const causeSchema = z.strictObject({
  type: z.enum(['TRIP', 'HALT', 'REQUEST_RESET', 'CONFIRM_RESET', 'RESET_EXPIRED', 'WINDOW_CLEARED', 'RECOVER', 'LIFT']),
  operator: z.string().nullable(),
  reason: z.string().nullable(),
  evidence,
  deadline: z.number().nullable(),
});

const breakerContextSchema = z.strictObject({
  breaker: z.enum(BREAKER_TYPES as [string, ...string[]]),
  resetToken: z.string().nullable(),
  resetDeadline: z.number().nullable(),
  reason: z.string().nullable(),
  operator: z.string().nullable(),
  evidence,
  haltMode: z.enum(['halt', 'reduceOnly']).nullable().optional(),
  cause: causeSchema.nullable(),
});

const childSchema = (kind: string) =>
  z.looseObject({
    src: z.literal(kind),
    snapshot: z.looseObject({
      status: z.literal('active'),
      value: z.enum(Object.values(BreakerState) as [string, ...string[]]),
      context: breakerContextSchema.refine((c) => c.breaker === kind, `must be the ${kind} breaker's context`),
    }),
  });

const supervisorSchema = z.looseObject({
  status: z.literal('active'),
  value: z.literal('supervising'),
  context: z.looseObject({ strategy: z.string(), restarts: z.record(z.string(), z.number()) }),
  children: z.looseObject(Object.fromEntries(BREAKER_TYPES.map((kind) => [kind, childSchema(kind)]))),
});

/** The persisted record of one strategy: the supervisor's snapshot (children included) and the figures. */
export const strategyRecordSchema = z.strictObject({
  version: z.literal(RECORD_VERSION),
  /** Breakers the saved record did not hold (added since it was saved): set when it is read, never saved. */
  addedBreakers: z.array(z.string()).optional(),
  strategy: z.string(),
  savedAt: z.number(),
  supervisor: supervisorSchema,
  figures: z.strictObject({
    trackers: z.record(z.string(), json),
    /** When each breaker entered its state (display only). */
    since: z.record(z.string(), z.number()),
    lastValue: z.string().nullable(),
    lastTimestamp: z.number().nullable(),
  }),
});

/** Everything needed to bring a strategy back as it was. */
export type StrategyRecord = Omit<z.output<typeof strategyRecordSchema>, 'supervisor'> & { supervisor: Snapshot<unknown> };

/**
 * Adds a NORMAL child for each breaker that a record saved before it existed does not hold: a
 * breaker whose rule says it was added in the record's version or later (`recordSince`). A
 * missing breaker that the record's version already held (e.g. manual) is still refused. Lists
 * those added in `addedBreakers` (the runtime journals them). In place, and before any
 * migration moves the version on; anything that is not a record is left for
 * {@link recordProblems} to refuse.
 */
export function addNewBreakers<T>(record: T): T {
  const r = record as { version?: unknown; supervisor?: { children?: unknown }; addedBreakers?: string[] } | null;
  const children = r?.supervisor?.children;
  if (typeof children !== 'object' || children === null || typeof r?.version !== 'number') return record;
  const added: string[] = [];
  for (const { kind, rule } of REGISTRY) {
    if (kind in children || r.version > rule.recordSince) continue;
    (children as Record<string, unknown>)[kind] = {
      snapshot: {
        status: 'active',
        value: BreakerState.NORMAL,
        historyValue: {},
        context: { breaker: kind, resetToken: null, resetDeadline: null, reason: null, operator: null, evidence: null, haltMode: null, cause: null },
        children: {},
      },
      src: kind,
      syncSnapshot: false,
    };
    added.push(kind);
  }
  if (added.length > 0) r.addedBreakers = [...(r.addedBreakers ?? []), ...added];
  return record;
}

/**
 * Validates a stored record against the schema. Returns the problems (path: message), or an
 * empty list when the record can be trusted.
 */
export function recordProblems(record: unknown, strategy: string): string[] {
  const parsed = strategyRecordSchema.safeParse(record);
  const problems = parsed.success ? [] : parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (parsed.success && parsed.data.strategy !== strategy) problems.push(`strategy: belongs to ${parsed.data.strategy}, not ${strategy}`);
  return problems;
}
