import { ErrorCode, StoreError } from '../errors.ts';
import { RECORD_VERSION, addNewBreakers, recordProblems, type StrategyRecord } from '../runtime/record.ts';

/**
 * Migrations from older record versions, keyed by the version they upgrade FROM.
 * To change the record: bump RECORD_VERSION and add `[old]: (r) => upgraded` here (docs/persistence.md).
 */
export const MIGRATIONS: Readonly<Record<number, (record: Record<string, unknown>) => Record<string, unknown>>> = {
  // Version 3 holds what version 2 did; breakers added since are filled in (NORMAL) by addNewBreakers before this runs.
  2: (record) => ({ ...record, version: 3 }),
  // Version 1 kept copies of the breaker states beside the actors (core v1); its snapshots cannot be
  // trusted to restore the v2 charts, so there is no migration: the strategy starts halted, saying why.
};

/** Parses a stored record, migrating older versions and refusing anything it cannot trust. */
export function parseRecord(text: string, strategy: string, where: string): StrategyRecord {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new StoreError(ErrorCode.STORE_CORRUPT, `store: the record of strategy ${strategy} in ${where} cannot be parsed (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null) {
    throw new StoreError(ErrorCode.STORE_CORRUPT, `store: the record of strategy ${strategy} in ${where} is not an object`);
  }
  const stored = data.version;
  if (typeof stored !== 'number' || !Number.isInteger(stored) || stored < 1) {
    throw new StoreError(ErrorCode.STORE_CORRUPT, `store: the record of strategy ${strategy} in ${where} has no valid version (got ${JSON.stringify(stored)})`);
  }
  let version: number = stored;
  // Breakers added since the record was saved start NORMAL; judged by the version it was saved with.
  if (version <= RECORD_VERSION) addNewBreakers(data);
  if (version > RECORD_VERSION) {
    throw new StoreError(
      ErrorCode.STORE_CORRUPT,
      `store: the record of strategy ${strategy} in ${where} has version ${version}, newer than this breakerbox understands (${RECORD_VERSION}); upgrade breakerbox`,
    );
  }
  while (version < RECORD_VERSION) {
    const migrate = MIGRATIONS[version];
    if (!migrate) throw new StoreError(ErrorCode.STORE_CORRUPT, `store: no migration from record version ${version}`);
    data = migrate(data);
    version = data.version as number;
  }
  const problems = recordProblems(data, strategy);
  if (problems.length > 0) {
    throw new StoreError(
      ErrorCode.STORE_CORRUPT,
      `store: the record of strategy ${strategy} in ${where} does not validate (${problems.join('; ')})`,
    );
  }
  return data as unknown as StrategyRecord;
}
