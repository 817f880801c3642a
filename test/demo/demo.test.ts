import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePrometheus, sampleValue } from '../../src/metrics/index.ts';
import { createRiskRuntime, silentLogger } from '../../src/index.ts';
import { AUTOMATIC_BREAKERS, type AutomaticBreakerType } from '../../machines/rules/registry.ts';
import { BIN, cleanEnv } from '../cli/helpers.ts';

/** Every automatic breaker (the registry's), and the demo strategy whose scenario trips it. */
const EXPECTED: Record<AutomaticBreakerType, string> = {
  drawdown: 'alpha',
  dailyLoss: 'alpha',
  orderRate: 'beta',
  orderToTrade: 'iota',
  reconciliation: 'gamma',
  messageRate: 'eta',
  errorRate: 'gamma',
  executionRate: 'theta',
  tradeLosses: 'theta',
  staleData: 'zeta',
};
const AUTOMATIC = AUTOMATIC_BREAKERS as readonly AutomaticBreakerType[];
const TRIP_LINE = AUTOMATIC.map((b) => `${b}=${EXPECTED[b]}`).join(' ');

describe('npm start (breakerbox demo --fast)', () => {
  // --duration counts simulated seconds: 225 at speed 25 is about 9 s.
  it('trips every automatic breaker, visible in the journal (API and LevelDB) and in /metrics, then exits cleanly', async () => {
    const data = mkdtempSync(join(tmpdir(), 'bb-demo-'));
    const child = spawn(process.execPath, ['--', BIN, 'demo', '--fast', '--duration', '225', '--data', data, '--port', '0', '--seed', '7'], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const started = Date.now();
    const waitFor = async <T>(what: string, fn: () => Promise<T | null>, timeoutMs: number): Promise<T> => {
      for (;;) {
        const value = await fn().catch(() => null);
        if (value !== null) return value;
        if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}; output so far:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const url = await waitFor('the API URL', async () => /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1] ?? null, 15_000);
    expect(out).toMatch(/token\s+\S{20,}/);
    expect(out).toContain('live stop --strategy');

    // Read the journal through the API while the demo runs, until every automatic breaker has tripped.
    const tripsSeen = await waitFor(
      'every automatic breaker\'s trip in the journals',
      async () => {
        const seen: Record<string, string[]> = {};
        for (const strategy of new Set(Object.values(EXPECTED))) {
          const res = await fetch(`${url}/api/strategies/${strategy}/journal?types=CircuitBreakerTripped`);
          const { entries } = (await res.json()) as { entries: { breaker: string; strategy: string }[] };
          for (const e of entries) (seen[e.breaker] ??= []).push(e.strategy);
        }
        return AUTOMATIC.every((b) => seen[b]?.length) ? seen : null;
      },
      // The last trip (gamma's reconciliation) comes at t+105 s simulated: about 4 s at speed 25, after start-up.
      20_000,
    );
    for (const b of AUTOMATIC) expect(tripsSeen[b]).toContain(EXPECTED[b]);

    const families = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
    for (const b of AUTOMATIC) expect(sampleValue(families, 'breakerbox_trips_total', { strategy: EXPECTED[b], breaker: b }), b).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'breakerbox_trips_total', { strategy: 'delta', breaker: 'drawdown' })).toBe(0);
    expect(sampleValue(families, 'breakerbox_orders_total', { strategy: 'beta', outcome: 'rejected', code: 'BREAKER_NOT_NORMAL' })).toBeGreaterThan(0);
    expect(sampleValue(families, 'breakerbox_check_duration_seconds_count', { strategy: 'beta', source: 'demo' })).toBeGreaterThan(100);
    expect(sampleValue(families, 'breakerbox_breaker_state', { strategy: 'gamma', breaker: 'errorRate', state: 'TRIPPED' })).toBe(1);
    expect(sampleValue(families, 'breakerbox_alert_deliveries_total', { strategy: 'alpha', channel: 'webhook', outcome: 'sent' })).toBeGreaterThanOrEqual(2);

    expect(await exited).toBe(0);
    expect(out).toContain(`simulated; trips: ${TRIP_LINE};`);
    expect(out).not.toMatch(/"level":/); // JSON logs go to the log file, not the terminal
    // Alerts went out for real: signed webhooks, verified by the demo's loopback receiver.
    for (const [breaker, strategy] of Object.entries(EXPECTED)) {
      expect(out).toMatch(new RegExp(`${strategy} +alert +webhook received: CircuitBreakerTripped ${breaker} \\(signature verified\\)`));
    }

    // The trips are durable: reopen the LevelDB directory and read alpha's journal.
    const rt = await createRiskRuntime({ strategy: 'alpha', store: { path: data }, logger: silentLogger });
    try {
      const trips = await rt.journal({ types: ['CircuitBreakerTripped'] });
      expect(trips.map((e) => e.breaker).sort()).toEqual(['dailyLoss', 'drawdown']);
      expect(rt.status().breakers.drawdown.state).toBe('TRIPPED');
    } finally {
      await rt.stop();
    }
  });
});
