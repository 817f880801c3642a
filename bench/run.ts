/**
 * `npm run bench`: runs every benchmark suite in order and prints one readable report.
 * Suites other than the core one are optional: they run when their file exists.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchCore } from './core.ts';
import { environmentLines } from './lib.ts';

type Suite = () => Promise<string[] | void> | string[] | void;

interface OptionalSuite {
  readonly title: string;
  readonly file: string;
  readonly exportName: string;
}

const OPTIONAL_SUITES: readonly OptionalSuite[] = [
  { title: 'alerts', file: './alerts.ts', exportName: 'benchAlerts' },
  { title: 'persistence', file: './persistence.ts', exportName: 'benchPersistence' },
  { title: 'event streams: trip → cancel with 1,500 slow clients', file: './streams.ts', exportName: 'benchStreams' },
  { title: 'replay and sweeps', file: './replay.ts', exportName: 'benchReplay' },
  { title: 'controls: check() with every pre-trade limit vs none', file: './controls.ts', exportName: 'benchControls' },
  { title: 'messages: checkCancel() on a tripped message-rate breaker vs an allowed check()', file: './messages.ts', exportName: 'benchMessages' },
  { title: 'memory: heap per idle strategy', file: './memory.ts', exportName: 'benchMemory' },
  { title: 'sidecar: order check over loopback (Node undici, Python client) vs a bare route', file: './sidecar.ts', exportName: 'benchSidecar' },
];

function print(lines: string[] | void): void {
  if (lines) for (const line of lines) console.log(line);
}

function heading(title: string): void {
  console.log('');
  console.log(`═══ ${title} ${'═'.repeat(Math.max(0, 72 - title.length))}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log('breakerbox benchmarks');
  print(environmentLines());

  heading('core: check and portfolio update');
  print(await benchCore());

  for (const suite of OPTIONAL_SUITES) {
    const url = new URL(suite.file, import.meta.url);
    heading(suite.title);
    if (!existsSync(fileURLToPath(url))) {
      console.log(`(skipped: bench/${suite.file.slice(2)} does not exist yet)`);
      continue;
    }
    const mod = (await import(url.href)) as Record<string, unknown>;
    const run = mod[suite.exportName];
    if (typeof run !== 'function') {
      console.log(`(skipped: bench/${suite.file.slice(2)} does not export ${suite.exportName}())`);
      continue;
    }
    print(await (run as Suite)());
  }

  console.log('');
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().then(
  // Libraries under test may leave timers behind (opossum's rolling stats); do not wait for them.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
