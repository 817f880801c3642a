/**
 * The reset policy's registry side: which breakers accept `autoReset: { after }`. A breaker that
 * needs an operator today (an AUTOMATIC chart: it leaves TRIPPED only by a confirmed reset) may
 * take it, unless its rule opts out with `manualResetOnly: true` (RTS 6 Art 15(3)'s execution
 * throttle). Self-healing breakers recover by themselves already; manual halts and the cluster's
 * breaker are never reset by a timer.
 */
import { REGISTRY, type AnyRule } from './registry.ts';
import { ChartKind } from './rule.ts';

/** Whether a rule accepts `autoReset`: an AUTOMATIC chart that did not opt out. */
export function acceptsAutoReset(rule: { readonly chart: ChartKind; readonly manualResetOnly?: boolean }): boolean {
  return rule.chart === ChartKind.AUTOMATIC && rule.manualResetOnly !== true;
}

/** The breakers that accept `breakers.<kind>.autoReset`, in the registry's order. */
export type AutoResetBreakerType = Exclude<Extract<AnyRule, { chart: 'automatic' }>, { manualResetOnly: true }>['kind'];
export const AUTO_RESET_BREAKERS: readonly AutoResetBreakerType[] = REGISTRY.flatMap((row) =>
  acceptsAutoReset(row.rule) && row.rule.settings !== null ? [row.kind as AutoResetBreakerType] : [],
);

/** The operator name an automatic reset acts under (journaled as `AutoReset`; reserved: people may not use it). */
export const AUTO_RESET_OPERATOR = 'breakerbox-auto-reset';
