import { connect } from 'node:net';
import { ConfigError } from '../errors.ts';
import type { InspectOption } from '../runtime/host.ts';

/** A running inspector: pass `inspect` to the runtimes, `stop()` when done. */
export interface CliInspector {
  readonly url: string;
  readonly inspect: InspectOption;
  /** Whether the WebSocket to the inspector is open now. */
  connected(): boolean;
  stop(): void;
}

/** Validates `--inspect`: a ws:// or wss:// URL, else a {@link ConfigError} naming the option and the value. */
export function parseInspectUrl(text: string): string {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'ws:' && url.protocol !== 'wss:')) {
    throw new ConfigError([{ path: '--inspect', message: `must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8080 (got ${JSON.stringify(text.slice(0, 200))})` }], 'option');
  }
  return url.href;
}

/** How long to wait for the first connection before saying that none came. */
export const INSPECT_CONNECT_WAIT_MS = 3000;

/**
 * Streams every actor, event and snapshot of the runtimes to a Stately inspector over a
 * WebSocket (`createWebSocketInspector({ url })` of @statelyai/inspect, an optional peer
 * dependency, loaded only when asked for). `report` (default: stderr; null: silent) says when the
 * inspector connected, that none did and why (nothing listening at the URL, …), and every later
 * disconnect and reconnect (@statelyai/inspect itself retries every 5 s and says nothing).
 */
export async function startInspector(text: string, report: ((line: string) => void) | null = (line) => process.stderr.write(`${line}\n`)): Promise<CliInspector> {
  const url = parseInspectUrl(text);
  let mod: typeof import('@statelyai/inspect');
  try {
    mod = await import('@statelyai/inspect');
  } catch {
    throw new ConfigError([{ path: '--inspect', message: 'needs the package @statelyai/inspect: npm install @statelyai/inspect' }], 'option');
  }
  const inspector = mod.createWebSocketInspector({ url });
  // The adapter's connection state (`status`: 'open' | 'closed') is not in its declared type:
  // read it defensively, so a later version without it only loses these reports.
  const adapter: object = inspector.adapter;
  const open = () => Reflect.get(adapter, 'status') === 'open';
  const watch = report ? watchConnection(url, open, report) : null;
  return {
    url,
    inspect: inspector.inspect,
    connected: open,
    stop: () => {
      watch?.stop();
      inspector.stop();
    },
  };
}

/** Reports the connection's changes; after {@link INSPECT_CONNECT_WAIT_MS} without one, why none came. */
function watchConnection(url: string, open: () => boolean, report: (line: string) => void): { stop(): void } {
  let was = false;
  let waited = false;
  const started = Date.now();
  const timer = setInterval(() => {
    const now = open();
    if (now && !was) report(`breakerbox: inspector connected at ${url}: every actor, event and snapshot is streamed there`);
    else if (!now && was) report(`breakerbox: the inspector at ${url} disconnected; retrying every 5 s`);
    else if (!now && !waited && Date.now() - started >= INSPECT_CONNECT_WAIT_MS) {
      waited = true;
      void listening(url).then((why) => {
        if (!open()) report(`breakerbox: no inspector connected at ${url} (${why}); retrying every 5 s: start one (docs/dashboard.md, "Watching in Stately's inspector")`);
      });
    }
    if (now) waited = true;
    was = now;
  }, 200);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Why a WebSocket to `url` did not open, from a plain TCP connection to its host and port. */
function listening(url: string): Promise<string> {
  const { hostname, port, protocol } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port || (protocol === 'wss:' ? 443 : 80)) });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve('something listens there, but it did not accept a WebSocket: not an inspector relay?');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('no answer within 2 s');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ECONNREFUSED' ? 'nothing is listening there' : `cannot connect: ${error.code ?? error.message}`);
    });
  });
}
