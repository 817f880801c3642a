import type { CancelTimer, Clock } from '../clock.ts';
import type { BackgroundWork } from './backgroundWork.ts';
import { errorText } from './channels/channel.ts';
import type { AlertOutbox } from './outbox.ts';
import type { AlertLogger } from './types.ts';

/** How often the outbox is pruned (clock ms). */
const PRUNE_EVERY_MS = 3_600_000;

/** What {@link OutboxPruner} needs. */
export interface OutboxPrunerOptions {
  readonly outbox: AlertOutbox;
  /** How long settled entries and attempt records are kept (clock ms). */
  readonly retentionMs: number;
  readonly clock: Clock;
  readonly logger: AlertLogger;
  readonly scrub: (text: string) => string;
  readonly work: BackgroundWork;
  /** Whether the manager is closed (pruning stops then). */
  readonly isClosed: () => boolean;
}

/** Deletes old settled outbox entries and attempt records, now and then every hour of the clock. */
export class OutboxPruner {
  readonly #options: OutboxPrunerOptions;
  #timer: CancelTimer | null = null;

  constructor(options: OutboxPrunerOptions) {
    this.#options = options;
  }

  /** Prunes entries older than the retention; returns how many were deleted (0 when pruning failed, which is logged). */
  async prune(): Promise<number> {
    const { outbox, retentionMs, clock, logger, scrub } = this.#options;
    const before = clock.now() - retentionMs;
    try {
      const n = await outbox.prune(before);
      if (n > 0) logger.info({ pruned: n, before: new Date(before).toISOString() }, 'alerts: outbox pruned');
      return n;
    } catch (err) {
      logger.warn({ err: scrub(errorText(err)) }, 'alerts: outbox prune failed');
      return 0;
    }
  }

  /** Prunes after `delayMs`, then every hour, until {@link cancel} or close. */
  schedule(delayMs: number): void {
    const { clock, work, isClosed } = this.#options;
    if (isClosed()) return;
    this.#timer?.();
    this.#timer = clock.setTimer(() => {
      this.#timer = null;
      if (isClosed()) return;
      work.track(this.prune().then(() => this.schedule(PRUNE_EVERY_MS)));
    }, delayMs);
  }

  /** Stops the schedule. */
  cancel(): void {
    this.#timer?.();
    this.#timer = null;
  }
}
