/**
 * A self-healing rule whose `clearsAt` says "now" while its `cleared` still says no (a rule bug)
 * must not re-check at the same instant for ever (a hang under a manual clock, a spinning timer
 * under a real one): the next re-check is RECOVERY_RETRY_MS later, and the breaker stays blocked.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.ts';
import { RECOVERY_RETRY_MS, SnapshotTimers } from '../../src/runtime/timers.ts';

describe('recovery re-check of a self-healing breaker', () => {
  it('a condition still holding at its own clearsAt is re-checked a second later, never in a loop at the same instant', () => {
    const clock = new ManualClock(Date.parse('2026-12-07T10:00:00Z'));
    const checks: number[] = [];
    const timers: SnapshotTimers = new SnapshotTimers({
      clock,
      resetTimeoutMs: 60_000,
      selfHealing: new Set(['orderRate']),
      expire: () => undefined,
      // The buggy rule: never cleared, and its clearsAt always "now".
      recover: (kind) => {
        checks.push(clock.monotonic());
        timers.armRecovery(kind, true);
      },
      recoveryAt: (_kind, now) => now,
    });
    timers.armRecovery('orderRate');
    clock.advance(0);
    expect(checks).toHaveLength(1);
    clock.advance(RECOVERY_RETRY_MS - 1);
    expect(checks).toHaveLength(1);
    clock.advance(1);
    expect(checks).toHaveLength(2);
    clock.advance(10 * RECOVERY_RETRY_MS);
    expect(checks).toHaveLength(12);
    expect(checks[1]! - checks[0]!).toBe(RECOVERY_RETRY_MS);
    timers.stop();
  });

  it('a first arm (not a retry) still fires at the instant the rule gives, however soon', () => {
    const clock = new ManualClock(Date.parse('2026-12-07T10:00:00Z'));
    let fired = 0;
    const timers = new SnapshotTimers({
      clock,
      resetTimeoutMs: 60_000,
      selfHealing: new Set(['orderRate']),
      expire: () => undefined,
      recover: () => void fired++,
      recoveryAt: (_kind, now) => now + 250,
    });
    timers.armRecovery('orderRate');
    clock.advance(249);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    timers.stop();
  });
});
