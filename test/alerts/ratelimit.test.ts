import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { createAlertManager, InMemoryAlertOutbox } from '../../src/alerts/index.ts';
import { startHttpServer, tripEvent, type ReceivedRequest } from './helpers.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const HOUR = 3_600_000;

describe('rate limiting per strategy+breaker with a digest', () => {
  it('sends 10 alerts in an hour, folds the rest into ONE digest sent when the window opens', async () => {
    const hook = await startHttpServer((_r: ReceivedRequest, res: ServerResponse) => res.writeHead(200).end());
    cleanup.push(() => hook.close());
    const clock = new ManualClock();
    const m = createAlertManager({ webhooks: [{ url: `${hook.url}/h` }], allowlist: [`${hook.url}/`] }, { clock, outbox: new InMemoryAlertOutbox() });
    cleanup.push(() => m.close());
    const ids: string[] = [];
    for (let i = 0; i < 14; i++) {
      const e = tripEvent({ at: clock.now(), details: { drawdown: `-0.${10 + i}`, highWaterMark: '1000000' } });
      ids.push(e.id);
      m.enqueue(e);
      clock.advance(60_000); // one a minute
    }
    // Another breaker of the same strategy has its own budget.
    m.enqueue(tripEvent({ breaker: 'orderRate', details: { count: 200, maxOrders: 100, windowSeconds: 60 } }));
    await m.settled();
    const bodies = () => hook.requests.map((r) => JSON.parse(r.body) as { alert_id: string; event_type: string; circuit_breaker_type: string; details: Record<string, unknown> });
    expect(bodies().filter((b) => b.circuit_breaker_type === 'drawdown')).toHaveLength(10);
    expect(bodies().filter((b) => b.circuit_breaker_type === 'orderRate')).toHaveLength(1);
    const suppressed = (await m.attempts()).filter((a) => a.outcome === 'suppressed');
    expect(suppressed.map((a) => a.alertId)).toEqual(ids.slice(10));
    expect(suppressed[0].reason).toMatch(/rate limit 10 per 60 min/);

    // The window opens again one hour after the first alert: exactly one digest.
    clock.set(Date.UTC(2026, 0, 5, 12, 0, 0) + HOUR - 1);
    await m.settled();
    expect(hook.requests).toHaveLength(11);
    clock.advance(1);
    await m.settled();
    expect(hook.requests).toHaveLength(12);
    const digest = bodies()[11];
    expect(digest.event_type).toBe('AlertDigest');
    expect(digest.details).toMatchObject({ suppressed_count: 4, event_types: { CircuitBreakerTripped: 4 }, suppressed_alert_ids: ids.slice(10) });
    expect(digest.details.last_event).toMatchObject({ event_type: 'CircuitBreakerTripped', details: { drawdown: '-0.23' } });
    clock.advance(2 * HOUR);
    await m.settled();
    expect(hook.requests).toHaveLength(12);
    // Nothing was dropped silently: every event is either sent or inside the digest.
    const sentIds = new Set(bodies().map((b) => b.alert_id));
    for (const id of ids) expect(sentIds.has(id) || (digest.details.suppressed_alert_ids as string[]).includes(id)).toBe(true);
  });

  it('respects a configured maxPerHour and counts the digest against the new window', async () => {
    const hook = await startHttpServer((_r: ReceivedRequest, res: ServerResponse) => res.writeHead(200).end());
    cleanup.push(() => hook.close());
    const clock = new ManualClock();
    const m = createAlertManager({ webhooks: [{ url: `${hook.url}/h` }], allowlist: [`${hook.url}/`], maxPerHour: 2 }, { clock });
    cleanup.push(() => m.close());
    for (let i = 0; i < 3; i++) m.enqueue(tripEvent({ breaker: null, type: 'ManualHalt', operator: 'alice', details: { reason: `r${i}` } }));
    await m.settled();
    expect(hook.requests).toHaveLength(2);
    clock.advance(HOUR);
    await m.settled();
    expect(hook.requests).toHaveLength(3);
    expect(JSON.parse(hook.requests[2].body)).toMatchObject({ event_type: 'AlertDigest', circuit_breaker_type: null, severity: 'critical', details: { suppressed_count: 1 } });
    // Digest took one of the 2 slots of the new window.
    m.enqueue(tripEvent({ breaker: null, type: 'ManualHalt', details: {} }));
    m.enqueue(tripEvent({ breaker: null, type: 'ManualHalt', details: {} }));
    await m.settled();
    expect(hook.requests).toHaveLength(4);
    expect((await m.attempts()).filter((a) => a.outcome === 'suppressed')).toHaveLength(2);
  });
});
