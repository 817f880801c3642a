/**
 * Reusable timing helpers for the breakerbox benchmarks.
 *
 * Per-call costs of 50–100 ns are smaller than tinybench's own per-iteration overhead
 * (two timestamp reads, a closure call, bookkeeping), so every task here runs its
 * operation `batch` times per tinybench iteration and we divide: each sample is the
 * average cost of one call within one batch. Median and p99 are taken over those
 * per-call batch averages.
 *
 * Write the batch loop inside each task's own function literal (do not share one loop
 * between tasks): V8 keeps type feedback per function literal, and a shared loop calling
 * different operations would go megamorphic and add its own cost to every figure.
 */
import os from 'node:os';
import { Bench } from 'tinybench';

/** One task: `fn` performs `batch` operations (sync, or async awaited one after another). */
export interface BatchTask {
  readonly name: string;
  readonly batch: number;
  readonly fn: () => unknown;
  /** Short remark printed beside the figure (e.g. "async, awaited"). */
  readonly note?: string;
  /**
   * Runs before every tinybench iteration (warm-up and sampling), outside the timed window:
   * for per-batch preparation such as fresh input values or moving a manual clock on.
   */
  readonly beforeEach?: () => void;
}

/** Per-call figures, in nanoseconds, derived from per-batch samples. */
export interface Measured {
  readonly name: string;
  readonly note: string;
  readonly batch: number;
  /** Median of the per-call batch averages. */
  readonly medianNs: number;
  /** 99th percentile of the per-call batch averages. */
  readonly p99Ns: number;
  readonly meanNs: number;
  /** Number of batches sampled. */
  readonly samples: number;
  /** Total operations executed while sampling. */
  readonly operations: number;
}

export interface MeasureOptions {
  /** Sampling budget per task in ms (default 1000). */
  readonly time?: number;
  /** Warm-up budget per task in ms (default 200). */
  readonly warmupTime?: number;
}

/** Sampling budget per task (ms): `BENCH_TIME_MS` overrides the default for quick iterations. */
const envMs = (name: string): number | undefined => {
  const raw = process.env[name];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

/** Runs each task in its own tinybench run (sequentially) and returns per-call figures. */
export async function measure(tasks: readonly BatchTask[], options: MeasureOptions = {}): Promise<Measured[]> {
  const bench = new Bench({
    time: options.time ?? envMs('BENCH_TIME_MS') ?? 1000,
    warmupTime: options.warmupTime ?? envMs('BENCH_WARMUP_MS') ?? 200,
    warmup: true,
    throws: true,
  });
  for (const task of tasks) {
    // Say whether the task is async: otherwise tinybench calls it once, outside any hook, to find out.
    const async = task.fn.constructor.name === 'AsyncFunction';
    bench.add(task.name, task.fn, task.beforeEach ? { async, beforeEach: task.beforeEach } : { async });
  }
  await bench.run();
  return tasks.map((task) => {
    const t = bench.getTask(task.name);
    const result = t?.result;
    if (!result || !('latency' in result)) {
      const error = result && 'error' in result ? result.error : null;
      throw new Error(`benchmark task "${task.name}" did not complete${error ? `: ${error.message}` : ''}`);
    }
    const perCall = (ms: number) => (ms * 1e6) / task.batch; // ms per batch → ns per call
    return {
      name: task.name,
      note: task.note ?? '',
      batch: task.batch,
      medianNs: perCall(result.latency.p50),
      p99Ns: perCall(result.latency.p99),
      meanNs: perCall(result.latency.mean),
      samples: result.latency.samplesCount,
      operations: result.latency.samplesCount * task.batch,
    };
  });
}

/** Formats nanoseconds with a sensible unit. */
export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  if (ns < 10) return `${ns.toFixed(2)} ns`;
  if (ns < 1000) return `${ns.toFixed(1)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${(ns / 1e6).toFixed(2)} ms`;
}

