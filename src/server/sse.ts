/**
 * The strategies' event streams (`GET /api/strategies/:name/events`): capped in number, one
 * fan-out per strategy (sseChannel.ts), pings for proxies and heartbeats for the dashboard.
 */
import type { ServerResponse } from 'node:http';
import type { RiskRuntime } from '../runtime/runtime.ts';
import { safeStatus } from './safeStatus.ts';
import { Channel, frame, type Client, type SseLimits } from './sseChannel.ts';

export type { SseLimits } from './sseChannel.ts';

/** Interval of the `: ping` comment that keeps proxies from closing an idle stream. */
export const SSE_PING_MS = 15_000;

/** Interval of the `heartbeat` message (server → page): a page that misses two knows it is cut off. */
export const SSE_HEARTBEAT_MS = 1_000;

export const DEFAULT_SSE_LIMITS: SseLimits = { maxStreams: 100, maxBufferBytes: 1_048_576, pingMs: SSE_PING_MS, heartbeatMs: SSE_HEARTBEAT_MS };

/** Open SSE streams: capped in number, one fan-out per strategy, writes off the runtime's path. */
export class SseHub {
  readonly #limits: SseLimits;
  readonly #channels = new Map<RiskRuntime, Channel>();
  readonly #streams = new Set<Client>();
  #ping: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  /** Clients dropped for being too slow (since start). */
  droppedClients = 0;

  constructor(limits: Partial<SseLimits> = {}) {
    this.#limits = { ...DEFAULT_SSE_LIMITS, ...limits };
  }

  /** Number of open streams. */
  get size(): number {
    return this.#streams.size;
  }

  get limits(): SseLimits {
    return this.#limits;
  }

  /** Whether one more stream may be opened. */
  hasRoom(): boolean {
    return this.#streams.size < this.#limits.maxStreams;
  }

  /**
   * Streams a runtime's status, risk events, decisions, portfolio updates and fills to `res`
   * (`event: <name>` + `data: <json>`). `status` is sent first and after every state change.
   * The dashboard's `view` (every derived fact, computed here) follows `status` on open, after
   * activity (at most every 250 ms) and with the `heartbeat` (every second) when it changed;
   * `trace` carries the actors' new steps for the inspector.
   * A congested client misses `decision`, `portfolio` and `fill` messages until its socket
   * drains; `status` and `risk` are never skipped — a client whose buffer passes the bound is
   * dropped instead (it reconnects and gets a fresh status). Returns false (writing nothing)
   * when the cap is reached.
   */
  open(rt: RiskRuntime, res: ServerResponse): boolean {
    if (!this.hasRoom()) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders?.();
    res.write(': connected\n\n');
    res.write(frame('status', safeStatus(rt)) ?? '');
    let channel = this.#channels.get(rt);
    if (!channel) {
      channel = new Channel(rt, this.#limits, () => this.droppedClients++);
      this.#channels.set(rt, channel);
    }
    const ch = channel;
    res.write(ch.opening());
    const client: Client = {
      res,
      close: () => {
        if (!this.#streams.delete(client)) return;
        ch.remove(client);
        if (ch.clients.size === 0) this.#channels.delete(rt);
        if (this.#streams.size === 0 && this.#ping) {
          clearInterval(this.#ping);
          this.#ping = null;
        }
        if (this.#streams.size === 0 && this.#heartbeat) {
          clearInterval(this.#heartbeat);
          this.#heartbeat = null;
        }
        if (!res.writableEnded) res.end();
      },
    };
    this.#streams.add(client);
    ch.add(client);
    res.on('close', client.close);
    res.on('error', client.close);
    this.#ping ??= setInterval(() => this.#pingAll(), this.#limits.pingMs);
    this.#ping.unref();
    this.#heartbeat ??= setInterval(() => {
      for (const c of [...this.#channels.values()]) c.beat();
    }, this.#limits.heartbeatMs);
    this.#heartbeat.unref();
    return true;
  }

  #pingAll(): void {
    for (const client of [...this.#streams]) {
      const res = client.res;
      if (!res.writableNeedDrain && !res.writableEnded) res.write(': ping\n\n');
    }
  }

  /** Ends every open stream. */
  closeAll(): void {
    for (const client of [...this.#streams]) client.close();
  }
}
