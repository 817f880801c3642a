/**
 * The demo's options (issue 13): --duration in simulated seconds, --exit-on-end, readable piped
 * status lines, and reset hints only for breakers that wait for an operator.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BreakerState } from '../../machines/constants.ts';
import { BREAKER_TYPES, BreakerType } from '../../machines/rules/registry.ts';
import { DemoDisplay } from '../../src/demo/display.ts';
import { needsManualReset, resetHints } from '../../src/demo/hint.ts';
import type { RuntimeStatus } from '../../src/runtime/types.ts';
import { runCli } from '../cli/helpers.ts';

const data = () => join(mkdtempSync(join(tmpdir(), 'bb-demo-opts-')), 'data');

describe('which breakers need a manual reset (read from their charts in the registry)', () => {
  it('automatic and manual breakers wait for an operator; self-healing ones and the cluster do not', () => {
    expect(needsManualReset(BreakerType.DRAWDOWN, BreakerState.TRIPPED)).toBe(true);
    expect(needsManualReset(BreakerType.DAILY_LOSS, BreakerState.TRIPPED)).toBe(true);
    expect(needsManualReset(BreakerType.ERROR_RATE, BreakerState.TRIPPED)).toBe(true);
    expect(needsManualReset(BreakerType.MANUAL, BreakerState.MANUALLY_HALTED)).toBe(true);
    expect(needsManualReset(BreakerType.ORDER_RATE, BreakerState.TRIPPED)).toBe(false);
    expect(needsManualReset(BreakerType.STALE_DATA, BreakerState.TRIPPED)).toBe(false);
    expect(needsManualReset(BreakerType.CLUSTER, BreakerState.TRIPPED)).toBe(false);
    expect(needsManualReset(BreakerType.CLUSTER, BreakerState.MANUALLY_HALTED)).toBe(false);
    for (const kind of BREAKER_TYPES) expect(needsManualReset(kind, BreakerState.NORMAL)).toBe(false);
  });

  it('resetHints gives a command for those and says the others recover by themselves', () => {
    const breakers = Object.fromEntries(BREAKER_TYPES.map((b) => [b, { state: BreakerState.NORMAL }]));
    const status = { strategy: 'beta', breakers: { ...breakers, orderRate: { state: 'TRIPPED' }, errorRate: { state: 'TRIPPED' } } } as unknown as RuntimeStatus;
    expect(resetHints(status, (b) => `reset ${b}`)).toEqual([
      'beta/orderRate is TRIPPED; it needs no reset: it recovers by itself once its condition clears',
      'to reset beta/errorRate:  reset errorRate',
    ]);
  });
});

describe('piped status lines', () => {
  it('are the event lines\' format: the time once, no repeated title', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const row = ['alpha', 'crash', 'NORMAL', 'allowed', '1,000,000', '0.0%', '0.0%', '0/100', '0/10', '100/150', '0'];
    new DemoDisplay(out, false).render('breakerbox demo — t+15s simulated (1x) — http://127.0.0.1:8787/', [row, ['beta', ...row.slice(1)]], 't+  15s');
    expect(text).toBe(
      't+  15s  alpha   status    NORMAL, orders allowed, value 1,000,000, drawdown 0.0%, day 0.0%, position 100/150\n' +
        't+  15s  beta    status    NORMAL, orders allowed, value 1,000,000, drawdown 0.0%, day 0.0%, position 100/150\n',
    );
  });
});

describe('breakerbox demo --duration and --exit-on-end', () => {
  it('--exit-on-end stops when the scripted sequence ends; the hints suggest resets only for breakers that need one', async () => {
    const res = await runCli(['demo', '--fast', '--exit-on-end', '--port', '0', '--data', data(), '--seed', '7'], { timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('scenario sequence complete');
    expect(res.stdout).toMatch(
      /demo stopped after 12\ds simulated; trips: drawdown=alpha dailyLoss=alpha orderRate=beta orderToTrade=iota reconciliation=gamma messageRate=eta errorRate=gamma executionRate=theta tradeLosses=theta staleData=zeta;/,
    );
    // Commands that work where the demo runs (npx), with the URL and token from the environment (issue 24).
    expect(res.stdout).toMatch(/to reset gamma\/errorRate: +npx breakerbox live reset --strategy gamma --breaker errorRate\n/);
    expect(res.stdout).toMatch(/to reset theta\/executionRate: +npx breakerbox live reset --strategy theta --breaker executionRate\n/);
    expect(res.stdout).toMatch(/to reset gamma\/reconciliation: +npx breakerbox live reset --strategy gamma --breaker reconciliation\n/);
    expect(res.stdout).not.toMatch(/to reset (beta\/orderRate|zeta\/staleData|eta\/messageRate|iota\/orderToTrade|theta\/tradeLosses)/);
    expect(res.stdout).not.toContain('breakerbox demo — t+'); // no repeated title on piped output
  });

  it('--duration counts simulated seconds, the unit of the summary', async () => {
    const res = await runCli(['demo', '--fast', '--duration', '30', '--port', '0', '--data', data()], { timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/demo stopped after 3[01]s simulated/);
    expect(res.stdout).not.toContain('scenario sequence complete');
    const help = await runCli(['demo', '--help']);
    expect(help.stdout).toContain('SIMULATED seconds');
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/market crash .*runaway order loop .*broker outage .*fat finger .*silent feed/);
  });
});
