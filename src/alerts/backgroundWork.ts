import { errorText } from './channels/channel.ts';
import type { AlertLogger } from './types.ts';

/**
 * The alert manager's fire-and-forget promises (outbox writes, digests, pruning), kept so that
 * `settled()` and `close()` can wait for them. A failure is logged, never thrown to anyone.
 */
export class BackgroundWork {
  readonly #work = new Set<Promise<unknown>>();
  readonly #logger: AlertLogger;
  readonly #scrub: (text: string) => string;

  constructor(logger: AlertLogger, scrub: (text: string) => string) {
    this.#logger = logger;
    this.#scrub = scrub;
  }

  /** Promises still running. */
  get pending(): Promise<unknown>[] {
    return [...this.#work];
  }

  /** Keeps `promise` until it settles; logs its failure. */
  track<T>(promise: Promise<T>): void {
    const p = promise.catch((err: unknown) => this.#logger.warn({ err: this.#scrub(errorText(err)) }, 'alerts: background task failed'));
    this.#work.add(p);
    void p.finally(() => this.#work.delete(p));
  }
}
