import type { ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import type { RiskRuntime } from '../runtime/runtime.ts';
import type { StateSnapshot } from '../runtime/types.ts';

/** Interval of the `: ping` comment that keeps proxies from closing an idle stream. */
export const SSE_PING_MS = 15_000;

/** Open SSE streams, so a closing server can end them. */
export class SseHub {
  readonly #streams = new Set<() => void>();

  /** Number of open streams. */
  get size(): number {
    return this.#streams.size;
  }

  /**
   * Streams a runtime's status, risk events, decisions, portfolio updates and fills to `res`
   * (`event: <name>` + `data: <json>`). `status` is sent first and after every state change.
   * A congested client drops `decision`, `portfolio` and `fill` messages until the socket drains;
   * `status` and `risk` are never dropped.
   */
  open(rt: RiskRuntime, res: ServerResponse, pingMs = SSE_PING_MS): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders?.();
    let congested = false;
    const write = (event: string, data: unknown, droppable: boolean) => {
      if (res.writableEnded || res.destroyed) return;
      if (droppable && congested) return;
      if (!res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)) congested = true;
    };
    res.on('drain', () => {
      congested = false;
    });
    res.write(': connected\n\n');
    let last = '';
    const sendStatus = (snapshot: StateSnapshot) => {
      const key = `${snapshot.state}|${snapshot.ordersAllowed}|${Object.values(snapshot.breakers).join(',')}`;
      if (key === last) return;
      last = key;
      write('status', rt.status(), false);
    };
    const subs: Subscription[] = [
      rt.state$.subscribe(sendStatus),
      rt.events$.subscribe((event) => write('risk', event, false)),
      rt.decisions$.subscribe((d) => write('decision', d, true)),
      rt.portfolio$.subscribe((p) => write('portfolio', p, true)),
      rt.fills$.subscribe((f) => write('fill', f, true)),
    ];
    const ping = setInterval(() => {
      if (!congested && !res.writableEnded) res.write(': ping\n\n');
    }, pingMs);
    ping.unref();
    const close = () => {
      if (!this.#streams.delete(close)) return;
      clearInterval(ping);
      subs.forEach((s) => s.unsubscribe());
      if (!res.writableEnded) res.end();
    };
    this.#streams.add(close);
    res.on('close', close);
    // A runtime that stops completes its streams: end the response then.
    subs.push(rt.events$.subscribe({ complete: close }));
  }

  /** Ends every open stream. */
  closeAll(): void {
    for (const close of [...this.#streams]) close();
  }
}
