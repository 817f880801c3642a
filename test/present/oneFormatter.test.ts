import { describe, expect, it } from 'vitest';
import { alertPayload } from '../../src/alerts/payload.ts';
import { describeAlert, emailText, smsText } from '../../src/alerts/format.ts';
import { formatJournal, formatStatus } from '../../src/cli/format.ts';
import { describeEvent, statusRow } from '../../src/demo/display.ts';
import { createMemoryLogger, createRiskRuntime, ManualClock, type RiskEvent, type RuntimeStatus } from '../../src/index.ts';
import { dashboardView } from '../../src/present/dashboardView.ts';
import { detailText } from '../../src/present/journalText.ts';
import { renderHtmlReport } from '../../src/replay/html.ts';
import { formatEventLine, formatReplaySummary } from '../../src/replay/format.ts';
import { replaySeries } from '../../src/replay/replay.ts';
import { parseSeries } from '../../src/replay/series.ts';

/**
 * Every figure a person reads goes through the one formatter (machines/words/format.ts): the
 * dashboard's view, the CLI's tables, the alert texts, the journal texts, the demo's lines and
 * the replay report. Figures are fed in with awkward decimals; a surface that printed one raw
 * (901647.783, 88.85388405545673, a fraction -0.17609…) instead of formatting it fails here.
 */

const HIGH = '901647.783';
const LOW = '742872.204';
const PRICE = '88.85388405545673';
/** Raw spellings that must never reach a person. */
const RAW = [/901647/, /742872/, /88\.85388/, /-0\.1760/, /\d\.\d{7,}/];

/** The texts of a view: its string leaves (numbers there are display numbers for bars and charts). */
function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(texts);
  return [];
}

function expectFormatted(surface: string, text: string): void {
  for (const raw of RAW) expect(text, `${surface} shows a raw figure (${raw}):\n${text}`).not.toMatch(raw);
}

async function trippedStrategy(): Promise<{ status: RuntimeStatus; events: RiskEvent[] }> {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
  const rt = await createRiskRuntime({ strategy: 'alpha', clock, store: false, logger: createMemoryLogger(), limits: { maxPosition: 1000 } });
  const events: RiskEvent[] = [];
  rt.events$.subscribe((e) => events.push(e));
  const positions = [{ symbol: 'ES', quantity: '3', price: PRICE }];
  rt.updatePortfolio({ value: HIGH, positions });
  clock.advance(1000);
  rt.check({ id: 'o1', symbol: 'ES', side: 'buy', quantity: '1', price: PRICE });
  rt.updatePortfolio({ value: LOW, positions }); // drawdown −17.61 %, daily loss too
  const status = rt.status();
  await rt.stop();
  return { status, events };
}

describe('one formatter for every figure a person reads', () => {
  it('the dashboard view, the CLI status and journal, the demo lines', async () => {
    const { status, events } = await trippedStrategy();
    expect(events.some((e) => e.type === 'CircuitBreakerTripped')).toBe(true);

    const view = texts(dashboardView(status)).join('\n');
    expectFormatted('dashboard view', view);
    expect(view).toContain('742,872.20');
    expect(view).toContain('901,647.78');

    const cli = formatStatus(status);
    expectFormatted('CLI status', cli);
    expect(cli).toContain('-17.61%');
    expect(cli).toContain('88.8539');

    const journal = formatJournal(events);
    expectFormatted('CLI journal', journal);
    for (const e of events) expectFormatted(`journal text of ${e.type}`, detailText(e));

    expectFormatted('demo status row', statusRow('crash', status, 0).join(' '));
    for (const e of events) expectFormatted(`demo line of ${e.type}`, describeEvent(e) ?? '');
  });

  it('the alert texts (email, SMS, chat) of every alerting event', async () => {
    const { events } = await trippedStrategy();
    const alerts = events.map(alertPayload).filter((p) => p !== null);
    expect(alerts.length).toBeGreaterThan(0);
    for (const p of alerts) {
      expectFormatted(`alert ${p.event_type}`, describeAlert(p));
      // The e-mail's "Details:" section lists the event's exact values on purpose; its words above do not.
      expectFormatted(`email ${p.event_type}`, emailText(p).split('\nDetails:\n')[0]!);
      expect(emailText(p)).toContain('Details:');
      expectFormatted(`sms ${p.event_type}`, smsText(p));
    }
  });

  it('the replay report and the replay text', async () => {
    // A warning first (-8.5 % of a -10 % threshold), then the trip.
    const csv = ['timestamp,close', `2024-01-02,${HIGH}`, '2024-01-03,825007.721', `2024-01-04,${LOW}`, '2024-01-05,750000.125'].join('\n');
    const series = parseSeries(csv, 'awkward.csv');
    const replay = await replaySeries(series, { breakers: { drawdown: { threshold: -0.1 } } } as never);
    expect(replay.trips).toBeGreaterThan(0);
    expect(replay.events.some((e) => e.type === 'warning')).toBe(true);
    const html = renderHtmlReport({ series, replay });
    // The report's words and charts; the events table's value column repeats the input row as written.
    const words = html.replace(/<td>[\d.]+<\/td>/g, '').replace(/<[^>]+>/g, ' ');
    expectFormatted('replay report', words);
    expectFormatted('replay summary', formatReplaySummary(replay));
    for (const e of replay.events) expectFormatted('replay event line', formatEventLine(e).replace(e.value, ''));
  });
});
