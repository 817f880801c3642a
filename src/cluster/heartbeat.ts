/**
 * Tells a lost quorum from a leader election: the process writes its heartbeat key on its own
 * timer, and any write the bucket acknowledges (a heartbeat, a halt, a lift, a P&L figure) proves
 * that a quorum of its replicas took it. The link counts the bucket down once no write has been
 * acknowledged for the quorum's grace.
 *
 * Why a timer of its own: during an election every write is refused at once (no stream leader
 * to answer: nats.js reports the 503 as `JetStreamNotEnabled`, "jetstream is not enabled"). A
 * heartbeat tried only once per probe waited behind the probe's re-read, which times out during
 * the same election, so writes were tried 3 to 5 s apart and one election could look like 12 s
 * without a write: a quorum lost that never was, and every strategy's `cluster` breaker tripped.
 */
import { systemClock } from '../clock.ts';
import { withDeadline } from './attempts.ts';

/** How soon a refused heartbeat is tried again (ms): an election ends between two tries, not a probe later. */
const RETRY_MS = 250;

export class Heartbeat {
  #lastWrite = systemClock.monotonic();
  #timer: NodeJS.Timeout | null = null;
  #inFlight = false;
  #stopped = false;
  readonly #everyMs: number;
  readonly #attemptMs: number;
  readonly #write: () => Promise<unknown> | null;

  /**
   * `write` writes the heartbeat key, or answers null while there is no connection to write on;
   * it is tried every `everyMs` (sooner after a refusal), each try bounded by `attemptMs`.
   */
  constructor(everyMs: number, attemptMs: number, write: () => Promise<unknown> | null) {
    this.#everyMs = everyMs;
    this.#attemptMs = attemptMs;
    this.#write = write;
  }

  /** When a write last reached a quorum of the bucket (monotonic ms). */
  get lastWrite(): number {
    return this.#lastWrite;
  }

  /** A write to the bucket was acknowledged: a quorum of its replicas has it. */
  wrote(): void {
    this.#lastWrite = systemClock.monotonic();
  }

  /** Starts beating (again, at once: after a reconnect). */
  start(): void {
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#beat(), ms);
    this.#timer.unref?.(); // never what keeps a stopping process alive
  }

  #beat(): void {
    if (this.#inFlight) return this.#schedule(this.#everyMs);
    const pending = this.#write();
    if (pending === null) return this.#schedule(this.#everyMs);
    this.#inFlight = true;
    withDeadline(pending, this.#attemptMs).then(
      () => {
        this.wrote();
        this.#inFlight = false;
        this.#schedule(this.#everyMs);
      },
      () => {
        this.#inFlight = false;
        this.#schedule(Math.min(RETRY_MS, this.#everyMs));
      },
    );
  }
}
