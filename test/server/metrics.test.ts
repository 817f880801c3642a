import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheus, sampleValue } from '../../src/metrics/index.ts';
import { call, startTestServer, type TestServer } from './helpers.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer(['alpha-1', 'beta-2']);
});
afterAll(async () => {
  await s.close();
});

const ORDER = { symbol: 'AAPL', side: 'buy', quantity: 1 };

describe('/metrics', () => {
  it('exposes breaker states, trips, warnings, orders, figures and check latency in the exposition format', async () => {
    await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: 100000 } });
    for (let i = 0; i < 3; i++) await call(s.url, 'POST', '/api/strategies/alpha-1/orders/check', { body: ORDER });
    await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: 96000 } }); // daily loss warns at -4 %
    await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: 89000 } }); // trips drawdown and daily loss
    await call(s.url, 'POST', '/api/strategies/alpha-1/orders/check', { body: ORDER }); // rejected
    await call(s.url, 'POST', '/api/strategies/beta-2/errors', { body: { kind: 'broker_error', message: 'x' } });

    const res = await fetch(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const families = parsePrometheus(await res.text());

    const types: Record<string, string> = {
      breakerbox_breaker_state: 'gauge',
      breakerbox_breaker_state_code: 'gauge',
      breakerbox_trips_total: 'counter',
      breakerbox_warnings_total: 'counter',
      breakerbox_orders_total: 'counter',
      breakerbox_alert_deliveries_total: 'counter',
      breakerbox_check_duration_seconds: 'histogram',
      breakerbox_drawdown_ratio: 'gauge',
      breakerbox_daily_pnl: 'gauge',
      breakerbox_window_count: 'gauge',
      breakerbox_portfolio_value: 'gauge',
    };
    for (const [name, type] of Object.entries(types)) expect(families.get(name)?.type, name).toBe(type);

    const v = (name: string, labels: Record<string, string>) => sampleValue(families, name, labels);
    expect(v('breakerbox_breaker_state', { strategy: 'alpha-1', breaker: 'drawdown', state: 'TRIPPED' })).toBe(1);
    expect(v('breakerbox_breaker_state', { strategy: 'alpha-1', breaker: 'drawdown', state: 'NORMAL' })).toBe(0);
    expect(v('breakerbox_breaker_state', { strategy: 'beta-2', breaker: 'global', state: 'NORMAL' })).toBe(1);
    expect(v('breakerbox_breaker_state_code', { strategy: 'alpha-1', breaker: 'global' })).toBe(2);
    expect(v('breakerbox_breaker_state_code', { strategy: 'alpha-1', breaker: 'orderRate' })).toBe(0);
    expect(v('breakerbox_trips_total', { strategy: 'alpha-1', breaker: 'drawdown' })).toBe(1);
    expect(v('breakerbox_trips_total', { strategy: 'alpha-1', breaker: 'dailyLoss' })).toBe(1);
    expect(v('breakerbox_trips_total', { strategy: 'beta-2', breaker: 'errorRate' })).toBe(0);
    expect(v('breakerbox_warnings_total', { strategy: 'alpha-1', breaker: 'dailyLoss' })).toBe(1);
    expect(v('breakerbox_orders_total', { strategy: 'alpha-1', outcome: 'allowed', code: 'ALLOWED' })).toBe(3);
    expect(v('breakerbox_orders_total', { strategy: 'alpha-1', outcome: 'rejected', code: 'BREAKER_NOT_NORMAL' })).toBe(1);
    expect(v('breakerbox_drawdown_ratio', { strategy: 'alpha-1' })).toBeCloseTo(-0.11, 6);
    expect(v('breakerbox_high_water_mark', { strategy: 'alpha-1' })).toBe(100000);
    expect(v('breakerbox_daily_pnl', { strategy: 'alpha-1' })).toBe(-11000);
    expect(v('breakerbox_daily_pnl_ratio', { strategy: 'alpha-1' })).toBeCloseTo(-0.11, 6);
    expect(v('breakerbox_portfolio_value', { strategy: 'alpha-1' })).toBe(89000);
    expect(v('breakerbox_window_count', { strategy: 'alpha-1', breaker: 'orderRate' })).toBe(4);
    expect(v('breakerbox_window_count', { strategy: 'beta-2', breaker: 'errorRate' })).toBe(1);
    expect(v('breakerbox_window_limit', { strategy: 'beta-2', breaker: 'errorRate' })).toBe(10);
    expect(v('breakerbox_orders_allowed', { strategy: 'alpha-1' })).toBe(0);

    // The latency histogram: 4 API checks on alpha-1, cumulative buckets ending in +Inf.
    expect(v('breakerbox_check_duration_seconds_count', { strategy: 'alpha-1', source: 'api' })).toBe(4);
    const buckets = families.get('breakerbox_check_duration_seconds')!.samples.filter((x) => x.name.endsWith('_bucket') && x.labels.strategy === 'alpha-1');
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    expect(buckets.at(-1)!.value).toBe(4);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(v('breakerbox_check_duration_seconds_sum', { strategy: 'alpha-1', source: 'api' })).toBeGreaterThan(0);
    expect(families.get('breakerbox_strategies')!.samples[0]!.value).toBe(2);
  });

  it('counts alert deliveries by channel and outcome', async () => {
    s.server.metrics.countAlert({ at: Date.now(), alertId: 'a', eventId: 'e', eventType: 'CircuitBreakerTripped', strategy: 'alpha-1', breaker: 'drawdown', target: 'webhook:ops', channel: 'webhook', outcome: 'sent', attempt: 1 });
    const families = parsePrometheus(await (await fetch(`${s.url}/metrics`)).text());
    expect(sampleValue(families, 'breakerbox_alert_deliveries_total', { strategy: 'alpha-1', channel: 'webhook', outcome: 'sent' })).toBe(1);
  });

  it('the Grafana dashboard only queries metrics the server exposes', async () => {
    const { readFileSync } = await import('node:fs');
    const dashboard = JSON.parse(readFileSync('docs/grafana/breakerbox.json', 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const families = parsePrometheus(await (await fetch(`${s.url}/metrics`)).text());
    const names = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/breakerbox_[a-z_]+/g) ?? [])));
    expect(names.size).toBeGreaterThan(8);
    for (const name of names) expect(families.has(name.replace(/_bucket$/, '')), name).toBe(true);
  });

  it('parses what it reads and refuses garbage', () => {
    expect(() => parsePrometheus('not a metric line at all {')).toThrow(/line 1/);
    const f = parsePrometheus('# HELP x_total things\n# TYPE x_total counter\nx_total{a="b\\"c"} 3\n');
    expect(f.get('x_total')).toMatchObject({ type: 'counter', help: 'things', samples: [{ labels: { a: 'b"c' }, value: 3 }] });
  });
});
