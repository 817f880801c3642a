import { Subject } from 'rxjs';
import {
  createAlertManager,
  InMemoryAlertOutbox,
  LevelAlertOutbox,
  type AlertConfig,
  type AlertManager,
  type AlertOutbox,
  type AttemptRecord,
  type OutboxEntry,
} from '../alerts/index.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { LevelStrategyStore } from '../store/levelStore.ts';
import type { AlertPort } from '../runtime/alertPort.ts';
import type { DurableEventSink } from '../runtime/durability.ts';
import type { ExtraWrite, StrategyStore } from '../runtime/persistence.ts';

/** The alert manager, its outbox and its attempt stream, as wired by createRiskRuntime. */
interface AlertWiring {
  readonly manager: AlertManager;
  readonly outbox: AlertOutbox & { batchOps?: (entries: never) => unknown[] };
  readonly attempts$: Subject<AttemptRecord>;
}

/** Builds the alert manager with an outbox in the strategy's own store, so alerts join its batches. */
export function wireAlerts(
  config: AlertConfig,
  store: StrategyStore,
  clock: Clock,
  logger: Logger,
  onGiveUp: (details: { alertId: string; target: string; reason: string }) => void,
): AlertPort {
  const outbox: AlertWiring['outbox'] =
    store instanceof LevelStrategyStore ? new LevelAlertOutbox(store.strategyDb, { prefix: 'alerts' }) : new InMemoryAlertOutbox();
  const attempts$ = new Subject<AttemptRecord>();
  const manager = createAlertManager(config, {
    outbox,
    clock,
    logger,
    onAttempt: (record) => attempts$.next(record),
    onGiveUp: (info) => onGiveUp({ alertId: info.record.alertId, target: info.record.target, reason: info.reason }),
  });
  const wiring: AlertWiring = { manager, outbox, attempts$ };
  return {
    sink: alertSink(wiring),
    attempts$: attempts$.asObservable(),
    attempts: (query) => manager.attempts(query),
    resume: () => manager.resume(),
    async close() {
      await manager.close();
      attempts$.complete();
    },
  };
}

/** Alerts join the batch of the transition they report, and leave only after it is durable. */
function alertSink({ manager, outbox }: AlertWiring): DurableEventSink {
  return {
    prepare(events) {
      const entries: OutboxEntry[] = events.flatMap((event) => manager.plan(event));
      const writes = entries.length > 0 && outbox.batchOps ? (outbox.batchOps(entries as never) as ExtraWrite[]) : [];
      return { writes, handle: entries };
    },
    afterCommit(_events, handle) {
      const entries = handle as OutboxEntry[];
      if (entries.length === 0) return;
      if (outbox.batchOps) manager.dispatch(entries);
      else void outbox.put(entries).then(() => manager.dispatch(entries));
    },
    // The batch (and the outbox entries in it) could not be written: send from memory, best effort.
    onCommitFailed(_events, handle) {
      const entries = handle as OutboxEntry[];
      if (entries.length > 0) manager.dispatch(entries);
    },
  };
}
