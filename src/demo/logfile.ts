import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../logger.ts';

/** A JSON logger writing to `<dir>/breakerbox.log`, with a way to flush it at exit. */
export function fileLogger(dir: string, level = process.env.BREAKERBOX_LOG_LEVEL ?? 'info'): { logger: Logger; file: string; close(): void } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'breakerbox.log');
  const destination = pino.destination({ dest: file, sync: false, mkdir: true });
  const logger = pino({ level, base: { app: 'breakerbox', component: 'demo' } }, destination);
  return {
    logger,
    file,
    close() {
      try {
        destination.flushSync();
      } catch {
        // Not yet open or already closed: nothing to flush.
      }
      destination.end();
    },
  };
}
