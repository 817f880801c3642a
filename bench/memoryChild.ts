/**
 * Run by bench/memory.ts in a child process with --expose-gc: the heap one idle strategy holds.
 * Prints one JSON line: { perStrategyKiB, strategies, config }.
 */
import { createRiskRuntime, silentLogger, type RiskRuntime } from '../src/index.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const N = Number(process.argv[2] ?? 300);
const config = process.argv[3] ?? 'moderate';

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

const make = (i: number) =>
  createRiskRuntime({ strategy: `idle-${i}`, store: false, logger: silentLogger, breakers: config === 'moderate' ? 'moderate' : JSON.parse(config) });
// One runtime first: code, module state and caches are not a strategy's.
const warm = await make(-1);
warm.updatePortfolio({ value: '1000000' });
const before = await heapAfterGc();
const fleet: RiskRuntime[] = [];
for (let i = 0; i < N; i++) {
  const rt = await make(i);
  rt.updatePortfolio({ value: '1000000' });
  fleet.push(rt);
}
const after = await heapAfterGc();
console.log(JSON.stringify({ perStrategyKiB: (after - before) / N / 1024, strategies: fleet.length, config }));
for (const rt of [warm, ...fleet]) await rt.stop();
