/**
 * Stopping a runtime, in the order that keeps its promises: leave the firm, close the gate
 * (every later `check()` is rejected), stop inputs and timers, stop the actors, write what is
 * pending, close alerts and the store, then complete the output streams.
 */
import type { Subject, Subscription } from 'rxjs';
import type { AlertPort } from './alertPort.ts';
import type { ClusterBinding } from './clusterPort.ts';
import type { Controls } from './controls.ts';
import type { Durability } from './durability.ts';
import type { Gate } from './gate.ts';
import type { HistoryRecorder } from './history/recorder.ts';
import type { ActorHost } from './host.ts';
import type { StrategyStore } from './persistence.ts';
import type { StepBase } from './ports.ts';
import type { StaleWatch } from './staleness.ts';
import type { SnapshotTimers } from './timers.ts';

/** What stopping takes: every part that holds a timer, a subscription, a write or a stream, each by what stops it. */
export interface ShutdownParts extends Pick<StepBase, 'strategy' | 'log'> {
  readonly cluster: Pick<ClusterBinding, 'detach'> | null;
  readonly gate: Pick<Gate, 'stop'>;
  readonly controls: Pick<Controls, 'stop'>;
  readonly timers: Pick<SnapshotTimers, 'stop'>;
  readonly staleWatch: Pick<StaleWatch, 'stop'> | null;
  readonly dueWatches: readonly Pick<StaleWatch, 'stop'>[];
  readonly durability: Pick<Durability, 'saveFiguresNow' | 'close'>;
  readonly host: Pick<ActorHost, 'stop'>;
  readonly history: Pick<HistoryRecorder, 'close'>;
  readonly alerts: Pick<AlertPort, 'close'> | null;
  readonly store: Pick<StrategyStore, 'close'>;
  /** The output streams, completed last. */
  readonly events$: Pick<Subject<unknown>, 'complete'>;
  readonly state$: Pick<Subject<unknown>, 'complete'>;
  readonly rejected$: Pick<Subject<unknown>, 'complete'>;
  readonly decisions$: Pick<Subject<unknown>, 'complete'>;
  readonly portfolio$: Pick<Subject<unknown>, 'complete'>;
  readonly fills$: Pick<Subject<unknown>, 'complete'>;
}

/** Runs after the runtime's last flush; `unreportListenerErrors` runs before the streams complete. */
export async function shutDown(core: ShutdownParts, subscriptions: readonly Subscription[], unreportListenerErrors: () => void): Promise<void> {
  await core.cluster?.detach().catch(() => undefined);
  core.gate.stop();
  // Its open orders leave the process's shared book at once (selfTrade): no other strategy is refused against them.
  core.controls.stop();
  subscriptions.forEach((s) => s.unsubscribe());
  core.timers.stop();
  core.staleWatch?.stop();
  for (const watch of core.dueWatches) watch.stop();
  // The windows on the wall clock as it is now (it may have stepped since the last save).
  core.durability.saveFiguresNow();
  core.host.stop();
  await core.durability.close();
  await core.history.close();
  if (core.alerts) await core.alerts.close();
  await core.store.close();
  unreportListenerErrors();
  for (const subject of [core.events$, core.state$, core.rejected$, core.decisions$, core.portfolio$, core.fills$]) subject.complete();
  core.log.info({ event: 'runtime_stopped', strategy: core.strategy }, 'runtime stopped');
}
