/**
 * `--inspect`: the CLI says whether a Stately inspector connected, and why not when none did —
 * against a real WebSocket server on loopback (the relay's part), not a mock.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createActor, createMachine } from 'xstate';
import { startInspector, type CliInspector } from '../../src/cli/inspect.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function inspectorAt(url: string): Promise<{ inspector: CliInspector; lines: string[] }> {
  const lines: string[] = [];
  const inspector = await startInspector(url, (line) => lines.push(line));
  cleanups.push(() => inspector.stop());
  return { inspector, lines };
}

describe('--inspect reports the connection', () => {
  it('says when the inspector connected (events reach it), and when it went away', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    const received: string[] = [];
    wss.on('connection', (ws) => ws.on('message', (data) => received.push(String(data))));
    const { inspector, lines } = await inspectorAt(url);
    await expect.poll(() => lines, { timeout: 10_000 }).toEqual([`breakerbox: inspector connected at ${url}/: every actor, event and snapshot is streamed there`]);
    expect(inspector.connected()).toBe(true);

    const actor = createActor(createMachine({ id: 'probe', initial: 'a', states: { a: { on: { GO: 'b' } }, b: {} } }), { inspect: inspector.inspect }).start();
    actor.send({ type: 'GO' });
    await expect.poll(() => received.some((m) => m.includes('"GO"')), { timeout: 10_000 }).toBe(true);

    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await expect.poll(() => lines.at(-1), { timeout: 10_000 }).toBe(`breakerbox: the inspector at ${url}/ disconnected; retrying every 5 s`);
    expect(inspector.connected()).toBe(false);
  });

  it('says so when nothing is listening at the URL (within a few seconds, not silently)', async () => {
    const url = `ws://127.0.0.1:${await freePort()}`;
    const { inspector, lines } = await inspectorAt(url);
    await expect.poll(() => lines, { timeout: 10_000 }).toEqual([
      `breakerbox: no inspector connected at ${url}/ (nothing is listening there); retrying every 5 s: start one (docs/dashboard.md, "Watching in Stately's inspector")`,
    ]);
    expect(inspector.connected()).toBe(false);
  });

  it('says when something listens but is no WebSocket server', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const plain = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined); // the client may reset first
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      plain.close(resolve);
    }));
    const url = `ws://127.0.0.1:${(plain.address() as { port: number }).port}`;
    const { lines } = await inspectorAt(url);
    await expect.poll(() => lines.join('\n'), { timeout: 10_000 }).toContain('something listens there, but it did not accept a WebSocket');
  });
});
