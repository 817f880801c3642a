/**
 * The sliding-window count with its warning, as the reference models see the window breakers
 * (messageRate, executionRate, tradeLosses): entries in (now − window, now]; one warning when the
 * count first reaches `warnCount`, re-armed once it falls below `rearmCount` or by a reset; a trip
 * also sets the flag. Shared by the separate models and the combined one (allControls).
 */
export class WindowCount<T> {
  entries: { at: number; v: T }[] = [];
  warned = false;

  constructor(
    readonly windowMs: number,
    readonly warnCount: number,
    readonly rearmCount: number,
  ) {}

  /** The entries inside the window at `now` (older ones are dropped). */
  inside(now: number): { at: number; v: T }[] {
    this.entries = this.entries.filter((e) => e.at > now - this.windowMs);
    return this.entries;
  }

  /** Records one entry at `now`; returns the count in the window. */
  add(now: number, v: T): number {
    this.entries.push({ at: now, v });
    return this.inside(now).length;
  }

  /** After an entry: `trips` (the rule's own comparison of the count) decides; else the warning flag moves. */
  signal(n: number, trips: boolean): 'trip' | 'warn' | null {
    if (trips) {
      this.warned = true;
      return 'trip';
    }
    if (this.warned) {
      if (n < this.rearmCount) this.warned = false;
      return null;
    }
    if (n < this.warnCount) return null;
    this.warned = true;
    return 'warn';
  }

  /** A confirmed reset: the window is cleared and the warning re-armed. */
  clear(): void {
    this.entries = [];
    this.warned = false;
  }

  /** The figures status() shows: the count and when the oldest entry leaves (ms from now). */
  figures(now: number): { count: number; nextExpiryInMs: number | null } {
    const inside = this.inside(now);
    return { count: inside.length, nextExpiryInMs: inside.length === 0 ? null : inside[0]!.at + this.windowMs - now };
  }
}

/** Hundredths as exact decimal text (Exact's canonical form): -125 → "-1.25", -10 → "-0.1", 0 → "0". */
export function centsText(cents: number): string {
  const abs = Math.abs(cents);
  const frac = String(abs % 100).padStart(2, '0').replace(/0+$/, '');
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}${frac ? `.${frac}` : ''}`;
}
