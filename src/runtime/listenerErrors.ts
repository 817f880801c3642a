import { config as rxjsConfig } from 'rxjs';
import type { Logger } from '../logger.ts';

const loggers = new Set<Logger>();
let installed: ((error: unknown) => void) | null = null;

/**
 * RxJS reports an error thrown by a subscriber's `next` asynchronously through
 * `config.onUnhandledError`, and by default rethrows it, which ends a Node process. A listener's
 * bug must not take the risk runtime (and every strategy in the process) down: unless the host
 * installed its own handler, breakerbox installs one that logs the error as `listener_failed`.
 * The step that was notifying has completed by then and the other listeners got their events.
 * Returns a function that unregisters the logger.
 */
export function reportListenerErrors(logger: Logger): () => void {
  if (rxjsConfig.onUnhandledError === null || rxjsConfig.onUnhandledError === installed) {
    installed ??= (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      for (const log of loggers) {
        log.error({ event: 'listener_failed', error: message, stack: error instanceof Error ? error.stack : undefined }, 'a listener threw; the runtime went on');
      }
    };
    rxjsConfig.onUnhandledError = installed;
  }
  loggers.add(logger);
  return () => {
    loggers.delete(logger);
  };
}
