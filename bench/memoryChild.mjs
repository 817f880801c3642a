/**
 * Run by bench/memory.ts in a child process: `node --expose-gc memoryChild.mjs <what> <n> <config> <module>`.
 * <module> is the breakerbox entry to measure: the published build (dist/src/index.js, plain
 * node) or the sources (src/index.ts, under tsx). Prints one JSON line.
 *   heap:  the heap one idle strategy holds (n runtimes, store: false, one value each, after gc()).
 *   robin: rt.check(order) round robin over n strategies against one strategy, alternating
 *          batches in the same process (median ns per check of each).
 * Plain JavaScript, so the published build runs without tsx's transform (tsx names every
 * function, which gives each closure a property store: about 17 KiB more per strategy).
 */
import { pathToFileURL } from 'node:url';

const [what = 'heap', nText = '300', config = 'moderate', modulePath] = process.argv.slice(2);
const { createRiskRuntime, silentLogger } = await import(pathToFileURL(modulePath).href);
const n = Number(nText);
const breakers = config === 'moderate' ? 'moderate' : JSON.parse(config);
const make = (i) => createRiskRuntime({ strategy: `s-${String(i).padStart(4, '0')}`, store: false, logger: silentLogger, breakers });

async function heapAfterGc() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

const fleet = [];
if (what === 'heap') {
  // One runtime first: code, module state and caches are not a strategy's.
  const warm = await make(-1);
  warm.updatePortfolio({ value: '1000000' });
  fleet.push(warm);
  const before = await heapAfterGc();
  for (let i = 0; i < n; i++) {
    const rt = await make(i);
    rt.updatePortfolio({ value: '1000000' });
    fleet.push(rt);
  }
  const after = await heapAfterGc();
  console.log(JSON.stringify({ perStrategyKiB: (after - before) / n / 1024, strategies: n, config }));
} else {
  const ORDER = Object.freeze({ symbol: 'ES', side: 'buy', quantity: '2', price: '5012.25' });
  for (let i = 0; i < n; i++) {
    const rt = await make(i);
    rt.updatePortfolio({ value: '1000000' });
    fleet.push(rt);
  }
  const one = fleet[0];
  let r = 0;
  let refused = 0;
  const robin = (iterations) => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      if (!fleet[r].check(ORDER).allowed) refused++;
      r = r + 1 === n ? 0 : r + 1;
    }
    return Number(process.hrtime.bigint() - t) / iterations;
  };
  const single = (iterations) => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) if (!one.check(ORDER).allowed) refused++;
    return Number(process.hrtime.bigint() - t) / iterations;
  };
  for (let k = 0; k < 10; k++) {
    robin(100_000);
    single(100_000);
  }
  const robins = [];
  const singles = [];
  for (let k = 0; k < 101; k++) {
    robins.push(robin(20_000));
    singles.push(single(20_000));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  if (refused > 0) throw new Error(`${refused} checks were refused: the round robin must measure allowed checks`);
  console.log(JSON.stringify({ robinNs: median(robins), oneNs: median(singles), strategies: n }));
}
for (const rt of fleet) await rt.stop();
