import type { BreakerType } from '../../machines/rules/registry.ts';

/** A trip or halt whose pending orders must be cancelled. */
export interface CancelRequest {
  readonly breaker: BreakerType;
  readonly reason: string;
}

/**
 * The order of one step: validate → evaluate → commit → gate → cancel → persist → notify.
 * Validation, evaluation, commit and the gate happen inside {@link run}; when the outermost
 * step ends, pending cancels go to the broker port, then queued notifications are delivered.
 * A call made from a listener or from the broker port is a step of its own that takes effect
 * (gate, cancel) before it returns; its notifications join the queue behind the ones already
 * being delivered, so every listener sees events in order.
 */
export class StepRunner {
  #depth = 0;
  #draining = false;
  #scheduled = false;
  readonly #cancels: CancelRequest[] = [];
  readonly #notifications: (() => void)[] = [];
  readonly #cancel: (request: CancelRequest) => void;
  readonly #report: (error: unknown) => void;

  constructor(cancel: (request: CancelRequest) => void, report: (error: unknown) => void) {
    this.#cancel = cancel;
    this.#report = report;
  }

  /** Runs `body` as (part of) a step. */
  run<T>(body: () => T): T {
    this.#depth++;
    try {
      return body();
    } finally {
      if (--this.#depth === 0) this.#finish();
    }
  }

  /** True while a step is being evaluated (listeners never run then). */
  get active(): boolean {
    return this.#depth > 0;
  }

  /** Asks for pending orders to be cancelled once this step has committed. */
  cancel(request: CancelRequest): void {
    this.#cancels.push(request);
    if (this.#depth === 0) this.#finishLater();
  }

  /** Queues an outward notification, delivered after the step. */
  notify(deliver: () => void): void {
    this.#notifications.push(deliver);
    if (this.#depth === 0) this.#finishLater();
  }

  /**
   * Outside a step (an actor moved on its own, e.g. an event sent to it directly), XState may
   * still be inside a transition: the broker port and the listeners run once it is done.
   */
  #finishLater(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (this.#depth === 0) this.#finish();
    });
  }

  #finish(): void {
    // The broker port may call back into the runtime: each such call is its own step.
    while (this.#cancels.length > 0) {
      const request = this.#cancels.shift()!;
      try {
        this.#cancel(request);
      } catch (error) {
        this.#report(error);
      }
    }
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#notifications.length > 0) {
        const deliver = this.#notifications.shift()!;
        try {
          deliver();
        } catch (error) {
          this.#report(error);
        }
      }
    } finally {
      this.#draining = false;
    }
  }
}
