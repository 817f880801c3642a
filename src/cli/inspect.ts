import { ConfigError } from '../errors.ts';
import type { InspectOption } from '../runtime/host.ts';

/** A running inspector: pass `inspect` to the runtimes, `stop()` when done. */
export interface CliInspector {
  readonly url: string;
  readonly inspect: InspectOption;
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

/**
 * Streams every actor, event and snapshot of the runtimes to a Stately inspector over a
 * WebSocket (`createWebSocketInspector({ url })` of @statelyai/inspect, an optional peer
 * dependency, loaded only when asked for).
 */
export async function startInspector(text: string): Promise<CliInspector> {
  const url = parseInspectUrl(text);
  let mod: typeof import('@statelyai/inspect');
  try {
    mod = await import('@statelyai/inspect');
  } catch {
    throw new ConfigError([{ path: '--inspect', message: 'needs the package @statelyai/inspect: npm install @statelyai/inspect' }], 'option');
  }
  const inspector = mod.createWebSocketInspector({ url });
  return { url, inspect: inspector.inspect, stop: () => inspector.stop() };
}
