import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { Level } from 'level';
import { ErrorCode, StoreError } from '../errors.ts';

/** The process's handle on one LevelDB directory, shared by every strategy stored in it. */
export interface SharedDatabase {
  readonly path: string;
  readonly db: Level<string, string>;
  /** Strategies currently open on this handle (one runtime per strategy per process). */
  readonly strategies: Set<string>;
}

const OWNER_FILE = 'breakerbox-owner.json';
const open = new Map<string, Promise<SharedDatabase>>();

interface Owner {
  pid: number;
  host: string;
  since: string;
  command: string;
}

async function describeOwner(dir: string): Promise<string> {
  try {
    const owner = JSON.parse(await readFile(join(dir, OWNER_FILE), 'utf8')) as Owner;
    return `process ${owner.pid} on ${owner.host} (since ${owner.since}: ${owner.command})`;
  } catch {
    return 'another process (its owner file is missing)';
  }
}

/**
 * Opens (once per process) the LevelDB directory at `path`. LevelDB allows one process per
 * directory: a second process gets a {@link StoreError} naming the directory and the holder.
 */
export function openDatabase(path: string): Promise<SharedDatabase> {
  const dir = resolve(path);
  let handle = open.get(dir);
  if (!handle) {
    handle = (async () => {
      const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
      try {
        await db.open({ createIfMissing: true });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        if (cause?.code === 'LEVEL_LOCKED') {
          throw new StoreError(ErrorCode.STORE_LOCKED, `store: ${dir} is locked by ${await describeOwner(dir)}; one process per store directory`, { cause: error });
        }
        throw new StoreError(ErrorCode.STORE_UNAVAILABLE, `store: cannot open ${dir}: ${(error as Error).message}`, { cause: error });
      }
      const owner: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command: process.argv.slice(1).join(' ').slice(0, 200) };
      await writeFile(join(dir, OWNER_FILE), JSON.stringify(owner));
      return { path: dir, db, strategies: new Set<string>() };
    })();
    open.set(dir, handle);
    handle.catch(() => open.delete(dir));
  }
  return handle;
}

/** Releases one strategy's use of the database; the last one closes it. */
export async function releaseDatabase(shared: SharedDatabase, strategy: string): Promise<void> {
  shared.strategies.delete(strategy);
  if (shared.strategies.size > 0) return;
  open.delete(shared.path);
  await shared.db.close();
  await rm(join(shared.path, OWNER_FILE), { force: true });
}
