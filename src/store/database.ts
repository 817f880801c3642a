import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { Level } from 'level';
import { ErrorCode, StoreError, type StoreRecreatedError } from '../errors.ts';

/** The process's handle on one LevelDB directory, shared by every strategy stored in it. */
export interface SharedDatabase {
  readonly path: string;
  readonly db: Level<string, string>;
  /** Strategies currently open on this handle (one runtime per strategy per process). */
  readonly strategies: Set<string>;
  /** Identity of the directory when it was opened or re-created (a removed or replaced directory is noticed). */
  dev: number;
  ino: number;
  /** Every sublevel made on `db`, parents first: reopened when the directory is re-created. */
  readonly sublevels: Set<AnySublevel>;
  /** Each strategy store's listener, told once the directory was re-created (src/store/recreate.ts). */
  readonly recreatedListeners: Set<(recreated: StoreRecreatedError) => void>;
  /** The re-creation under way, shared by every strategy that notices the directory gone. */
  recreating: Promise<void> | null;
  /** Each strategy store's listener, told when the directory is found gone without a write (the watch). */
  readonly vanishedListeners: Set<(problem: string) => void>;
  /** Watches the directory so a removal is noticed at once, not at the next write (src/store/recreate.ts). */
  watcher: { close(): void } | null;
}

/** What re-creation needs of a sublevel, whatever its key and value formats. */
interface AnySublevel {
  readonly status: string;
  open(): Promise<void>;
  readonly hooks: { readonly newsub: { add(hook: (sublevel: AnySublevel) => void): void } };
}

export const OWNER_FILE = 'breakerbox-owner.json';
const open = new Map<string, Promise<SharedDatabase>>();

interface Owner {
  pid: number;
  host: string;
  since: string;
  command: string;
}

/** This process as the owner of a store directory. */
export function ownerRecord(): Owner {
  return { pid: process.pid, host: hostname(), since: new Date().toISOString(), command: process.argv.slice(1).join(' ').slice(0, 200) };
}

/** Records every sublevel made on `db` or on one of its sublevels, in the order they are made. */
function trackSublevels(db: AnySublevel, into: Set<AnySublevel>): void {
  const track = (sub: AnySublevel): void => {
    into.add(sub);
    sub.hooks.newsub.add(track);
  };
  db.hooks.newsub.add(track);
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
      const sublevels = new Set<AnySublevel>();
      trackSublevels(db, sublevels);
      try {
        await db.open({ createIfMissing: true });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        if (cause?.code === 'LEVEL_LOCKED') {
          throw new StoreError(ErrorCode.STORE_LOCKED, `store: ${dir} is locked by ${await describeOwner(dir)}; one process per store directory`, { cause: error });
        }
        throw new StoreError(ErrorCode.STORE_UNAVAILABLE, `store: cannot open ${dir}: ${(error as Error).message}`, { cause: error });
      }
      await writeFile(join(dir, OWNER_FILE), JSON.stringify(ownerRecord()));
      const st = await stat(dir);
      return { path: dir, db, strategies: new Set<string>(), dev: st.dev, ino: st.ino, sublevels, recreatedListeners: new Set(), recreating: null, vanishedListeners: new Set(), watcher: null };
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
  shared.watcher?.close();
  shared.watcher = null;
  await shared.db.close();
  // The directory may be gone, or something else in its place (a vanished store that could not be re-created).
  await rm(join(shared.path, OWNER_FILE), { force: true }).catch(() => undefined);
}

/**
 * Null while the directory is still the one that was opened and holds its LevelDB files, else
 * what happened to it. LevelDB keeps writing to the open files of a deleted directory (Linux
 * keeps them alive), so without this a deleted store would be noticed only after a restart —
 * too late: the trips and halts would be gone.
 */
export async function directoryProblem(shared: SharedDatabase): Promise<string | null> {
  try {
    const st = await stat(shared.path);
    if (st.dev !== shared.dev || st.ino !== shared.ino) return `the store directory ${shared.path} was replaced while in use`;
    await stat(join(shared.path, 'CURRENT'));
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ENOENT' ? `the store directory ${shared.path} (or its CURRENT file) was removed while in use` : `the store directory ${shared.path} cannot be checked: ${code}`;
  }
}

/** Total size in bytes of the files in a store directory (null when it cannot be read). */
export async function directoryBytes(dir: string): Promise<number | null> {
  try {
    let total = 0;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      try {
        total += (await stat(join(dir, entry.name))).size;
      } catch {
        // removed meanwhile (compaction)
      }
    }
    return total;
  } catch {
    return null;
  }
}
