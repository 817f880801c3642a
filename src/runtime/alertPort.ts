import type { Observable } from 'rxjs';
import type { AttemptQuery, AttemptRecord } from '../alertAttempts.ts';
import type { DurableEventSink } from './durability.ts';

/**
 * What the runtime needs from its alerts (wired by src/app/alertWiring.ts): a sink that joins the
 * durable batches (an alert leaves only after what it reports is written), the delivery attempts,
 * and a close. The runtime knows nothing of channels, outboxes or the alert manager.
 */
export interface AlertPort {
  readonly sink: DurableEventSink;
  /** Every delivery attempt as it happens; completes on close. */
  readonly attempts$: Observable<AttemptRecord>;
  /** The recorded attempts in a time range. */
  attempts(query?: AttemptQuery): Promise<AttemptRecord[]>;
  /** Sends what a crash left undelivered (at start). */
  resume(): Promise<void>;
  /** Settles what is under way and stops; completes `attempts$`. */
  close(): Promise<void>;
}
