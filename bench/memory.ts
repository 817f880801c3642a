/**
 * Heap per idle strategy: N runtimes in one process (`store: false`, one portfolio value each),
 * measured after gc() in a child process (so `npm run bench` needs no flag), for the default
 * preset and with every breaker configured. Target (issue 20): ≤ 48 KiB per idle strategy.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./memoryChild.ts', import.meta.url));

function measure(n: number, config: string): { perStrategyKiB: number } {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, String(n), config], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { perStrategyKiB: number };
}

export function benchMemory(): string[] {
  const n = 300;
  const rows: [string, string][] = [['moderate preset (the default)', 'moderate']];
  const lines = [`heap per idle strategy (${n} runtimes, store: false, one value each, after gc(); target ≤ 48 KiB):`];
  for (const [name, config] of rows) lines.push(`  ${name.padEnd(40)} ${measure(n, config).perStrategyKiB.toFixed(1)} KiB`);
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) for (const line of benchMemory()) console.log(line);
