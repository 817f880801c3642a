import { describe, expect, it } from 'vitest';
import { describeAlert, emailHtml, emailSubject, pagerDutyBody, slackBody, smsText, SMS_MAX_LENGTH, type AlertPayload } from '../../src/alerts/index.ts';

function payload(over: Partial<AlertPayload>): AlertPayload {
  return {
    alert_id: 'a1',
    event_id: 'a1',
    event_type: 'CircuitBreakerTripped',
    severity: 'critical',
    strategy_name: 'alpha-1',
    circuit_breaker_type: 'drawdown',
    details: {},
    timestamp: '2026-01-05T12:00:00.000Z',
    ...over,
  };
}

describe('alert texts', () => {
  it('describes a drawdown trip in words from the details', () => {
    const p = payload({ details: { value: '940800', highWaterMark: '1050000', drawdown: '-0.104', threshold: '-0.10' } });
    expect(describeAlert(p)).toBe('DRAWDOWN breaker TRIPPED on alpha-1: -10.4% from peak 1,050,000.00 (limit -10.0%)');
    expect(emailSubject(p)).toBe('[breakerbox] DRAWDOWN breaker TRIPPED on alpha-1: -10.4% from peak 1,050,000.00 (limit -10.0%)');
  });

  it('describes daily loss, order rate, error rate, manual halt, resets and recoveries', () => {
    expect(
      describeAlert(payload({ circuit_breaker_type: 'dailyLoss', details: { value: '948000', startValue: '1000000', pnl: '-52000', pnlFraction: '-0.052', limitAmount: '50000' } })),
    ).toBe('DAILY LOSS breaker TRIPPED on alpha-1: P&L -52,000.00 (-5.2%) since open 1,000,000.00, limit 50,000.00');
    expect(describeAlert(payload({ circuit_breaker_type: 'orderRate', details: { count: 101, maxOrders: 100, windowSeconds: 60 } }))).toBe(
      'ORDER RATE breaker TRIPPED on alpha-1: 101 orders in 60s (max 100)',
    );
    expect(
      describeAlert(
        payload({ circuit_breaker_type: 'errorRate', details: { count: 6, maxErrors: 5, windowSeconds: 300, byKind: { order_rejected: 3, broker_error: 3, data_error: 0 } } }),
      ),
    ).toBe('ERROR RATE breaker TRIPPED on alpha-1: 6 errors in 300s (max 5; order_rejected 3, broker_error 3)');
    expect(describeAlert(payload({ event_type: 'ManualHalt', circuit_breaker_type: 'manual', operator: 'alice', details: { reason: 'fat finger' } }))).toBe(
      'Strategy alpha-1 MANUALLY HALTED by alice: fat finger',
    );
    expect(describeAlert(payload({ event_type: 'ResetRequested', severity: 'info', operator: 'bob' }))).toBe('Reset of DRAWDOWN breaker REQUESTED on alpha-1 by bob');
    expect(describeAlert(payload({ event_type: 'ResetConfirmed', severity: 'info', operator: 'bob' }))).toBe('DRAWDOWN breaker RESET on alpha-1 by bob: back to NORMAL');
    expect(describeAlert(payload({ event_type: 'CircuitBreakerRecovered', circuit_breaker_type: 'orderRate' }))).toBe('ORDER RATE breaker RECOVERED on alpha-1: back to NORMAL');
    expect(describeAlert(payload({ event_type: 'CircuitBreakerWarning', severity: 'warning', details: { drawdown: '-0.08', highWaterMark: '1000000' } }))).toBe(
      'DRAWDOWN breaker WARNING on alpha-1: -8.0% from peak 1,000,000.00',
    );
  });

  it('stays sensible with missing, malformed or hostile details', () => {
    expect(describeAlert(payload({ details: {} }))).toBe('DRAWDOWN breaker TRIPPED on alpha-1: ? from peak ?');
    expect(describeAlert(payload({ details: { drawdown: 'lots', highWaterMark: { x: 1 } } }))).toBe('DRAWDOWN breaker TRIPPED on alpha-1: lots from peak {"x":1}');
    expect(describeAlert(payload({ circuit_breaker_type: null, event_type: 'ManualHalt', details: { reason: 'line1\nline2\r\nBcc: x@y.z' } }))).toBe(
      'Strategy alpha-1 MANUALLY HALTED: line1 line2 Bcc: x@y.z',
    );
    expect(emailSubject(payload({ strategy_name: 'evil\r\nBcc: a@b.c' }))).not.toMatch(/[\r\n]/);
  });

  it('escapes HTML in e-mail bodies', () => {
    const html = emailHtml(payload({ strategy_name: '<script>alert(1)</script>', details: { reason: '"a" & \'b\'' } }));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;a&quot; &amp; &#39;b&#39;');
  });

  it('keeps SMS within 160 characters', () => {
    const short = smsText(payload({ details: { drawdown: '-0.104', highWaterMark: '1050000' } }));
    expect(short).toBe('breakerbox CRITICAL: DRAWDOWN breaker TRIPPED on alpha-1: -10.4% from peak 1,050,000.00');
    const long = smsText(payload({ event_type: 'ManualHalt', operator: 'o'.repeat(100), details: { reason: 'r'.repeat(300) } }));
    expect(long.length).toBe(SMS_MAX_LENGTH);
    expect(long.endsWith('...')).toBe(true);
  });

  it('builds Slack and PagerDuty bodies (trigger on trip, resolve on reset, nothing for warnings)', () => {
    const slack = slackBody(payload({ strategy_name: 'a<b>' }));
    expect(slack.text).toContain('DRAWDOWN breaker TRIPPED on a&lt;b&gt;');
    expect(Array.isArray(slack.blocks)).toBe(true);
    const trigger = pagerDutyBody(payload({ details: { drawdown: '-0.2' } }), 'RK') as Record<string, unknown>;
    expect(trigger).toMatchObject({ routing_key: 'RK', event_action: 'trigger', dedup_key: 'breakerbox/alpha-1/drawdown', payload: { severity: 'critical', source: 'breakerbox' } });
    expect(pagerDutyBody(payload({ event_type: 'ResetConfirmed', severity: 'info' }), 'RK')).toEqual({
      routing_key: 'RK',
      event_action: 'resolve',
      dedup_key: 'breakerbox/alpha-1/drawdown',
    });
    expect(pagerDutyBody(payload({ event_type: 'CircuitBreakerWarning', severity: 'warning' }), 'RK')).toBeNull();
  });
});
