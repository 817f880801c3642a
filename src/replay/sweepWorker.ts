/** A sweep worker: receives the series once (workerData), then replays one setting per message. */
import { parentPort, workerData } from 'node:worker_threads';
import { replaySeries, type ReplayOptions } from './replay.ts';
import type { Series } from './series.ts';

const data = workerData as { at: Float64Array; values: string; lines: Uint32Array; source: string };
const series: Series = { at: data.at, values: data.values.split('\n'), lines: data.lines, source: data.source };

parentPort!.on('message', (message: { index: number; options: ReplayOptions }) => {
  replaySeries(series, message.options).then(
    // Events are not needed by a sweep row: keep the message small.
    (result) => parentPort!.postMessage({ index: message.index, result: { ...result, events: [] } }),
    (error: unknown) => parentPort!.postMessage({ index: message.index, error: error instanceof Error ? error.message : String(error) }),
  );
});
