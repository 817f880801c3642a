import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRiskRuntime, silentLogger } from '../../src/index.ts';
import { createServer } from '../../src/server/index.ts';
import { parseLastEventId } from '../../src/server/sseResume.ts';
import { call, startTestServer, TOKEN, type TestServer } from './helpers.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer(['alpha-1', 'beta-2'], { ingest: 100_000, read: 100_000 });
});
afterAll(async () => {
  await s.close();
});

interface Msg {
  id: string | null;
  event: string;
  data: any;
}

/** Opens the event stream (optionally with Last-Event-ID) and collects messages with their ids. */
async function open(name: string, lastEventId?: string, base: string = s.url) {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const res = await fetch(`${base}/api/strategies/${name}/events`, { signal: controller.signal, headers });
  const messages: Msg[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let idx: number;
        while ((idx = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, idx);
          buffer = buffer.slice(idx + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          const id = /^id: (.*)$/m.exec(block)?.[1] ?? null;
          if (event && data) messages.push({ id, event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  const waitFor = async (pred: (m: Msg[]) => boolean, timeoutMs = 5000): Promise<void> => {
    const deadline = performance.now() + timeoutMs;
    while (!pred(messages)) {
      if (performance.now() > deadline) throw new Error(`timed out; got ${messages.map((m) => m.event).join(',')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    messages,
    waitFor,
    risks: () => messages.filter((m) => m.event === 'risk'),
    close: async () => {
      await reader.cancel().catch(() => undefined);
      controller.abort();
      await pump;
    },
  };
}

const error = (name: string, i: number) => call(s.url, 'POST', `/api/strategies/${name}/errors`, { body: { kind: 'data_error', message: `e${i}` } });

describe('event stream ids and Last-Event-ID', () => {
  it('gives every risk message its journal position as its id, and no other message one', async () => {
    const stream = await open('alpha-1');
    try {
      await stream.waitFor((m) => m.some((x) => x.event === 'status'));
      await error('alpha-1', 1);
      await stream.waitFor(() => stream.risks().length > 0);
      const [risk] = stream.risks();
      expect(risk!.id).toBe(`${risk!.data.at}.${risk!.data.id}`);
      expect(stream.messages.filter((m) => m.event !== 'risk').every((m) => m.id === null)).toBe(true);
    } finally {
      await stream.close();
    }
  });

  it('replays the journal entries after Last-Event-ID, then says so, then the status', async () => {
    const first = await open('beta-2');
    await first.waitFor((m) => m.some((x) => x.event === 'status'));
    for (let i = 0; i < 3; i++) await error('beta-2', i);
    await first.waitFor(() => first.risks().length >= 3);
    await first.close();
    const seen = first.risks();
    const cut = seen[0]!.id!;
    // Missed while away:
    for (let i = 3; i < 6; i++) await error('beta-2', i);
    const journal = (await call(s.url, 'GET', '/api/strategies/beta-2/journal')).body.entries as { id: string; at: number }[];
    const expected = journal.slice(journal.findIndex((e) => `${e.at}.${e.id}` === cut) + 1).map((e) => `${e.at}.${e.id}`);
    expect(expected.length).toBeGreaterThanOrEqual(5);

    const again = await open('beta-2', cut);
    try {
      await again.waitFor((m) => m.some((x) => x.event === 'status'));
      const events = again.messages.map((m) => m.event);
      const resumedAt = events.indexOf('resumed');
      expect(events.slice(0, resumedAt).every((e) => e === 'risk')).toBe(true);
      expect(events.indexOf('status')).toBeGreaterThan(resumedAt);
      expect(again.messages.slice(0, resumedAt).map((m) => m.id)).toEqual(expected);
      expect(again.messages[resumedAt]!.data).toEqual({ from: cut, replayed: expected.length, complete: true });
    } finally {
      await again.close();
    }
  });

  it('loses and repeats nothing when events keep coming while it reconnects', async () => {
    const first = await open('alpha-1');
    await first.waitFor((m) => m.some((x) => x.event === 'status'));
    await error('alpha-1', 100);
    await first.waitFor(() => first.risks().length > 0);
    await first.close();
    const last = first.risks().at(-1)!.id!;
    // Errors recorded on every turn of the event loop while the second stream opens and reads
    // the journal: some are published before the replay is read, some while, some after.
    const rt = s.runtimes.get('alpha-1')!;
    let stop = false;
    let posted = 0;
    const burst = (async () => {
      while (!stop) {
        rt.recordError({ kind: 'broker_error', message: `b${posted++}` });
        await new Promise((r) => setImmediate(r));
      }
    })();
    const again = await open('alpha-1', last);
    await again.waitFor((m) => m.some((x) => x.event === 'resumed'));
    await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await burst;
    await s.runtimes.get('alpha-1')!.flush();
    const journal = (await call(s.url, 'GET', '/api/strategies/alpha-1/journal')).body.entries as { id: string; at: number }[];
    const ids = journal.map((e) => `${e.at}.${e.id}`);
    const expected = ids.slice(ids.indexOf(last) + 1);
    try {
      await again.waitFor(() => again.risks().length >= expected.length);
      const got = again.risks().map((m) => m.id);
      expect(new Set(got).size).toBe(got.length);
      expect(got).toEqual(expected);
      expect(posted).toBeGreaterThan(2);
    } finally {
      await again.close();
    }
  });

  it('says the replay is incomplete for a position the journal does not hold, or a malformed one', async () => {
    for (const header of [`${Date.now() - 60_000}.00000000-0000-0000-0000-000000000000`, 'garbage.\u00e9', '1'.repeat(200)]) {
      const stream = await open('alpha-1', header);
      try {
        await stream.waitFor((m) => m.some((x) => x.event === 'status'));
        const resumed = stream.messages.find((m) => m.event === 'resumed');
        expect(resumed?.data).toMatchObject({ complete: false });
      } finally {
        await stream.close();
      }
    }
  });

  it('parses only well-formed positions', () => {
    expect(parseLastEventId('1700000000000.abc-1')).toEqual({ at: 1700000000000, id: 'abc-1' });
    for (const bad of [undefined, '', 'x.y', '1e3.a', '-1.a', '1.', '.a', '9'.repeat(16) + '.a', `1.${'a'.repeat(65)}`]) expect(parseLastEventId(bad)).toBeNull();
  });

  it('replays from a LevelDB journal after the server and the runtime restarted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-sse-resume-'));
    const boot = async () => {
      const rt = await createRiskRuntime({ strategy: 'kept', breakers: 'moderate', store: { path: dir }, logger: silentLogger });
      const server = await createServer({ strategies: new Map([['kept', rt]]), token: TOKEN, logger: silentLogger, dashboard: false });
      const url = await server.listen({ port: 0 });
      return { rt, url, close: async () => (await server.close(), await rt.stop()) };
    };
    try {
      const first = await boot();
      const stream = await open('kept', undefined, first.url);
      await stream.waitFor((m) => m.some((x) => x.event === 'status'));
      first.rt.recordError({ kind: 'broker_error', message: 'before' });
      await stream.waitFor(() => stream.risks().length > 0);
      const last = stream.risks().at(-1)!.id!;
      await stream.close();
      await first.close();

      const second = await boot();
      second.rt.recordError({ kind: 'broker_error', message: 'after 1' });
      second.rt.recordError({ kind: 'broker_error', message: 'after 2' });
      const again = await open('kept', last, second.url);
      try {
        await again.waitFor((m) => m.some((x) => x.event === 'resumed'));
        const replayed = again.risks().map((m) => m.data.details.message);
        expect(replayed).toEqual(['after 1', 'after 2']);
        expect(again.messages.find((m) => m.event === 'resumed')!.data).toMatchObject({ replayed: 2, complete: true });
      } finally {
        await again.close();
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
