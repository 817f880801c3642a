/**
 * The firm's kill switch across real processes: one nats-server, `serve` processes of 5
 * strategies each, the CLI. Time is real here (cross-process); no assertion is tighter than the
 * contract (heartbeatTimeout + 1 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli } from '../cli/helpers.ts';
import { NatsServer } from './nats.ts';

const TOKEN = 'cluster-test-token-0123456789';
const HEARTBEAT = 1; // seconds
const ORDER = { symbol: 'ES', side: 'buy', quantity: 1 };

interface Proc {
  dir: string;
  url: string;
  child: ChildProcess;
  names: string[];
  /** Everything the process wrote (its JSON logs), for a failure's message. */
  output: () => string;
}

let nats: NatsServer;
const procs: Proc[] = [];

function configFor(names: { name: string; desk: string }[], dir: string): string {
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      store: { path: join(dir, 'data') },
      cluster: { servers: nats.url, firm: 'acme', desk: 'rates', heartbeatTimeout: HEARTBEAT },
      firmLimits: { dailyLoss: { limitAmount: '-2500' } },
      strategies: names.map(({ name, desk }) => ({ name, desk })),
    }),
  );
  return file;
}

async function startServe(dir: string, names: string[]): Promise<Proc> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', join(dir, 'config.json')], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
  return { dir, url, child, names, output: () => out };
}

async function spawnProcess(i: number, names = Array.from({ length: 5 }, (_, j) => `p${i}-s${j}`)): Promise<Proc> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-cluster-'));
  configFor(names.map((name, j) => ({ name, desk: j % 2 === 0 ? 'rates' : 'fx' })), dir);
  return startServe(dir, names);
}

