import { BreakerType } from '../../machines/constants.ts';
import type { EventDetails } from '../events.ts';

/** A one-line explanation of a trip, from its figures. */
export function describeTrip(breaker: BreakerType, d: EventDetails): string {
  switch (breaker) {
    case BreakerType.DRAWDOWN:
      return `drawdown ${d.drawdown} reached threshold ${d.threshold} (value ${d.value}, high-water mark ${d.highWaterMark})`;
    case BreakerType.DAILY_LOSS:
      return `daily P&L ${d.pnl} (${d.pnlFraction}) from start ${d.startValue} reached limit ${d.limit ?? d.limitAmount}`;
    case BreakerType.ORDER_RATE:
      return `${d.count} orders within ${d.windowSeconds}s exceed the limit of ${d.maxOrders}`;
    case BreakerType.ERROR_RATE:
      return `${d.count} errors within ${d.windowSeconds}s exceed the limit of ${d.maxErrors} (${JSON.stringify(d.byKind)})`;
    default:
      return 'tripped';
  }
}
