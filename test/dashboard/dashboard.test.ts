import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY, supervisorMachine } from '../../machines/index.ts';
import { dashboardBundle, machineCharts, machineGraph, registerDashboard } from '../../src/dashboard/index.ts';
import { addDec, formatDec, mulDec, parseDec, percent } from '../../src/present/format.ts';

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  await registerDashboard(app);
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

describe('dashboard (no browser)', () => {
  it('serves the page at / with its landmarks, dialogs and live regions, under a strict CSP', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const html = res.body;
    for (const landmark of ['<html lang="en">', 'role="banner"', '<main id="main"', 'id="breaker-lights"', 'id="value-chart"', 'id="pnl"', 'id="positions"', 'id="orders"', 'id="error-log"', 'id="journal"', 'id="statecharts"']) {
      expect(html).toContain(landmark);
    }
    expect(html).toContain('<dialog id="halt-dialog"');
    expect(html).toContain('<dialog id="reset-dialog"');
    expect(html).toContain('aria-live="polite"');
    expect(html).toContain('role="alert"');
    expect(html).toContain('<label for="operator-token">');
    expect(html).toContain('<script type="module" src="/dashboard/app.js"></script>');
    expect(html).not.toMatch(/<script(?![^>]*src=)/); // no inline script
  });

  it('has no GET form and no input named token: a submit before the script loads puts nothing in a URL', async () => {
    const html = (await app.inject({ method: 'GET', url: '/' })).body;
    const forms = html.match(/<form\b[^>]*>/g) ?? [];
    expect(forms.length).toBeGreaterThan(0);
    for (const form of forms) expect(form, form).toMatch(/method="(post|dialog)"/);
    expect(html).not.toMatch(/name="token"/);
    expect(html).toMatch(/<form id="credentials-form"[^>]*method="post"/);
    expect(html).not.toMatch(/<input id="operator-token"[^>]*name=/);
  });

  it('bundles the browser code with esbuild (uPlot and its CSS included), once', async () => {
    const first = await dashboardBundle();
    expect(await dashboardBundle()).toBe(first);
    expect(first.js.length).toBeGreaterThan(20_000);
    expect(first.css).toContain('.uplot');
    expect(first.css).toContain('.light-card');
    const js = await app.inject({ method: 'GET', url: '/dashboard/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toContain('EventSource');
    const css = await app.inject({ method: 'GET', url: '/dashboard/app.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('renders a statechart SVG per breaker, from its own chart, with every state', async () => {
    const res = await app.inject({ method: 'GET', url: '/dashboard/machines.json' });
    expect(res.statusCode).toBe(200);
    const charts = res.json() as ReturnType<typeof machineCharts>;
    for (const row of REGISTRY) {
      const states = Object.keys(row.chart.root.states);
      expect(charts.breakers[row.kind].states).toEqual(states);
      expect(charts.breakers[row.kind].svg.startsWith('<svg')).toBe(true);
      for (const state of states) expect(charts.breakers[row.kind].svg).toContain(`data-state="${state}"`);
    }
    expect(Object.keys(REGISTRY.find((r) => r.kind === 'drawdown')!.chart.root.states)).toEqual(['NORMAL', 'TRIPPED', 'RESETTING']);
    expect(Object.keys(REGISTRY.find((r) => r.kind === 'manual')!.chart.root.states)).toEqual(['NORMAL', 'MANUALLY_HALTED', 'RESETTING']);
    expect(charts.supervisor.states).toEqual(Object.keys(supervisorMachine.root.states));
    // A drawing is true: drawdown cannot heal itself, so its chart has no WINDOW_CLEARED.
    expect(charts.breakers.drawdown.svg).not.toContain('WINDOW_CLEARED');
    expect(charts.breakers.orderRate.svg).toContain('WINDOW_CLEARED');
  });

  it('derives the edges from XState structure: each breaker only its own', () => {
    const edgesOf = (kind: string) => machineGraph(REGISTRY.find((r) => r.kind === kind)!.chart).edges.map((e) => `${e.source}->${e.target}: ${e.labels.join(',')}`);
    expect(edgesOf('drawdown')).toEqual([
      'NORMAL->TRIPPED: TRIP',
      'TRIPPED->RESETTING: REQUEST_RESET',
      'RESETTING->RESETTING: REQUEST_RESET',
      'RESETTING->NORMAL: CONFIRM_RESET',
      'RESETTING->TRIPPED: CONFIRM_RESET,RESET_EXPIRED',
    ]);
    expect(edgesOf('orderRate')).toContain('TRIPPED->RESETTING: REQUEST_RESET,WINDOW_CLEARED');
    expect(edgesOf('orderRate')).toContain('RESETTING->NORMAL: CONFIRM_RESET,RECOVER');
    expect(edgesOf('manual')).toEqual(expect.arrayContaining(['NORMAL->MANUALLY_HALTED: HALT', 'MANUALLY_HALTED->RESETTING: REQUEST_RESET', 'RESETTING->NORMAL: CONFIRM_RESET', 'RESETTING->MANUALLY_HALTED: HALT,RESET_EXPIRED']));
    // The supervisor is one state: it restarts failed children; the global state is derived, not kept.
    expect(machineGraph(supervisorMachine).edges.map((e) => `${e.source}->${e.target}`)).toEqual(['supervising->supervising']);
  });

  it('draws every chart readably: labels inside the drawing, one event a line on a loop, a one-state chart not blown up', () => {
    const charts = machineCharts();
    const all = { supervisor: charts.supervisor, ...charts.breakers };
    for (const [name, chart] of Object.entries(all)) {
      const [, w, h] = /width="(\d+)" height="(\d+)" viewBox="0 0 (\d+) (\d+)"/.exec(chart.svg)!.map(Number);
      for (const m of chart.svg.matchAll(/<text x="([\d.-]+)" y="([\d.-]+)" class="sc-label"[^>]*>([^<]*)<\/text>/g)) {
        const [x, y, len] = [Number(m[1]), Number(m[2]), m[3]!.length * 6.2];
        // Text at ≈ 6.2 px a character, centred on x: it must lie inside the drawing.
        expect({ name, label: m[3], left: x - len / 2 >= 0, right: x + len / 2 <= w!, top: y >= 10, bottom: y <= h! }).toEqual({ name, label: m[3], left: true, right: true, top: true, bottom: true });
      }
    }
    // The supervisor's one loop names its three events on three lines, in a drawing of its own size.
    const loop = [...charts.supervisor.svg.matchAll(/class="sc-label"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(loop).toEqual(['xstate.error.actor.*', 'RESUMED', 'WAKE', 'RESTART_FORGOTTEN']);
    expect(Number(/width="(\d+)"/.exec(charts.supervisor.svg)![1])).toBeLessThan(300);
  });

  it('computes market values with decimal string math', () => {
    const mv = mulDec(parseDec('10000.5')!, parseDec('1.0875')!);
    expect(formatDec(mv, 5)).toBe('10,875.54375');
    expect(formatDec(mulDec(parseDec('0.1')!, parseDec(3)!), 20)).toBe('0.30000000000000000000');
    expect(formatDec(addDec(parseDec('-0.005')!, parseDec('0')!), 2)).toBe('-0.01');
    expect(formatDec(parseDec('1e3')!, 0)).toBe('1,000');
    expect(parseDec('abc')).toBeNull();
    expect(percent('-0.12')).toBe('-12.0%');
    expect(percent('-0.0004')).toBe('0.0%');
  });
});
