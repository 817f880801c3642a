import type { BreakerType } from '../../machines/constants.ts';
import { registryRow } from '../../machines/rules/registry.ts';
import type { Evidence } from '../../machines/rules/rule.ts';
import type { BreakerStatus, ErrorRateFigures, RateFigures } from '../runtime/types.ts';
import { clockTime, duration, money, percent, signedMoney, toNumber } from './format.ts';
import { BREAKER_LABELS, ERROR_KIND_ORDER, Light, stateLabel } from './labels.ts';

/** How much of a limit is used: the true fraction, past 1 when the limit is crossed (display only). */
export interface Meter {
  readonly label: string;
  /** Used fraction of the limit (0.5 = half; 4.64 = 464 %), or null when unknown. */
  readonly use: number | null;
  /** `ok` below warnAt, `warning` from warnAt, `over` from the limit. */
  readonly level: 'ok' | 'warning' | 'over';
  /** e.g. "464% of the limit". */
  readonly text: string;
}

/** Everything the page shows of one breaker, computed here (the page derives nothing). */
export interface BreakerView {
  readonly type: BreakerType;
  readonly name: string;
  readonly enabled: boolean;
  readonly light: Light;
  readonly stateLabel: string;
  readonly figure: string;
  readonly details: readonly string[];
  readonly reason: string | null;
  /** Milliseconds left on a pending reset's token (runtime clock), or null. */
  readonly resetExpiresInMs: number | null;
  readonly canReset: boolean;
  readonly meter: Meter | null;
  /** What a confirmed reset would move (new high-water mark and trip level, cleared windows). */
  readonly resetEffects: readonly string[];
}

/** A meter from a used fraction and the warning fraction. */
export function meter(label: string, use: number | null, warnAt: number): Meter {
  const level = use === null || use < warnAt ? 'ok' : use < 1 ? 'warning' : 'over';
  return { label, use, level, text: use === null ? 'no figure yet' : `${Math.round(use * 100)}% of the limit` };
}

const ratio = (part: unknown, whole: unknown): number | null => {
  const p = toNumber(part);
  const w = toNumber(whole);
  if (p === null || w === null || w === 0) return null;
  return Math.max(0, p / w);
};

function figuresOf(b: BreakerStatus): { figure: string; details: string[]; meter: Meter | null } {
  switch (b.type) {
    case 'drawdown': {
      const f = (b as BreakerStatus<'drawdown'>).figures;
      if (!f) return { figure: 'disabled', details: [], meter: null };
      return {
        figure: f.drawdown === null ? 'no value yet' : `${percent(f.drawdown)} drawdown`,
        details: [`trips at ${percent(f.threshold)}`, `high-water mark ${money(f.highWaterMark)}`, `trip level ${money(f.tripLevel)}`],
        meter: meter('Drawdown against the threshold', ratio(f.drawdown, f.threshold), f.warnAt),
      };
    }
    case 'dailyLoss': {
      const f = (b as BreakerStatus<'dailyLoss'>).figures;
      if (!f) return { figure: 'disabled', details: [], meter: null };
      const limit = f.limit !== null ? percent(f.limit) : money(f.limitAmount);
      const use = f.limit !== null ? ratio(f.pnlFraction, f.limit) : ratio(f.pnl, f.limitAmount);
      return {
        figure: f.pnl === null ? 'no value yet today' : `${signedMoney(f.pnl)} (${percent(f.pnlFraction, 2)}) today`,
        details: [`limit ${limit}`, `start ${money(f.startValue)}`, `trip level ${money(f.tripLevel)}`],
        meter: meter('Loss against the limit', use, f.warnAt),
      };
    }
    case 'orderRate':
    case 'errorRate': {
      const f = b.figures as RateFigures | null;
      if (!f) return { figure: 'disabled', details: [], meter: null };
      const noun = b.type === 'orderRate' ? 'orders' : 'errors';
      const details = [f.nextExpiryInMs === null ? 'window empty' : `oldest leaves the window in ${duration(f.nextExpiryInMs)}`];
      if (b.type === 'errorRate') details.unshift(ERROR_KIND_ORDER.map((k) => `${k} ${(f as ErrorRateFigures).byKind[k] ?? 0}`).join(' · '));
      return { figure: `${f.count} / ${f.limit} ${noun} in ${f.windowSeconds} s`, details, meter: meter(`${noun} in the window`, f.count / f.limit, f.warnAt) };
    }
    case 'staleData': {
      const f = (b as BreakerStatus<'staleData'>).figures;
      if (!f) return { figure: 'disabled', details: [], meter: null };
      return {
        figure: f.ageMs === null ? 'no value yet' : `last value ${duration(f.ageMs)} old`,
        details: [`trips after ${f.maxAge} s without a value`],
        meter: meter('Age of the last value', f.ageMs === null ? null : f.ageMs / f.maxAgeMs, f.warnAt),
      };
    }
    case 'manual': {
      const f = (b as BreakerStatus<'manual'>).figures;
      if (b.state === 'NORMAL') return { figure: 'not halted', details: [], meter: null };
      const mode = f.mode === 'reduceOnly' ? ['reduce-only: risk-reducing orders pass'] : [];
      return { figure: f.operator ? `halted by ${f.operator}` : 'halted', details: [...(f.haltedAt ? [`at ${clockTime(f.haltedAt)}`] : []), ...mode], meter: null };
    }
    case 'cluster': {
      const f = (b as BreakerStatus<'cluster'>).figures;
      if (!f) return { figure: 'disabled', details: [], meter: null };
      const halts = f.halts.map((x) => `halted at ${x.scope} by ${x.operator}: ${x.reason}`);
      const link = `firm ${f.firm}, desk ${f.desk}: link ${f.link}, bucket ${f.bucket}${f.lagMs === null ? '' : `, lag ${f.lagMs.toFixed(1)} ms`}`;
      return { figure: f.scope ? `halted at ${f.scope}` : f.link === 'up' && f.bucket === 'up' ? 'connected' : 'link down', details: [link, ...halts], meter: null };
    }
  }
}

/** The light: DISABLED, the state, or WARNING while NORMAL with the breaker's own warning raised. */
export function lightOf(b: BreakerStatus): Light {
  if (!b.enabled) return Light.DISABLED;
  const warned = (b.figures as { warned?: unknown } | null)?.warned === true;
  return b.state === 'NORMAL' && warned ? Light.WARNING : b.state;
}

/** One breaker's view, from its status (`now` is the runtime's clock). */
export function breakerView(b: BreakerStatus, now: number): BreakerView {
  const light = lightOf(b);
  const { figure, details, meter: m } = figuresOf(b);
  const rule = registryRow(b.type).rule as { resetEffects(f: Evidence): readonly string[] };
  const canReset = b.enabled && b.state !== 'NORMAL';
  return {
    type: b.type,
    name: BREAKER_LABELS[b.type],
    enabled: b.enabled,
    light,
    stateLabel: light === Light.WARNING ? 'NORMAL — WARNING' : stateLabel(light),
    figure,
    details,
    reason: b.reason,
    resetExpiresInMs: b.resetExpiresAt ? Math.max(0, Date.parse(b.resetExpiresAt) - now) : null,
    canReset,
    meter: m,
    resetEffects: canReset && b.figures !== null ? rule.resetEffects(b.figures as unknown as Evidence) : canReset ? rule.resetEffects({}) : [],
  };
}
