/**
 * One strategy's fan-out to its event-stream clients: one subscription per runtime stream, a
 * queue filled by the listeners and written once per turn of the event loop to every client,
 * and the rules for a congested or too slow client.
 */
import type { ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import type { RiskRuntime } from '../runtime/runtime.ts';
import type { StateSnapshot } from '../runtime/types.ts';
import { viewOf } from './view.ts';
import { lastSnapshot, safeStatus } from './safeStatus.ts';
import type { RiskEvent } from '../events.ts';
import { eventIdOf } from './sseResume.ts';

/** Limits of the event streams. */
export interface SseLimits {
  /** Most streams open at once, over every strategy (default 100); one more is answered 503. */
  readonly maxStreams: number;
  /** Most bytes a client may have waiting in its socket; a client beyond it is dropped (default 1 MiB). */
  readonly maxBufferBytes: number;
  /** Ping interval (ms). */
  readonly pingMs: number;
  /** Heartbeat interval (ms): a `heartbeat` message, the view when it changed and new actor steps. */
  readonly heartbeatMs: number;
}

/** Fewest milliseconds between two `view` messages of a strategy while it is busy. */
const VIEW_MIN_GAP_MS = 250;

/** Queued messages per strategy between two flushes; droppable ones beyond it are dropped. */
const MAX_QUEUE = 2_000;

export interface Client {
  readonly res: ServerResponse;
  close(): void;
  /**
   * Set while a reconnecting client's replay is read from the journal: what the channel would
   * have written to it is kept here instead, and written (without the replayed entries) after it.
   */
  pending?: Frame[] | null;
}

interface Queued {
  readonly event: string;
  readonly data: unknown;
  readonly droppable: boolean;
  /** The SSE id (a risk event's journal position), or null. */
  readonly id: string | null;
}

/** One serialised message. */
export interface Frame {
  readonly text: string;
  readonly droppable: boolean;
  /** The SSE id it carries (risk events only), for leaving out what a replay already sent. */
  readonly id: string | null;
}

/**
 * One strategy's fan-out. It holds ONE subscription per stream of the runtime, whatever the
 * number of clients; a listener only queues the item (O(1), no serialisation, no I/O), and
 * the queue is serialised once and written to every client on a later turn of the event loop
 * (`setImmediate`). So a trip's cancel is never delayed by the clients, however many or slow.
 */
export class Channel {
  readonly clients = new Set<Client>();
  readonly #rt: RiskRuntime;
  readonly #limits: SseLimits;
  readonly #onDrop: (reason: string) => void;
  #subs: Subscription[] = [];
  #queue: Queued[] = [];
  #statusDirty = false;
  #lastStatusKey = '';
  #scheduled: NodeJS.Immediate | null = null;
  #viewDirty = false;
  #viewTimer: NodeJS.Timeout | null = null;
  #lastViewAt = 0;
  #lastViewText = '';
  #traceSeq = 0;
  dropped = 0;

  constructor(rt: RiskRuntime, limits: SseLimits, onDrop: (reason: string) => void) {
    this.#rt = rt;
    this.#limits = limits;
    this.#onDrop = onDrop;
  }

  add(client: Client): void {
    this.clients.add(client);
    if (this.#subs.length > 0) return;
    const rt = this.#rt;
    // The new client was just sent the status: only a change from here on is news.
    const now = lastSnapshot(rt);
    this.#lastStatusKey = now ? statusKey(now) : '';
    // A resuming first client is added before its opening is written: new steps count from here.
    if (client.pending) this.#traceSeq = rt.actorTrace(0).at(-1)?.seq ?? 0;
    this.#subs = [
      rt.state$.subscribe((s) => {
        const key = statusKey(s);
        if (key === this.#lastStatusKey) return;
        this.#lastStatusKey = key;
        this.#statusDirty = true;
        this.#schedule();
      }),
      rt.events$.subscribe({ next: (event: RiskEvent) => this.#push('risk', event, false, eventIdOf(event)), complete: () => this.closeAll() }),
      rt.decisions$.subscribe((d) => this.#push('decision', d, true)),
      rt.portfolio$.subscribe((p) => this.#push('portfolio', p, true)),
      rt.fills$.subscribe((f) => this.#push('fill', f, true)),
    ];
  }

  remove(client: Client): void {
    this.clients.delete(client);
    if (this.clients.size > 0) return;
    this.#subs.forEach((s) => s.unsubscribe());
    this.#subs = [];
    this.#queue = [];
    this.#statusDirty = false;
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    if (this.#viewTimer) clearTimeout(this.#viewTimer);
    this.#viewTimer = null;
  }

  /** What a new client is sent first: the view and the actors' recent steps. */
  opening(): string {
    const view = frame('view', viewOf(this.#rt)) ?? '';
    const steps = this.#rt.actorTrace(0);
    if (this.clients.size === 0) this.#traceSeq = steps.at(-1)?.seq ?? 0;
    return view + (steps.length > 0 ? (frame('trace', steps) ?? '') : '');
  }

  /** The heartbeat: `heartbeat`, the view when it changed (windows drain, ages grow) and new actor steps. */
  beat(): void {
    const text = (frame('heartbeat', { at: Date.now() }) ?? '') + this.#viewFrame(false) + this.#traceFrame();
    for (const client of [...this.clients]) if (!client.pending) write(client, text, text, this.#limits, this.#onDrop);
  }

  /**
   * Ends a reconnecting client's wait: writes `head` (the replay, status and opening), then what
   * was kept for it meanwhile, without the risk events the replay already carried.
   */
  goLive(client: Client, head: string, replayed: ReadonlySet<string>): void {
    // Events published before the journal was read may still wait in the queue: flush them
    // into `pending` now, so the ones the replay carried are left out too.
    if (this.#scheduled) {
      clearImmediate(this.#scheduled);
      this.#flush();
    }
    const kept = client.pending ?? [];
    client.pending = null;
    let text = head;
    for (const f of kept) if (f.id === null || !replayed.has(f.id)) text += f.text;
    write(client, text, text, this.#limits, this.#onDrop);
  }

  /** A `view` frame when the view changed (or always, when forced), else ''. */
  #viewFrame(force: boolean): string {
    this.#viewDirty = false;
    this.#lastViewAt = Date.now();
    let text: string;
    try {
      text = JSON.stringify(viewOf(this.#rt));
    } catch {
      return '';
    }
    if (!force && text === this.#lastViewText) return '';
    this.#lastViewText = text;
    return `event: view\ndata: ${text}\n\n`;
  }

  #traceFrame(): string {
    const steps = this.#rt.actorTrace(this.#traceSeq);
    if (steps.length === 0) return '';
    this.#traceSeq = steps.at(-1)!.seq;
    return frame('trace', steps) ?? '';
  }

  closeAll(): void {
    for (const c of [...this.clients]) c.close();
  }

  #push(event: string, data: unknown, droppable: boolean, id: string | null = null): void {
    if (droppable && this.#queue.length >= MAX_QUEUE) {
      this.dropped++;
      return;
    }
    this.#queue.push({ event, data, droppable, id });
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = null;
    const items = this.#queue;
    this.#queue = [];
    let all = '';
    let essential = '';
    const frames: Frame[] = [];
    for (const item of items) {
      const text = frame(item.event, item.data, item.id);
      if (text === null) continue;
      all += text;
      if (!item.droppable) essential += text;
      frames.push({ text, droppable: item.droppable, id: item.id });
    }
    if (this.#statusDirty) {
      this.#statusDirty = false;
      const text = frame('status', safeStatus(this.#rt));
      if (text !== null) {
        all += text;
        essential += text;
      }
    }
    if (items.length > 0 || this.#viewDirty) {
      const wait = VIEW_MIN_GAP_MS - (Date.now() - this.#lastViewAt);
      if (wait <= 0) {
        const view = this.#viewFrame(false) + this.#traceFrame();
        all += view;
        essential += view;
      } else {
        this.#viewDirty = true;
        this.#viewTimer ??= setTimeout(() => {
          this.#viewTimer = null;
          this.#schedule();
        }, wait);
      }
    }
    if (all === '') return;
    for (const client of [...this.clients]) {
      if (client.pending) client.pending.push(...frames, ...tail(all, frames));
      else write(client, all, essential, this.#limits, this.#onDrop);
    }
  }
}

const statusKey = (s: StateSnapshot): string => `${s.state}|${s.ordersAllowed}|${Object.values(s.breakers).join(',')}`;

/** What `all` holds after the queued frames (status, view, trace), as one frame. */
const tail = (all: string, frames: readonly Frame[]): Frame[] => {
  const queued = frames.reduce((n, f) => n + f.text.length, 0);
  return all.length > queued ? [{ text: all.slice(queued), droppable: false, id: null }] : [];
};

/** `[id: <id>\n]event: <name>\ndata: <json>\n\n`, or null when the data cannot be serialised. */
export function frame(event: string, data: unknown, id: string | null = null): string | null {
  try {
    const json = JSON.stringify(data);
    return json === undefined ? null : `${id === null ? '' : `id: ${id}\n`}event: ${event}\ndata: ${json}\n\n`;
  } catch {
    return null;
  }
}

/** Writes to one client: only status and risk messages while it is congested; drops it past the buffer bound. */
function write(client: Client, all: string, essential: string, limits: SseLimits, onDrop: (reason: string) => void): void {
  const res = client.res;
  if (res.writableEnded || res.destroyed) return client.close();
  const congested = res.writableNeedDrain;
  const text = congested ? essential : all;
  if (text === '') return;
  try {
    res.write(text);
  } catch {
    return client.close();
  }
  if (res.writableLength > limits.maxBufferBytes) {
    onDrop(`client buffer above ${limits.maxBufferBytes} bytes`);
    client.close();
    res.destroy();
  }
}
