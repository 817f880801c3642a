import { pino } from 'pino';

/** The logging surface the runtime uses: pino-compatible structured JSON logging. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** JSON logs to stderr at `BREAKERBOX_LOG_LEVEL` (default `info`). */
export function createDefaultLogger(): Logger {
  return pino({ level: process.env.BREAKERBOX_LOG_LEVEL ?? 'info', base: { app: 'breakerbox' } }, pino.destination(2));
}

/** A logger that keeps every entry in memory (for tests and the demo). */
export function createMemoryLogger(): Logger & { entries: { level: string; msg?: string; [key: string]: unknown }[] } {
  const entries: { level: string; msg?: string; [key: string]: unknown }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, ...obj, msg });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
