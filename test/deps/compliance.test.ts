/**
 * docs/compliance.md stays true as the code moves: every test file it cites exists, and every
 * breaker and every pre-trade limit in the registries is named on the page (a control added
 * without its row in the compliance map fails here).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMIT_ROWS } from '../../machines/limits/registry.ts';
import { BREAKER_TYPES } from '../../machines/rules/registry.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const page = readFileSync(resolve(ROOT, 'docs/compliance.md'), 'utf8');

describe('docs/compliance.md', () => {
  it('cites only test files that exist', () => {
    const cited = [...new Set(page.match(/test\/[A-Za-z0-9/_.-]+\.ts/g) ?? [])];
    expect(cited.length).toBeGreaterThan(20);
    expect(cited.filter((file) => !existsSync(resolve(ROOT, file)))).toEqual([]);
  });

  it('names every breaker (but the internal manual and cluster ones, named as halts) and every limit', () => {
    const breakers = BREAKER_TYPES.filter((kind) => kind !== 'manual' && kind !== 'cluster');
    expect(breakers.filter((kind) => !page.includes(`\`${kind}\``))).toEqual([]);
    expect(LIMIT_ROWS.map((row) => row.key).filter((key) => !page.includes(`\`${key}\``))).toEqual([]);
  });
});