/** Operations per second for a per-call cost, e.g. "12.3 M/s". */
export function fmtRate(nsPerOp: number): string {
  const perSecond = 1e9 / nsPerOp;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

/** Ratio of a figure to a reference, e.g. "3.2×". */
export function fmtRatio(value: number, reference: number): string {
  if (!(reference > 0)) return '–';
  const r = value / reference;
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`;
}

/** A plain-text table: first row is the header; columns after the first are right-aligned. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  const pad = (cell: string, i: number) => {
    const fill = ' '.repeat(widths[i]! - [...cell].length);
    return i === 0 ? cell + fill : fill + cell;
  };
  const lines = rows.map((row) => row.map(pad).join('  ').trimEnd());
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [lines[0]!, rule, ...lines.slice(1)];
}

/** Target verdict for a measured median. */
export function verdict(medianNs: number, targetNs: number): string {
  return medianNs <= targetNs
    ? `target median ≤ ${targetNs} ns: MET (${fmtNs(medianNs)})`
    : `target median ≤ ${targetNs} ns: MISSED (${fmtNs(medianNs)}, ${fmtRatio(medianNs, targetNs)} the target)`;
}

/** Target verdict for a ratio of two medians measured in the same run. */
export function ratioVerdict(what: string, value: Measured, reference: Measured, maxRatio: number): string {
  const r = value.medianNs / reference.medianNs;
  const figures = `${fmtNs(value.medianNs)} vs ${fmtNs(reference.medianNs)} = ${fmtRatio(value.medianNs, reference.medianNs)}`;
  return r <= maxRatio
    ? `target ${what} ≤ ${maxRatio}× ${reference.name}: MET (${figures})`
    : `target ${what} ≤ ${maxRatio}× ${reference.name}: MISSED (${figures})`;
}

/** Node version, CPU, load and a timestamp, for the top of the report. */
export function environmentLines(): string[] {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return [
    `date:     ${new Date().toISOString()}`,
    `node:     ${process.version} (V8 ${process.versions.v8}) on ${process.platform}/${process.arch}`,
    `cpu:      ${cpus[0]?.model.trim() ?? 'unknown'} × ${cpus.length} logical (availableParallelism ${os.availableParallelism()})`,
    `load avg: ${load} (1/5/15 min) — the machine is shared; figures move with it`,
  ];
}

/** A ratio measured from alternating batches of two synchronous tasks. */
export interface PairedRatio {
  readonly name: string;
  /** Median over pairs of (`subject` batch time / `reference` batch time). */
  readonly medianRatio: number;
  /** 10th and 90th percentiles of the per-pair ratios: the spread on this machine. */
  readonly p10Ratio: number;
  readonly p90Ratio: number;
  readonly pairs: number;
}

/**
 * The ratio of two synchronous batch tasks measured side by side: batches alternate (subject,
 * reference, reference, subject, …), each pair gives one ratio, and the median of those is
 * reported. Sequential rows (tinybench runs one task for a second, then the next) see a shared
 * machine in different moods — on this VM `Date.now()` alone moves between ≈ 47 and ≈ 70 ns from
 * one second to the next — while neighbouring batches see the same one.
 */
export function pairedRatio(name: string, subject: () => void, reference: () => void, pairs = envMs('BENCH_PAIRS') ?? 3000): PairedRatio {
  const time = (fn: () => void): number => {
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0);
  };
  for (let i = 0; i < 200; i++) {
    subject();
    reference();
  }
  const ratios = new Float64Array(pairs);
  for (let i = 0; i < pairs; i++) {
    // Alternate which runs first, so neither always follows the other.
    if (i & 1) {
      const r = time(reference);
      ratios[i] = time(subject) / r;
    } else {
      const s = time(subject);
      ratios[i] = s / time(reference);
    }
  }
  ratios.sort();
  const at = (p: number) => ratios[Math.min(pairs - 1, Math.floor(p * pairs))]!;
  return { name, medianRatio: at(0.5), p10Ratio: at(0.1), p90Ratio: at(0.9), pairs };
}

/** One line for a paired ratio against its target. */
export function pairedVerdict(r: PairedRatio, maxRatio: number): string {
  const ok = r.medianRatio <= maxRatio;
  return `paired (alternating batches, ${r.pairs} pairs): ${r.name} median ${r.medianRatio.toFixed(2)}× (p10 ${r.p10Ratio.toFixed(2)}×, p90 ${r.p90Ratio.toFixed(2)}×), target ≤ ${maxRatio}×: ${ok ? 'MET' : 'MISSED'}`;
}
