/**
 * Stopping a runtime, in the order that keeps its promises: leave the firm, close the gate
 * (every later `check()` is rejected), stop inputs and timers, stop the actors, write what is
 * pending, close alerts and the store, then complete the output streams.
 */
import type { Subscription } from 'rxjs';
import type { RuntimeCore } from './core.ts';

/** Runs after the runtime's last flush; `unreportListenerErrors` runs before the streams complete. */
export async function shutDown(core: RuntimeCore, subscriptions: readonly Subscription[], unreportListenerErrors: () => void): Promise<void> {
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
