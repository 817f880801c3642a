import { ChartKind, Observes, type BreakerRule, type Evidence, type Json, type Tracker } from './rule.ts';

/** What a process does to its strategies when it loses the cluster for longer than the heartbeat timeout. */
export type OnDisconnect = 'halt' | 'reduceOnly';

/** The cluster breaker's figures: the link as this process sees it and the halts in scope. */
export interface ClusterFigures {
  firm: string;
  desk: string;
  link: 'up' | 'down';
  bucket: 'up' | 'down';
  /** Whether the firm's halts have been read since start. */
  synced: boolean;
  downForMs: number;
  heartbeatTimeout: number;
  onDisconnect: 'halt' | 'reduceOnly';
  lagMs: number | null;
  /** The most senior halt in scope: its scope, operator and reason (null when none). */
  scope: string | null;
  operator: string | null;
  reason: string | null;
  halts: { scope: string; operator: string; reason: string; at: string }[];
}

/** The cluster breaker's settings (from the process-wide `cluster` option). */
export interface ClusterSettings {
  readonly firm: string;
  readonly desk: string;
  /** Seconds the link or the bucket may be unreachable before the breaker trips. */
  readonly heartbeatTimeout: number;
  readonly onDisconnect: OnDisconnect;
}

/** A halt set at a scope that covers this strategy, as read from the firm's bucket. */
export interface ScopedHalt {
  /** `firm`, `desk/<name>` or `strategy/<name>`. */
  readonly scope: string;
  readonly operator: string;
  readonly reason: string;
  /** When it was set (ms, the setter's clock). */
  readonly at: number;
  /** The bucket revision of the halt (lifts compare and swap on it). */
  readonly revision: number;
}

/**
 * The cluster breaker's figures for one strategy: the link and bucket as the process last saw
 * them, and the halts in scope. Written by the runtime's cluster member (plain data, like a
 * window's counts); the chart's guards decide from the evidence built here.
 */
export class ClusterTracker implements Tracker {
  readonly settings: ClusterSettings;
  linkUp = false;
  bucketUp = false;
  /** Since when the link or the bucket has been unreachable (ms), or null while both are up. */
  downSince: number | null = null;
  /** Whether the halts have been read from the bucket at least once since start. */
  synced = false;
  halts: readonly ScopedHalt[] = [];
  /** The last measured lag of a bucket round trip (ms). */
  lagMs: number | null = null;
  /**
   * A firm record this strategy's firm-wide controls cannot do without failed validation (a
   * P&L figure of the firm's daily loss, a halt in scope): the breaker fails closed naming it.
   */
  invalid: { readonly key: string; readonly problem: string } | null = null;

  constructor(settings: ClusterSettings) {
    this.settings = settings;
  }

  /** Records the link's state; returns whether it changed. */
  setLink(linkUp: boolean, bucketUp: boolean, now: number): boolean {
    const before = this.up;
    this.linkUp = linkUp;
    this.bucketUp = bucketUp;
    if (this.up) this.downSince = null;
    else this.downSince ??= now;
    return before !== this.up;
  }

  get up(): boolean {
    return this.linkUp && this.bucketUp;
  }

  /** The most senior halt in scope (firm, then desk, then strategy), or null. */
  get senior(): ScopedHalt | null {
    const rank = (h: ScopedHalt) => (h.scope === 'firm' ? 0 : h.scope.startsWith('desk/') ? 1 : 2);
    return [...this.halts].sort((a, b) => rank(a) - rank(b) || a.at - b.at)[0] ?? null;
  }

  figures(now: number): Evidence {
    const senior = this.senior;
    return {
      firm: this.settings.firm,
      desk: this.settings.desk,
      link: this.linkUp ? 'up' : 'down',
      bucket: this.bucketUp ? 'up' : 'down',
      synced: this.synced,
      downForMs: this.downSince === null ? 0 : Math.max(0, now - this.downSince),
      heartbeatTimeout: this.settings.heartbeatTimeout,
      onDisconnect: this.settings.onDisconnect,
      lagMs: this.lagMs,
      scope: senior?.scope ?? null,
      operator: senior?.operator ?? null,
      reason: senior?.reason ?? null,
      halts: this.halts.map((h) => ({ scope: h.scope, operator: h.operator, reason: h.reason, at: new Date(h.at).toISOString() })),
      ...(this.invalid ? { invalidRecord: this.invalid.key } : {}),
    };
  }

