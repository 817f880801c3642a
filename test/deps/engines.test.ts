/**
 * `npm install` on Node 20 must print no EBADENGINE warning: every package the lock file pins
 * must accept the running Node (20.x in CI) in its `engines.node`. A dependency that moves to
 * "node >=22" fails this test before it reaches a user (package.json `overrides` / pins fix it).
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  readonly version?: string;
  readonly engines?: { readonly node?: string } | readonly string[];
}

/** Locked packages whose `engines.node` the given Node version does not satisfy, as "path@version needs range". */
export function engineMismatches(lock: { packages?: Record<string, LockEntry> }, nodeVersion: string): string[] {
  const out: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const engines = entry.engines;
    const range = engines && !Array.isArray(engines) ? (engines as { node?: string }).node : undefined;
    if (range === undefined || path === '') continue;
    if (!semver.satisfies(nodeVersion, range, { includePrerelease: true })) out.push(`${path}@${entry.version ?? '?'} needs node ${range}`);
  }
  return out;
}

describe('package-lock.json engines', () => {
  it(`every locked package accepts this Node (${process.version})`, () => {
    const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'));
    expect(engineMismatches(lock, process.version)).toEqual([]);
  });

  it('the check itself catches a package that needs a newer Node', () => {
    const lock = { packages: { '': { engines: { node: '>=99' } }, 'node_modules/cookie': { version: '2.0.2', engines: { node: '>=22' } }, 'node_modules/ok': { engines: { node: '>=18' } } } };
    expect(engineMismatches(lock, 'v20.20.2')).toEqual(['node_modules/cookie@2.0.2 needs node >=22']);
  });
});
