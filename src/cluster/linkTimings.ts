/**
 * How often the link probes and how long it waits, all derived from the cluster's heartbeat
 * timeout (seconds), so that a lost link or quorum is noticed within it and an election is not.
 */

/** The link's waits, in ms. */
export interface LinkTimings {
  /** How often the bucket is probed (and a lost sync retried): a quarter of the heartbeat timeout, 100 ms to 1 s. */
  readonly probeMs: number;
  /** Each JetStream request's own timeout. */
  readonly requestMs: number;
  /** How long one probe or re-read may take before it is abandoned and retried. */
  readonly attemptMs: number;
  /** How long a write asked for by an operator is retried, failing over between servers: a leader election takes up to about 10 s. */
  readonly writeBudgetMs: number;
  /**
   * How long the bucket may take no write while its replicas answer reads before it counts as
   * down: a leader election after a node dies takes up to about 10 s and loses nothing; longer,
   * the quorum is gone.
   */
  readonly quorumGraceMs: number;
}

/** The link's waits for a heartbeat timeout of `heartbeatTimeout` seconds. */
export function linkTimings(heartbeatTimeout: number): LinkTimings {
  const probeMs = Math.min(1000, Math.max(100, (heartbeatTimeout * 1000) / 4));
  const requestMs = Math.max(500, probeMs * 2);
  return {
    probeMs,
    requestMs,
    attemptMs: Math.max(2000, requestMs * 4),
    writeBudgetMs: Math.max(10_000, heartbeatTimeout * 1000),
    quorumGraceMs: Math.max(12_000, heartbeatTimeout * 1000),
  };
}
