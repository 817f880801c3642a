import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { ApiClient, DEFAULT_URL } from './client.ts';

/** Options every API command accepts. */
export interface ConnectionOptions {
  readonly url: string;
  readonly token?: string;
}

/** Adds `--url` and `--token` (with their environment fallbacks) to a command. */
export function withConnection(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'breakerbox API address').env('BREAKERBOX_URL').default(DEFAULT_URL))
    .addOption(new Option('--token <token>', 'API bearer token (needed to change state)').env('BREAKERBOX_TOKEN'));
}

/** A client for the parsed connection options. */
export function clientFor(options: ConnectionOptions): ApiClient {
  return new ApiClient(options.url, options.token);
}

/** The default operator name: $USER, else the OS account name. */
export function defaultOperator(): string {
  const fromEnv = process.env.USER ?? process.env.USERNAME;
  if (fromEnv && fromEnv.trim()) return fromEnv.trim();
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

/** Parses `--since`/`--until`: ISO time, ms since the epoch, or a duration ago (`30s`, `15m`, `2h`, `1d`). */
export function parseInstant(text: string, now = Date.now()): string | null {
  const rel = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/i.exec(text.trim());
  if (rel) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86_400e3 }[rel[2]!.toLowerCase() as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(rel[1]) * unit).toISOString();
  }
  if (/^\d+$/.test(text.trim())) return text.trim();
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
