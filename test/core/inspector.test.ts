import type { AddressInfo } from 'node:net';
import { createWebSocketInspector } from '@statelyai/inspect';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createRiskRuntime, ManualClock, silentLogger } from '../../src/index.ts';

describe('inspection with @statelyai/inspect', () => {
  it('createWebSocketInspector on a loopback port receives every actor, event and snapshot of the runtime', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    const messages: { type: string; sessionId?: string; event?: { type: string } }[] = [];
    server.on('connection', (socket) => socket.on('message', (data) => messages.push(JSON.parse(String(data)))));
    const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const rt = await createRiskRuntime({ strategy: 'inspected', clock: new ManualClock(), logger: silentLogger, inspect: inspector.inspect });
    rt.updatePortfolio({ value: 1000 });
    rt.halt({ operator: 'ann', reason: 'watching' });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !messages.some((m) => m.type === '@xstate.event' && m.event?.type === 'HALT')) await new Promise((r) => setTimeout(r, 20));
    expect(messages.filter((m) => m.type === '@xstate.actor').length).toBeGreaterThanOrEqual(6); // supervisor + 5 breakers
    expect(messages.some((m) => m.type === '@xstate.event' && m.event?.type === 'HALT')).toBe(true);
    expect(messages.some((m) => m.type === '@xstate.snapshot')).toBe(true);
    inspector.stop();
    await rt.stop();
    await new Promise<void>((r) => server.close(() => r()));
  });
});