  tripEvidence(now: number): Evidence {
    return {
      linkUp: this.linkUp,
      bucketUp: this.bucketUp,
      downForMs: this.downSince === null ? 0 : Math.max(0, now - this.downSince),
      timeoutMs: this.settings.heartbeatTimeout * 1000,
      onDisconnect: this.settings.onDisconnect,
      ...(this.invalid ? { invalidRecord: this.invalid.key, invalidProblem: this.invalid.problem } : {}),
    };
  }

  recheckEvidence(now: number): Evidence {
    return { ...this.tripEvidence(now), halts: this.halts.length, scopes: this.halts.map((h) => h.scope) };
  }

  rebaseline(): void {}

  /** Nothing to save: the bucket is the record of halts, and the link is read live. */
  save(): Json {
    return null;
  }

  load(): void {}
}

const down = (e: Evidence): boolean => e.linkUp !== true || e.bucketUp !== true;
const invalid = (e: Evidence): boolean => typeof e.invalidRecord === 'string';

/** The cluster breaker's rule: the link's heartbeat and the firm's scoped halts. */
export const clusterRule = {
  kind: 'cluster' as const,
  name: 'CLUSTER' as const,
  chart: ChartKind.CLUSTER,
  observes: [Observes.CLUSTER],
  // Configured by the process-wide `cluster` option, not under `breakers`.
  settings: null,
  alwaysOn: false,
  recordSince: 2,
  track: (settings: ClusterSettings) => new ClusterTracker(settings),
  /**
   * Trips when the link or the bucket has been unreachable for the heartbeat timeout (reaching
   * it trips), or at once when a firm record it needs is invalid (fail closed).
   */
  tripHolds: (e: Evidence) => invalid(e) || (down(e) && Number(e.downForMs) >= Number(e.timeoutMs)),
  /** A lift passes only when no halt is left in scope. */
  recheck: (e: Evidence) =>
    Number(e.halts ?? 0) === 0 ? { passed: true, reason: null } : { passed: false, reason: `still halted at ${String((e.scopes as Json[] | undefined)?.join(', ') ?? 'another scope')}` },
  /** Recovers once link and bucket are back, no halt is set and no record it needs is invalid. */
  cleared: (e: Evidence) => !down(e) && !invalid(e) && Number(e.halts ?? 0) === 0,
  describe: (e: Evidence) =>
    e.reason !== undefined && e.operator !== undefined
      ? String(e.reason)
      : invalid(e)
        ? `cluster_record_invalid: firm record ${String(e.invalidRecord)} is invalid (${String(e.invalidProblem)}); failing closed until it is fixed or removed`
        : `cluster ${e.linkUp === true ? 'bucket' : 'link'} unreachable for ${(Number(e.downForMs) / 1000).toFixed(1)}s (heartbeatTimeout ${Number(e.timeoutMs) / 1000}s)`,
  resetEffects: (f: Evidence): readonly string[] =>
    f.scope
      ? [`Halted at ${String(f.scope)}: a local reset is refused; lift it with a two-step reset at that scope (breakerbox firm reset).`]
      : ['Recovers by itself once the link and the bucket are back and no halt is set; nothing is re-baselined.'],
  words: {
    label: 'Firm (cluster)',
    shout: 'CLUSTER',
    view: (f: ClusterFigures) => ({
      figure: f.scope ? `halted at ${f.scope}` : f.link === 'up' && f.bucket === 'up' ? 'connected' : 'link down',
      details: [
        `firm ${f.firm}, desk ${f.desk}: link ${f.link}, bucket ${f.bucket}${f.lagMs === null ? '' : `, lag ${f.lagMs.toFixed(1)} ms`}`,
        ...f.halts.map((x) => `halted at ${x.scope} by ${x.operator}: ${x.reason}`),
      ],
      meter: null,
    }),
    line: (f: ClusterFigures) =>
      `${f.firm}/${f.desk}: link ${f.link}, bucket ${f.bucket}${f.downForMs > 0 ? ` (down ${(f.downForMs / 1000).toFixed(1)}s)` : ''}${f.scope ? `; halted at ${f.scope} by ${String(f.operator)}` : ''}`,
    event: (d: Evidence) => String(d.reason ?? d.message ?? ''),
    recovered: () => 'link and bucket back, no halt in scope',
  },
} satisfies BreakerRule<ClusterSettings, ClusterTracker, ClusterFigures>;
