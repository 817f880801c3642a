/**
 * Bounded attempts against the cluster: a probe or read raced against a deadline (abandoned, never
 * left hanging), and an operator's write retried within a budget, failing over between servers,
 * that ends in a ClusterUnavailable (503), never a raw client error.
 */
import { ClusterUnavailable } from './bucketWrite.ts';

/** A probe or re-read that did not answer in time (internal: it is retried, never thrown out). */
export class AttemptAbandoned extends Error {}

/** Reads answer but no write reaches a quorum (internal): the bucket is down since `since` (monotonic ms). */
export class QuorumLost extends Error {
  constructor(
    message: string,
    readonly since: number,
  ) {
    super(message);
  }
}

/** Races an attempt against `ms`; a late failure of an abandoned one is expected, not unhandled. */
export async function withDeadline<T>(attempt: Promise<T>, ms: number): Promise<T> {
  attempt.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptAbandoned(`no answer from the cluster within ${ms} ms`)), ms);
    timer.unref?.(); // as the probe timer: never what keeps a stopping process alive
  });
  try {
    return await Promise.race([attempt, abandoned]);
  } finally {
    clearTimeout(timer);
  }
}

/** What {@link retryWithin} needs to know about the link. */
export interface RetryOptions {
  /** What is being done, for the error's message ("setting the halt at firm"). */
  readonly what: string;
  readonly budgetMs: number;
  readonly servers: readonly string[];
  /** True once the link is closed: no further try. */
  readonly stopped: () => boolean;
}

/**
 * Runs `once` until it succeeds or `budgetMs` has passed (the client fails over to another
 * server; JetStream elects a new leader); `once` returns null while there is no connection to
 * try on. A ClusterUnavailable thrown by `once` ends it at once.
 */
export async function retryWithin<T>(options: RetryOptions, once: () => Promise<T> | null): Promise<T> {
  const end = performance.now() + options.budgetMs;
  let last: unknown = null;
  for (let attempt = 0; ; attempt++) {
    if (options.stopped()) break;
    try {
      const pending = once();
      if (pending !== null) return await pending;
    } catch (error) {
      if (error instanceof ClusterUnavailable) throw error;
      last = error;
    }
    if (performance.now() + 250 > end) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, 50 * (attempt + 1))));
  }
  const why = last === null ? 'not connected' : (last as Error).message;
  // A write the cluster took but could not confirm (no quorum) is applied once a quorum is back: say so.
  throw new ClusterUnavailable(
    `${options.what}: the cluster (${options.servers.join(', ')}) did not answer within ${options.budgetMs / 1000} s (${why}); ` +
      'a write sent meanwhile may still take effect once a quorum is back: check `firm status` before repeating it',
  );
}
