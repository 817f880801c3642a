/**
 * The pre-trade limits' public types in one place: the base types of a row (rule.ts) and what
 * is generated from the registry (registry.ts).
 */
export type { OrderFacts } from './facts.ts';
export { LimitCode, NO_LIMITS, type LimitName, type LimitRule, type SymbolLimits } from './registry.ts';
export type { LimitContext, LimitRefusal } from './rule.ts';
