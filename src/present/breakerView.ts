import { ruleOf, type BreakerType } from '../../machines/rules/registry.ts';
import type { BreakerWords, Evidence } from '../../machines/rules/rule.ts';
import type { BreakerStatus } from '../runtime/types.ts';
import { Light, stateLabel } from './labels.ts';

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

/** A breaker's figures in words: its rule's words, or "disabled" while it is off. */
function figuresOf(b: BreakerStatus): { figure: string; details: readonly string[]; meter: Meter | null } {
  if (b.figures === null) return { figure: 'disabled', details: [], meter: null };
  const words = ruleOf(b.type)!.words as BreakerWords<typeof b.figures>;
  const w = words.view(b.figures);
  return { figure: w.figure, details: w.details, meter: w.meter === null ? null : meter(w.meter.label, w.meter.use, w.meter.warnAt) };
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
  const rule = ruleOf(b.type)!;
  const canReset = b.enabled && b.state !== 'NORMAL';
  return {
    type: b.type,
    name: rule.words.label,
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
