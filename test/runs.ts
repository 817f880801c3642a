/**
 * Run counts of the heavy tests, in one place. `npm test` runs the quick tier; `npm run test:full`
 * (in CI too) sets BREAKERBOX_FULL=1 and runs every test file that imports this module with the
 * full counts. See docs/testing.md, "Two tiers".
 */

/** The variable that selects the full counts. */
export const FULL_ENV = 'BREAKERBOX_FULL';

/** Whether this run uses the full counts: BREAKERBOX_FULL=1 (or `true`); unset, empty or 0 is the quick tier. */
export const FULL = tier(process.env[FULL_ENV]);

function tier(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  // A typo must not quietly run the quick tier where the full one was asked for.
  throw new RangeError(`${FULL_ENV} must be 1 (full counts) or 0 (quick counts) (got ${JSON.stringify(value)})`);
}

/**
 * The run count of a heavy test: `full` with BREAKERBOX_FULL=1, else `quick`. `override` names a
 * variable that sets the count outright for one test (e.g. `DIFF_RUNS=50000`), whatever the tier.
 * Both counts must be whole numbers ≥ 1 with quick ≤ full: a quick tier never skips a check.
 */
export function runs(full: number, quick: number, override?: string): number {
  if (!Number.isInteger(full) || !Number.isInteger(quick) || quick < 1 || quick > full) {
    throw new RangeError(`runs(full, quick): need whole numbers with 1 ≤ quick ≤ full (got full ${full}, quick ${quick})`);
  }
  const given = override === undefined ? undefined : process.env[override];
  if (given === undefined || given === '') return FULL ? full : quick;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${override} must be a whole number ≥ 1 (got ${JSON.stringify(given)})`);
  return n;
}
