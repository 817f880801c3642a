/**
 * The strategies' event streams (`GET /api/strategies/:name/events`): capped in number, one
 * fan-out per strategy (sseChannel.ts), pings for proxies and heartbeats for the dashboard.
 */
import type { ServerResponse } from 'node:http';
import type { RiskRuntime } from '../runtime/runtime.ts';
import { safeStatus } from './safeStatus.ts';
import { Channel, frame, type Client, type SseLimits } from './sseChannel.ts';
import { eventIdOf, parseLastEventId, replayAfter } from './sseResume.ts';

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
   *
   * Every `risk` message carries its journal position as its `id:`. A request with a
   * `Last-Event-ID` (EventSource sends it when it reconnects) is first sent the journal entries
   * after that position, then a `resumed` message `{ from, replayed, complete }`, then the usual
   * opening; what happens while the journal is read is written after it, never twice.
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
    const header = res.req?.headers['last-event-id'];
    const resumeFrom = header === undefined ? undefined : parseLastEventId(header);
    let channel = this.#channels.get(rt);
    if (!channel) {
      channel = new Channel(rt, this.#limits, () => this.droppedClients++);
      this.#channels.set(rt, channel);
    }
    const ch = channel;
    if (resumeFrom === undefined) {
      res.write(': connected\n\n');
      res.write(frame('status', safeStatus(rt)) ?? '');
      res.write(ch.opening());
    }
    const client: Client = {
      res,
      pending: resumeFrom === undefined ? null : [],
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
    if (resumeFrom !== undefined) void this.#resume(rt, ch, client, resumeFrom === null ? null : { ...resumeFrom }, typeof header === 'string' ? header.slice(0, 80) : null);
    return true;
  }

  /** Replays the journal after the client's last event, then lets it go live (docs/api.md). */
  async #resume(rt: RiskRuntime, ch: Channel, client: Client, from: { at: number; id: string } | null, raw: string | null): Promise<void> {
    const replay = from === null ? { events: [], complete: false } : await replayAfter(rt, from);
    if (!this.#streams.has(client)) return;
    const ids = new Set<string>();
    let head = ': connected\n\n';
    for (const event of replay.events) {
      const id = eventIdOf(event);
      ids.add(id);
      head += frame('risk', event, id) ?? '';
    }
    head += frame('resumed', { from: raw, replayed: replay.events.length, complete: replay.complete }) ?? '';
    head += (frame('status', safeStatus(rt)) ?? '') + ch.opening();
    ch.goLive(client, head, ids);
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
