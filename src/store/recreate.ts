import { watch } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, StoreNotRecreatedError, StoreRecreatedError } from '../errors.ts';
export { LOST_WITH_DIRECTORY, StoreNotRecreatedError, StoreRecreatedError } from '../errors.ts';
import { directoryProblem, OWNER_FILE, ownerRecord, type SharedDatabase } from './database.ts';

/** How long the directory must be quiet after a file appeared or vanished before it is checked (an rm -rf takes a while). */
const SETTLE_MS = 50;

/** What a re-created store directory lost: said in the journal entry written into it. */
/** Whether the path can be re-created without writing over anything: gone, emptied, or an empty directory in its place. */
async function recreatable(shared: SharedDatabase): Promise<string | null> {
  let st;
  try {
    st = await stat(shared.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ENOENT' ? null : `its path cannot be checked (${code})`;
  }
  if (!st.isDirectory()) return 'something that is not a directory is in its place';
  if (st.dev === shared.dev && st.ino === shared.ino) return null; // the same directory, emptied
  const entries = await readdir(shared.path).catch(() => null);
  if (entries === null) return 'the directory in its place cannot be read';
  // Another directory with content: someone else's data (a restored backup?) is never written over.
  return entries.length === 0 ? null : 'a directory that is not empty was put in its place; it is not written over';
}

/**
 * Re-creates the store directory of `shared` after it vanished while in use: closes the
 * database, makes the directory again, reopens the same database object (so every sublevel that
 * was open — each strategy's state, journal and alert outbox — works again) and tells every
 * strategy stored in it, which then writes its whole current state. Once per vanishing: callers
 * that arrive while it runs share its outcome. Throws a {@link StoreError} saying why it could
 * not (a file in its place, no permission): the strategies then stay failed closed.
 */
export function recreateDirectory(shared: SharedDatabase, problem: string): Promise<void> {
  shared.recreating ??= (async () => {
    try {
      const refused = await recreatable(shared);
      if (refused !== null) throw new Error(refused);
      const open = [...shared.sublevels].filter((sub) => sub.status === 'open');
      await shared.db.close().catch(() => undefined);
      await mkdir(shared.path, { recursive: true });
      await shared.db.open({ createIfMissing: true });
      // Parents were made before their children: reopening in that order reopens every one.
      for (const sub of open) await sub.open();
      await writeFile(join(shared.path, OWNER_FILE), JSON.stringify(ownerRecord()));
      const st = await stat(shared.path);
      shared.dev = st.dev;
      shared.ino = st.ino;
      watchDirectory(shared, true);
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new StoreNotRecreatedError(ErrorCode.STORE_UNAVAILABLE, `store: ${problem}, and it could not be re-created (${why}); failing closed`, { cause: error });
    } finally {
      shared.recreating = null;
    }
    const recreated = new StoreRecreatedError(shared.path, problem);
    for (const listener of [...shared.recreatedListeners]) listener(recreated);
  })();
  return shared.recreating;
}

/**
 * Watches the store directory (once per database; again on a re-created one) so that a removal
 * is noticed within moments, not at the next write: an idle strategy whose directory was removed
 * would otherwise lose everything at a restart before it ever wrote again. Only files appearing
 * or vanishing are looked at (LevelDB renames a few files on compaction; its writes are ignored),
 * once the directory has been quiet for {@link SETTLE_MS}. The timer is a real one: it measures
 * the filesystem settling, not a trading window.
 */
export function watchDirectory(shared: SharedDatabase, again = false): void {
  if (shared.watcher !== null && !again) return;
  shared.watcher?.close();
  shared.watcher = null;
  let timer: NodeJS.Timeout | null = null;
  const check = async (): Promise<void> => {
    timer = null;
    if (shared.recreating !== null || shared.watcher === null) return;
    const problem = await directoryProblem(shared);
    if (problem === null || shared.recreating !== null) return;
    for (const listener of [...shared.vanishedListeners]) listener(problem);
  };
  const later = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => void check(), SETTLE_MS);
    timer.unref();
  };
  try {
    const watcher = watch(shared.path, { persistent: false }, (type) => {
      if (type === 'rename') later();
    });
    // A watch on a removed directory ends with an error on some systems: that too is a reason to look.
    watcher.on('error', later);
    shared.watcher = {
      close: () => {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        watcher.close();
      },
    };
  } catch {
    // No watch (no inotify left): a removal is still noticed at the next write.
  }
}
