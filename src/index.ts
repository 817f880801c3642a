export { createRiskRuntime, type RiskRuntimeOptions } from './app/create.ts';
export { RiskRuntime, type BrokerPort, type InspectOption } from './runtime/runtime.ts';
export type { TraceStep } from './runtime/trace.ts';
export type { DurableEventSink } from './runtime/durability.ts';
export type { HaltOutcome, StandingHalt, ResetOutcome } from './runtime/operator.ts';
export type { OrderModification, OrderCancellation } from './runtime/messages.ts';
export type { OverrideGrant, OverrideRequest } from './runtime/overrides.ts';
export * from './runtime/types.ts';
export type { StrategyHistory, HistoryPoint, HistoryMark, HistoryOrder, HistoryFill, HistoryError } from './runtime/history/types.ts';
export { presets, type BreakersConfig, type PresetName, type EffectiveConfig } from './config.ts';
export { RiskEventType, type RiskEvent, type EventDetails, type StateChange } from './events.ts';
export { BreakerState, ErrorKind, ERROR_KINDS } from '../machines/constants.ts';
export { BreakerType, BREAKER_TYPES } from '../machines/rules/registry.ts';
export * from './errors.ts';
export { systemClock, ManualClock, type Clock, type MonotonicClock, type CancelTimer } from './clock.ts';
export { silentLogger, createMemoryLogger, createDefaultLogger, type Logger } from './logger.ts';
export type { JournalQuery } from './runtime/eventLog.ts';
export { MemoryStrategyStore, type StrategyStore, type StrategyRecord } from './runtime/persistence.ts';
export { supervisorMachine, REGISTRY, breakerChart } from '../machines/index.ts';
export {
  alertConfigFromEnv,
  createAlertManager,
  verifySignature,
  signatureHeader,
  AlertManager,
  LevelAlertOutbox,
  InMemoryAlertOutbox,
  type AlertConfig,
  type AlertConfigInput,
  type AttemptRecord,
} from './alerts/index.ts';
export { LevelStrategyStore } from './store/levelStore.ts';
