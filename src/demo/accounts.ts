import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PaperAccount } from './broker.ts';

/**
 * The paper accounts of the demo strategies whose position reports are reconciled with their
 * fills: kept in the data directory between runs, as a real broker keeps an account. A fresh
 * account would report positions the restored records never saw filled, and reconciliation would
 * rightly trip at the start of every second run. The other strategies start afresh each run.
 */
const FILE = 'paper-accounts.json';

/** The saved accounts (by strategy), or none when there is no readable file. */
export function loadAccounts(dataDir: string): Readonly<Record<string, PaperAccount>> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, PaperAccount>) : {};
  } catch {
    return {}; // first run, or unreadable: start afresh (reconciliation then says what differs)
  }
}

/** Saves the accounts; false when the directory cannot be written (the next run starts afresh). */
export function saveAccounts(dataDir: string, accounts: Readonly<Record<string, PaperAccount>>): boolean {
  try {
    writeFileSync(join(dataDir, FILE), `${JSON.stringify(accounts, null, 1)}\n`);
    return true;
  } catch {
    return false;
  }
}
