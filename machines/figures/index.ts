export { Signal } from './signal.ts';
export { SlidingWindow } from './slidingWindow.ts';
export { DrawdownTracker, type DrawdownFigures, type DrawdownState } from './drawdown.ts';
export { DailyLossTracker, type DailyLossFigures, type DailyLossState, type DailyLossLimit, type DailyLossObservation } from './dailyLoss.ts';
export { tradingDayAt, zonedTimeToInstant, parseOpenTime, isValidTimeZone, type MarketOpen, type TradingDay } from './tradingDay.ts';
export { RateTracker, type RateState } from './rate.ts';
export { QuietBand, integerLength, compareCanonical } from './quietBand.ts';
