/**
 * Run counts of the heavy tests, in one place. `npm test` runs the quick tier; `npm run test:full`
 * (in CI too) sets BREAKERBOX_FULL=1 and runs every test file that imports this module with the
 * full counts. See docs/testing.md, "Two tiers".
 */

/** The variable that selects the full counts. */
export const FULL_ENV = 'BREAKERBOX_FULL';

type Env = Readonly<Record<string, string | undefined>>;

/** Whether `env` asks for the full counts: BREAKERBOX_FULL=1 (or `true`); unset, empty, 0 or `false` is the quick tier. */
export function isFull(env: Env): boolean {
  const value = env[FULL_ENV];
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  // A typo must not quietly run the quick tier where the full one was asked for.
  throw new RangeError(`${FULL_ENV} must be 1 (full counts) or 0 (quick counts) (got ${JSON.stringify(value)})`);
}

/** Whether this run uses the full counts. */
export const FULL = isFull(process.env);

/** {@link runs} against a given environment. */
export function runsIn(env: Env, full: number, quick: number, override?: string): number {
  if (!Number.isInteger(full) || !Number.isInteger(quick) || quick < 1 || quick > full) {
    throw new RangeError(`runs(full, quick): need whole numbers with 1 ≤ quick ≤ full (got full ${full}, quick ${quick})`);
  }
  const tierCount = isFull(env) ? full : quick;
  const given = override === undefined ? undefined : env[override];
  if (given === undefined || given === '') return tierCount;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${override} must be a whole number ≥ 1 (got ${JSON.stringify(given)})`);
  return n;
}

/**
 * The run count of a heavy test: `full` with BREAKERBOX_FULL=1, else `quick`. `override` names a
 * variable that sets the count outright for one test (e.g. `DIFF_RUNS=50000`), whatever the tier.
 * Both counts must be whole numbers ≥ 1 with quick ≤ full: a quick tier never skips a check.
 */
export function runs(full: number, quick: number, override?: string): number {
  return runsIn(process.env, full, quick, override);
}
