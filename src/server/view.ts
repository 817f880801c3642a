import { dashboardView, faultedView, type DashboardView } from '../present/dashboardView.ts';
import type { RiskRuntime } from '../runtime/runtime.ts';
import { safeStatus } from './safeStatus.ts';

/** The dashboard's view of a runtime now; never throws (a strategy that cannot be shown gets a faulted view). */
export function viewOf(rt: RiskRuntime): DashboardView {
  const status = safeStatus(rt);
  if ('faulted' in status) return faultedView(status.strategy, status.faulted.reason, status.ordersAllowed, Date.parse(status.at));
  try {
    return dashboardView(status);
  } catch (error) {
    return faultedView(rt.strategy, `view cannot be shown: ${error instanceof Error ? error.message : String(error)}`, status.ordersAllowed, Date.parse(status.at));
  }
}
