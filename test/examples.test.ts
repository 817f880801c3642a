import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('examples', () => {
  it('the README quick start (examples/rxjs-strategy.ts) runs: trips, cancels, and sends nothing after the trip', async () => {
    const { stdout } = await run('npm', ['run', '-s', 'example:rxjs'], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    const firstTrip = lines.findIndex((l) => l.startsWith('TRIPPED'));
    expect(firstTrip).toBeGreaterThan(0);
    expect(lines.slice(0, firstTrip).every((l) => l.startsWith('sent buy ES'))).toBe(true);
    expect(lines.slice(firstTrip).some((l) => l.startsWith('sent'))).toBe(false);
    expect(lines).toContain('broker: cancel all pending orders (dailyLoss)');
    expect(lines.some((l) => l.startsWith('TRIPPED drawdown: drawdown -0.1'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('rejected: ')).length).toBeGreaterThan(10);
  });
});
