import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runs } from '../runs.ts';
import { bundleFixture, Child } from './childProcess.ts';

/** 60 kills (61 rounds) in the full tier, 12 in the quick one (CRASH_KILLS=n: n). */
const KILLS = runs(60, 12, 'CRASH_KILLS');
const BREAKERS = ['drawdown', 'dailyLoss', 'orderRate', 'errorRate', 'manual'] as const;

interface Summary {
  states: Record<string, string>;
  hwm: string | null;
  start: string | null;
  day: string | null;
  manual: unknown;
  orders: number | null;
  errors: number | null;
  journal?: string[];
}

let script: string;
let dir: string;
beforeAll(async () => {
  script = await bundleFixture(join(__dirname, 'fixtures', 'crashChild.ts'), 'crash-child');
  dir = await mkdtemp(join(tmpdir(), 'bbx-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What a restart makes of a state: a pending confirmation dies with the process. */
const afterRestart = (states: Record<string, string>) =>
  Object.fromEntries(Object.entries(states).map(([b, s]) => [b, s === 'RESETTING' ? (b === 'manual' ? 'MANUALLY_HALTED' : 'TRIPPED') : s]));

const parse = (line: string, prefix: string): Summary => JSON.parse(line.slice(prefix.length + 1).replace(/^-?\d+ /, '')) as Summary;

describe(`crash safety: SIGKILL at ${KILLS} random moments`, () => {
  it('a restart restores exactly what was acknowledged (or a later state), never loses a journal entry, never lowers the high-water mark', async () => {
    // Reproduce a failure with CRASH_SEED=<seed printed in the failure>.
    const rng = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);
    let state = rng;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    let now = Date.UTC(2026, 0, 5, 14);
    let value = 100_000;
    let acked: Summary | null = null;
    let candidates: Summary[] = [];
    let lost = 0;
    let verified = 0;

    for (let round = 0; round <= KILLS; round++) {
      const child = new Child(script, [dir, String(now)]);
      child.send({ op: 'report' });
      const report = parse(await child.waitFor('report'), 'report');
      if (acked) {
        // The journal keeps everything acknowledged, in order.
        const prefixOk = acked.journal!.every((id, i) => report.journal![i] === id);
        if (!prefixOk) lost++;
        expect(prefixOk, `round ${round}: journal lost acknowledged entries (seed ${rng})`).toBe(true);
        // The state is the acknowledged one or one of the later, unacknowledged ones.
        const options = [acked, ...candidates];
        const match = options.find((c) => JSON.stringify(afterRestart(c.states)) === JSON.stringify(report.states));
        expect(match, `round ${round}: restored ${JSON.stringify(report.states)} is none of ${JSON.stringify(options.map((o) => o.states))} (seed ${rng})`).toBeDefined();
        // Never looser: the high-water mark is at least the acknowledged one (unless a confirmed reset lowered it later).
        if (acked.hwm !== null && report.hwm !== null && Number(report.hwm) < Number(acked.hwm)) {
          expect(options.map((o) => o.hwm), `round ${round}: high-water mark went down (seed ${rng})`).toContain(report.hwm);
        }
        expect(options.map((o) => o.start)).toContain(report.start);
        verified++;
      }
      // A random walk of operations, acknowledged now and then; the kill lands at a random point.
      acked = null;
      candidates = [];
      const steps = 5 + Math.floor(random() * 25);
      const killAt = Math.floor(random() * steps);
      for (let i = 0; i < steps && !child.exited; i++) {
        const r = random();
        if (r < 0.35) {
          value = Math.max(50_000, Math.round(value * (1 + (random() - 0.55) * 0.06)));
          child.send({ op: 'update', value: String(value) });
        } else if (r < 0.5) child.send({ op: 'order' });
        else if (r < 0.58) child.send({ op: 'error', kind: 'broker_error' });
        else if (r < 0.66) {
          const ms = Math.floor(random() * 8000);
          now += ms;
          child.send({ op: 'advance', ms });
        } else if (r < 0.7) child.send({ op: 'halt' });
        else if (r < 0.8) child.send({ op: 'requestReset', breaker: pick(BREAKERS) });
        else if (r < 0.88) child.send({ op: 'confirm' });
        else {
          child.send({ op: 'ack', n: i });
          acked = parse(await child.waitFor(`ack ${i}`), 'ack');
          candidates = [];
          child.lines.length = 0;
          continue;
        }
        if (i === killAt) {
          await new Promise((r) => setTimeout(r, Math.floor(random() * 4)));
          break;
        }
      }
      if (!acked) {
        child.send({ op: 'ack', n: -1 });
        acked = parse(await child.waitFor('ack -1'), 'ack');
        child.lines.length = 0;
        const ms = Math.floor(random() * 3);
        child.send({ op: 'update', value: String(value) });
        child.send({ op: 'order' });
        await new Promise((r) => setTimeout(r, ms));
      }
      await child.kill();
      candidates = child.lines.filter((l) => l.startsWith('op ')).map((l) => parse(l, 'op'));
    }
    console.log(`crash test: ${verified} SIGKILL restarts verified, ${lost} lost anything (seed ${rng})`);
    expect(verified).toBe(KILLS);
    expect(lost).toBe(0);
  }, 240_000);
});
