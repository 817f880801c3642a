import { tradingDayAt, type MarketOpen } from '../../../machines/figures/tradingDay.ts';

const DAY = 24 * 60 * 60_000;

/** The default start of a history window: the current trading day's open or 24 h ago, whichever is earlier. */
export function defaultHistorySince(now: number, marketOpen: MarketOpen): number {
  let open = now - DAY;
  try {
    open = tradingDayAt(now, marketOpen).openAt;
  } catch {
    // an unusable zone was refused at start-up; 24 h is the fallback
  }
  return Math.min(open, now - DAY);
}
