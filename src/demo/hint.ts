import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { acceptedEvents } from '../../machines/charts/breakerChart.ts';
import { BreakerState } from '../../machines/constants.ts';
import { AUTOMATIC_BREAKERS, type BreakerType } from '../../machines/rules/registry.ts';
import { registryRow } from '../../machines/rules/registry.ts';
import type { RuntimeStatus } from '../runtime/types.ts';
import { NAME_WIDTH } from './display.ts';
import { TIMELINE } from './scenarios.ts';

/** Edges by which a breaker leaves a state without an operator: it heals itself (or its cluster lifts it). */
const BY_ITSELF = ['WINDOW_CLEARED', 'RECOVER', 'LIFT'];

/**
 * Whether a breaker in this state waits for a confirmed reset (an operator), read from its own
 * statechart in the registry: its state takes REQUEST_RESET and has no edge by which it heals itself.
 */
export function needsManualReset(kind: BreakerType, state: BreakerState): boolean {
  if (state === BreakerState.NORMAL) return false;
  const accepted = acceptedEvents(registryRow(kind).chart).get(state);
  return accepted !== undefined && accepted.has('REQUEST_RESET') && !BY_ITSELF.some((e) => accepted.has(e));
}

/** What the end of the scripted sequence says about one strategy's breakers: reset commands, or that they heal by themselves. */
export function resetHints(status: RuntimeStatus, resetCommand: (breaker: BreakerType) => string): string[] {
  const lines: string[] = [];
  for (const kind of Object.keys(status.breakers) as BreakerType[]) {
    const state = status.breakers[kind].state;
    if (state === BreakerState.NORMAL) continue;
    if (needsManualReset(kind, state)) lines.push(`to reset ${status.strategy}/${kind}:  ${resetCommand(kind)}`);
    else lines.push(`${status.strategy}/${kind} is ${state}; it needs no reset: it recovers by itself once its condition clears`);
  }
  return lines;
}

/** What the start-up banner needs. */
export interface BannerFacts {
  readonly strategies: number;
  readonly seed: number;
  readonly speed: number;
  /** The prices file replayed for alpha, or null. */
  readonly replaying: string | null;
  readonly url: string;
  readonly token: string;
  /** Whether the token came from BREAKERBOX_TOKEN (environment or .env) rather than being generated. */
  readonly tokenFromEnv: boolean;
  /** The port asked for (8787 by default) and the one listened on: they differ when it was busy. */
  readonly requestedPort: number;
  readonly persisted: boolean;
  readonly dataDir: string;
  readonly logFile: string;
  /** How to run the CLI where the demo runs ({@link cliInvocation}: `npx breakerbox`). */
  readonly cli: string;
}

/**
 * How a person runs the CLI where the demo runs: `npx breakerbox` for an installed package
 * (the bin lives under node_modules) and inside a clone (npm runs a project's own bin);
 * `node <absolute path>` only when started from a clone's bin outside that clone.
 */
export function cliInvocation(binPath: string | undefined, cwd: string): string {
  if (binPath === undefined) return 'npx breakerbox';
  let bin = binPath;
  try {
    bin = realpathSync(binPath);
  } catch {
    // Not a file (e.g. a test runner's entry): the path as given is as good.
  }
  if (bin.split(sep).includes('node_modules')) return 'npx breakerbox';
  const root = dirname(dirname(bin)); // <root>/bin/breakerbox.js
  const inside = relative(root, cwd);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) return 'npx breakerbox';
  return `node ${/\s/.test(bin) ? JSON.stringify(bin) : bin}`;
}

/**
 * Why the API is not on the port asked for (it was busy), or null when it is: the demo takes the
 * next free one of ten, else any free port.
 */
export function portNote(requested: number, listening: number): string | null {
  if (requested === 0 || requested === listening) return null;
  const tried = listening > requested && listening < requested + 10 ? `${requested}${listening - requested > 1 ? `–${listening - 1}` : ''}` : `${requested}–${requested + 9}`;
  return `  port       ${listening}, because ${tried} ${tried.includes('–') ? 'were' : 'was'} in use (another demo or breakerbox serve?); --port <n> chooses one`;
}

