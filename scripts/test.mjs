#!/usr/bin/env node
// `npm test` and `npm run test:full` (docs/testing.md, "Two tiers").
//   npm test               type-check (tsc --noEmit) beside the quick tier of vitest, not before it;
//                          fails if either fails. tsc's output is printed once vitest is done, so
//                          vitest's "Tests N passed" summary stays the run's only one (.ci/run counts it).
//   npm run test:full      BREAKERBOX_FULL=1: the test files whose run counts depend on the tier
//                          (those importing test/runs.ts) with the full counts.
// Further arguments go to vitest (e.g. `npm test -- test/cli`).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const full = args[0] === '--full';
const vitestArgs = full ? ['related', 'test/runs.ts', '--run', ...args.slice(1)] : ['run', ...args];
const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(0);

/** Runs `node <script> <args>` in the checkout; resolves with its exit code (1 if it died of a signal). */
function run(script, scriptArgs, options) {
  const child = spawn(process.execPath, [script, ...scriptArgs], { cwd: root, ...options });
  children.push(child);
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  return { child, done };
}
const children = [];
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
    process.exit(130);
  });
}

const vitestEnv = { ...process.env, ...(full ? { BREAKERBOX_FULL: '1' } : {}) };
const vitestBin = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const vitest = run(vitestBin, vitestArgs, { stdio: 'inherit', env: vitestEnv });

/** tsc --noEmit beside vitest, its output kept for the end; resolves with its exit code, output and finishing time. */
function startTypecheck() {
  let output = '';
  const tsc = run(require.resolve('typescript/bin/tsc'), ['--noEmit'], { stdio: ['ignore', 'pipe', 'pipe'] });
  tsc.child.stdout.on('data', (d) => (output += d));
  tsc.child.stderr.on('data', (d) => (output += d));
  // Behind the tests for the CPU: some of them time real processes.
  try {
    setPriority(tsc.child.pid, 10);
  } catch {
    // not allowed here: it runs at the same priority
  }
  return tsc.done.then((code) => ({ code, output, at: seconds() }));
}
const typecheck = full ? null : startTypecheck();

const vitestCode = await vitest.done;
let failed = vitestCode !== 0;
if (typecheck) {
  const { code, output, at } = await typecheck;
  if (output.trim()) process.stdout.write(`\n${output.trimEnd()}\n`);
  process.stdout.write(`\ntypecheck (tsc --noEmit): ${code === 0 ? 'passed' : `FAILED (exit ${code})`} after ${at} s\n`);
  failed ||= code !== 0;
}
process.stdout.write(`${full ? 'test:full' : 'npm test'}: ${failed ? 'FAILED' : 'passed'} in ${seconds()} s\n`);
process.exit(failed ? 1 : 0);