async function api(url: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

const desk = (name: string) => (Number(name.slice(-1)) % 2 === 0 ? 'rates' : 'fx');
const all = () => procs.flatMap((p) => p.names.map((name) => ({ p, name })));
const allowed = async (p: Proc, name: string) => (await api(p.url, 'POST', `/api/strategies/${name}/orders/check`, ORDER)).body.allowed as boolean;
const cluster = async (p: Proc, name: string) => (await api(p.url, 'GET', `/api/strategies/${name}/status`)).body.breakers.cluster;

async function until(what: string, predicate: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await predicate()) return Date.now() - started;
    if (Date.now() - started > ms) {
      // What each process logged last says why (CI keeps nothing else of them).
      const logs = procs.map((p, i) => `--- process ${i} (${p.child.exitCode ?? p.child.signalCode ?? 'running'}):\n${p.output().slice(-3000)}`).join('\n');
      throw new Error(`timed out after ${ms} ms waiting for ${what}\n${logs}\n--- nats-server:\n${nats.output.slice(-1500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cli = (args: string[], p: Proc = procs[0]!) => runCli(args, { env: { BREAKERBOX_URL: p.url, BREAKERBOX_TOKEN: TOKEN } });

beforeAll(async () => {
  nats = await NatsServer.start();
  procs.push(...(await Promise.all([0, 1, 2].map((i) => spawnProcess(i)))));
  for (const { p, name } of all()) await api(p.url, 'POST', `/api/strategies/${name}/portfolio`, { value: 100_000 });
}, 60_000);

afterAll(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  await nats?.kill();
});

describe('firm-wide kill switch across processes', () => {
  it('a firm halt from the CLI halts all 15 strategies in 3 processes; a local reset is refused; a two-step firm reset lifts it', async () => {
    for (const { p, name } of all()) expect(await allowed(p, name)).toBe(true);
    const halt = await cli(['firm', 'halt', '--reason', 'drill', '--operator', 'risk-desk']);
    expect(halt.stderr).toBe('');
    expect(halt.stdout).toContain('firm halted by risk-desk: drill');
    await until('every strategy rejecting orders', async () => (await Promise.all(all().map(({ p, name }) => allowed(p, name)))).every((a) => !a), 2000);
    for (const { p, name } of all()) {
      const c = await cluster(p, name);
      expect(c.state).toBe('MANUALLY_HALTED');
      expect(c.figures).toMatchObject({ scope: 'firm', operator: 'risk-desk', reason: 'drill' });
    }
    const journal = (await api(procs[1]!.url, 'GET', '/api/strategies/p1-s3/journal')).body.entries;
    expect(journal.find((e: any) => e.type === 'ManualHalt' && e.breaker === 'cluster')).toMatchObject({ operator: 'risk-desk', details: { scope: 'firm', reason: 'drill' } });

    const local = await api(procs[2]!.url, 'POST', '/api/strategies/p2-s0/reset', { operator: 'trader', breaker: 'cluster' });
    expect(local.status).toBe(409);
    expect(local.body.error).toMatchObject({ code: 'SCOPED_HALT' });
    expect(local.body.error.message).toContain('scope firm');
    const viaCli = await cli(['live', 'reset', '--strategy', 'p0-s0', '--breaker', 'cluster', '--yes']);
    expect(viaCli.code).toBe(4);

    const wrong = await runCli(['firm', 'reset'], { env: { BREAKERBOX_URL: procs[1]!.url, BREAKERBOX_TOKEN: TOKEN }, input: 'not-acme\n' });
    expect(wrong.code).toBe(1);
    // It asked first: the halt is named, and a typo requested nothing.
    expect(wrong.stderr).toContain('firm is halted by risk-desk: drill');
    expect(wrong.stderr).toContain('nothing was requested, the halt at firm stands');
    expect((await cluster(procs[0]!, 'p0-s1')).state).toBe('MANUALLY_HALTED');
    const preview = await api(procs[2]!.url, 'GET', '/api/firm/reset');
    expect(preview.body).toMatchObject({ scope: 'firm', confirm: 'acme', halt: { operator: 'risk-desk', reason: 'drill' } });
    expect((await api(procs[2]!.url, 'GET', '/api/firm/reset?desk=rates')).body.error.message).toContain('there is no halt at desk/rates');
    const reset = await runCli(['firm', 'reset', '--operator', 'risk-desk'], { env: { BREAKERBOX_URL: procs[1]!.url, BREAKERBOX_TOKEN: TOKEN }, input: 'acme\n' });
    expect(reset.stdout).toContain('firm halt lifted by risk-desk');
    await until('every strategy allowing orders again', async () => (await Promise.all(all().map(({ p, name }) => allowed(p, name)))).every(Boolean), 2000);
    const after = (await api(procs[0]!.url, 'GET', '/api/strategies/p0-s2/journal')).body.entries.map((e: any) => `${e.type}:${e.breaker}`);
    expect(after).toEqual(expect.arrayContaining(['ResetConfirmed:cluster', 'CircuitBreakerRecovered:cluster']));
    // The firm's audit stream holds one reset request for the firm: the confirmed one, not the typo's.
    const requests = async () => (await api(procs[0]!.url, 'GET', '/api/firm/journal')).body.entries.filter((e: any) => e.type === 'ScopeResetRequested' && e.scope === 'firm');
    await until('the reset request on the audit stream', async () => (await requests()).length >= 1, 3000);
    expect(await requests()).toHaveLength(1);
  }, 20_000);

  it('a desk halt halts only that desk, and a process started after a halt starts halted', async () => {
    const halt = await cli(['firm', 'halt', '--desk', 'fx', '--reason', 'fx feed suspect'], procs[2]);
    expect(halt.stdout).toContain('desk/fx halted');
    await until('the fx desk rejecting', async () => (await Promise.all(all().filter(({ name }) => desk(name) === 'fx').map(({ p, name }) => allowed(p, name)))).every((a) => !a), 2000);
    for (const { p, name } of all()) expect(await allowed(p, name)).toBe(desk(name) === 'rates');

    const late = await spawnProcess(3, ['late-s0', 'late-s1']);
    procs.push(late);
    // No waiting: the halt is read before the gate opens.
    expect((await cluster(late, 'late-s1')).state).toBe('MANUALLY_HALTED'); // desk fx
    expect((await cluster(late, 'late-s0')).state).toBe('NORMAL'); // desk rates
    const status = await cli(['firm', 'status'], late);
    expect(status.stdout).toContain('HALTED desk/fx');
  }, 40_000);

  it('nats-server SIGKILLed: every cluster breaker trips within heartbeatTimeout + 1 s and orders are blocked; restarted on its store, they recover by themselves and the desk halt still holds', async () => {
    const live = all().filter(({ name }) => !name.startsWith('late'));
    for (const { p, name } of live) await api(p.url, 'POST', `/api/strategies/${name}/portfolio`, { value: 100_000 });
    await nats.kill();
    const killedAt = Date.now();
    await until(
      'every cluster breaker to trip or stay halted',
      async () => (await Promise.all(live.map(async ({ p, name }) => (await cluster(p, name)).state))).every((s) => s === 'TRIPPED' || s === 'MANUALLY_HALTED'),
      (HEARTBEAT + 1) * 1000,
    );
    expect(Date.now() - killedAt).toBeLessThanOrEqual((HEARTBEAT + 1) * 1000 + 500); // polling slack
    for (const { p, name } of live) expect(await allowed(p, name)).toBe(false);
    const rates = live.filter(({ name }) => desk(name) === 'rates');
    expect((await cluster(rates[0]!.p, rates[0]!.name)).reason).toMatch(/cluster link unreachable/);
    // The trips' audit records wait in the process's backlog, and `firm status` says so.
    const down = await cli(['firm', 'status']);
    expect(down.stdout).toMatch(/^firm acme: link down, bucket down, \d+ audit records not yet published$/m);

    await nats.restart();
    await until('rates to recover by themselves', async () => (await Promise.all(rates.map(({ p, name }) => allowed(p, name)))).every(Boolean), 15_000);
    for (const { p, name } of live.filter(({ name }) => desk(name) === 'fx')) {
      const c = await cluster(p, name);
      expect(c.state).toBe('MANUALLY_HALTED');
      expect(c.figures.scope).toBe('desk/fx');
    }
    const reset = await cli(['firm', 'reset', '--desk', 'fx', '--yes']);
    expect(reset.stdout).toContain('desk/fx halt lifted');
  }, 30_000);

  it('a process killed while a firm halt is being set starts halted', async () => {
    const victim = procs[1]!;
    const halting = api(procs[0]!.url, 'POST', '/api/firm/halt', { operator: 'risk-desk', reason: 'crash drill' });
    victim.child.kill('SIGKILL');
    expect((await halting).status).toBe(200);
    const restarted = await startServe(victim.dir, victim.names);
    procs[1] = restarted;
    for (const name of victim.names) expect((await cluster(restarted, name)).state).toBe('MANUALLY_HALTED');
    const reset = await cli(['firm', 'reset', '--yes']);
    expect(reset.code).toBe(0);
    await until('the restarted process to resume', async () => (await cluster(restarted, victim.names[0]!)).state === 'NORMAL', 3000);
  }, 40_000);

  it('the firm daily-loss limit trips when three processes together cross it, though none alone does', async () => {
    // Each strategy's own daily-loss limit is -5% (-5000): -1000 each trips none; the firm's -2500 over the sum trips.
    for (const p of procs.slice(0, 3)) {
      for (const name of p.names) await api(p.url, 'POST', `/api/strategies/${name}/portfolio`, { value: 100_000 });
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const p of procs.slice(0, 3)) await api(p.url, 'POST', `/api/strategies/${p.names[0]}/portfolio`, { value: 99_000 });
    await until('the firm scope to be halted by the firm limit', async () => (await cluster(procs[2]!, 'p2-s4')).state === 'MANUALLY_HALTED', 3000);
    const c = await cluster(procs[2]!, 'p2-s4');
    expect(c.figures).toMatchObject({ scope: 'firm', operator: 'breakerbox-firm-limits' });
    expect(c.figures.reason).toContain('-3000');
    for (const p of procs.slice(0, 3)) expect((await api(p.url, 'GET', `/api/strategies/${p.names[0]}/status`)).body.breakers.dailyLoss.state).toBe('NORMAL');
    const journal = await cli(['journal', '--cluster', '--json']);
    // JSON lines: one entry per line.
    const types = journal.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toEqual(expect.arrayContaining(['ScopeHalted', 'ScopeResetRequested', 'ScopeResetConfirmed', 'ManualHalt', 'CircuitBreakerTripped', 'FirmLimitBreached']));
  }, 20_000);
});