/** The start-up banner: where everything is, the token, and the CLI commands to try. */
export function bannerLines(f: BannerFacts): string[] {
  return [
    `breakerbox demo: ${f.strategies} strategies on a simulated market (seed ${f.seed}, speed ${f.speed}x${f.replaying ? `, replaying ${f.replaying}` : ''})`,
    `  dashboard  ${f.url}/`,
    `  API        ${f.url}/api/strategies   (docs/api.md)`,
    `  metrics    ${f.url}/metrics`,
    ...[portNote(f.requestedPort, Number(new URL(f.url).port || 80))].filter((l) => l !== null),
    f.persisted ? `  state      ${f.dataDir} (LevelDB); JSON logs in ${f.logFile}` : `  state      NOT persisted (in memory: ${f.dataDir} could not be used); JSON logs in ${f.logFile}`,
    `  token      ${f.token} (${f.tokenFromEnv ? 'from BREAKERBOX_TOKEN' : 'generated for this run; set BREAKERBOX_TOKEN to choose one'})`,
    // The token goes in the environment once, never on a command line (shell history, ps).
    'In another terminal (the CLI reads BREAKERBOX_URL and BREAKERBOX_TOKEN):',
    // Once, with the token, even when it came from the environment: the other terminal may not
    // have it (a .env file is read by demo and serve, not by the CLI's other commands).
    `  export BREAKERBOX_URL=${f.url} BREAKERBOX_TOKEN=${f.token}`,
    `  ${f.cli} live status`,
    `  ${f.cli} live stop --strategy delta --reason "emergency stop drill"`,
    `  ${f.cli} live reset --strategy delta --breaker manual`,
    `  ${f.cli} journal --strategy alpha --newest 20`,
    `Scenarios (simulated time): ${TIMELINE.filter((s) => s.strategy).map((s) => `t+${s.at}s ${s.strategy}`).join(', ')}. Ctrl-C stops.`,
  ];
}

/** Strategies that tripped, by automatic breaker type. */
type Trips = Readonly<Record<string, readonly string[]>>;

/**
 * What the demo prints when its scripted sequence ends: whether every automatic breaker tripped,
 * and reset commands only for breakers whose chart waits for an operator (self-healing ones
 * recover by themselves).
 */
export function sequenceEndLines(
  stamp: string,
  trips: Trips,
  strategies: readonly { readonly name: string; readonly status: RuntimeStatus }[],
  resetCommand: (strategy: string, breaker: BreakerType) => string,
): string[] {
  const lines = [`${stamp}${' '.repeat(NAME_WIDTH + 3)}every automatic breaker has tripped: ${AUTOMATIC_BREAKERS.map((b) => `${b} ${trips[b]!.length > 0 ? 'yes' : 'no'}`).join(', ')}`];
  for (const { name, status } of strategies) {
    for (const hint of resetHints(status, (b) => resetCommand(name, b))) lines.push(`         ${hint}`);
  }
  lines.push('         (daily loss refuses a reset while today\'s loss is still beyond its limit)');
  return lines;
}

/** The demo's last line: how long it ran, what tripped, and whether its state was saved. */
export function stopLine(simulatedSeconds: number, trips: Trips, saved: { readonly persisted: boolean; readonly storeWritten: boolean; readonly dataDir: string }): string {
  const { persisted, storeWritten, dataDir } = saved;
  const state = persisted && storeWritten ? `state saved in ${dataDir}` : `state NOT saved (${persisted ? 'the store could not be written' : `${dataDir} could not be used`})`;
  return `demo stopped after ${simulatedSeconds}s simulated; trips: ${AUTOMATIC_BREAKERS.map((b) => `${b}=${trips[b]!.length > 0 ? trips[b]!.join('+') : 'none'}`).join(' ')}; ${state}`;
}
