import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, ExitCode } from './exitCodes.ts';

/** What {@link loadEnvFile} read. */
export interface LoadedEnv {
  /** The file read, or null when none was given and the working directory has no `.env`. */
  readonly path: string | null;
  /** Names the file set (values already in the environment win and are not listed). */
  readonly set: readonly string[];
}

/**
 * Reads a dotenv file into `process.env` with Node's own `process.loadEnvFile`: `--env-file
 * <path>` when given (a missing file is a usage error naming the path), else `./.env` when the
 * working directory has one. Values already in the environment win: Node 20.20 keeps them, and
 * this enforces it for any Node that would not (each name present before is put back).
 */
export function loadEnvFile(options: { path?: string; cwd?: string } = {}): LoadedEnv {
  const explicit = options.path !== undefined;
  const path = resolve(options.cwd ?? process.cwd(), options.path ?? '.env');
  if (!existsSync(path)) {
    if (explicit) throw new CliError(ExitCode.USAGE, `--env-file: no such file: ${options.path} (${path})`);
    return { path: null, set: [] };
  }
  const before = new Map(Object.entries(process.env));
  try {
    process.loadEnvFile(path);
  } catch (error) {
    throw new CliError(ExitCode.USAGE, `--env-file: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(process.env)) {
    if (!before.has(name)) set.push(name);
    else if (before.get(name) !== value) process.env[name] = before.get(name); // the environment wins
  }
  return { path, set: set.sort() };
}

/** One line for the operator: which file was read and the names it set (never the values). */
export function describeLoadedEnv(loaded: LoadedEnv): string | null {
  if (loaded.path === null) return null;
  return `breakerbox: environment from ${loaded.path}: ${loaded.set.length === 0 ? 'nothing new (values already in the environment win)' : loaded.set.join(', ')}`;
}
