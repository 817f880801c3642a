import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('examples', () => {
  it('the README quick start (examples/rxjs-strategy.ts) runs: trips, cancels, and sends nothing after the trip', async () => {
    const { stdout } = await run('npm', ['run', '-s', 'example:rxjs'], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    // One step: the broker's cancel comes before the listeners hear of the trip.
    const firstCancel = lines.findIndex((l) => l.startsWith('broker: cancel'));
    const firstTrip = lines.findIndex((l) => l.startsWith('TRIPPED'));
    expect(firstCancel).toBeGreaterThan(0);
    expect(firstTrip).toBe(firstCancel + 1);
    expect(lines.slice(0, firstCancel).every((l) => l.startsWith('sent buy ES'))).toBe(true);
    expect(lines.slice(firstTrip).some((l) => l.startsWith('sent'))).toBe(false);
    expect(lines).toContain('broker: cancel all pending orders (dailyLoss)');
    expect(lines.some((l) => l.startsWith('TRIPPED drawdown: drawdown -10.00%'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('rejected: ')).length).toBeGreaterThan(10);
  });
});
