import { Command, InvalidArgumentError } from 'commander';
import { untilSignal } from '../shutdown.ts';

/** Speed used by `--fast`: the whole scenario sequence (120 simulated seconds) takes about 5 s. */
export const FAST_SPEED = 25;

const number = (name: string, min: number) => (text: string) => {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`${name} must be a number ≥ ${min}`);
  return n;
};

interface DemoCliOptions {
  duration?: number;
  speed?: number;
  fast?: boolean;
  port: number;
  data: string;
  seed: number;
  prices?: string;
  allowHaltedStart?: boolean;
  cluster?: string;
}

/** `breakerbox demo`: the self-contained simulated live session (what `npm start` runs). */
export function demoCommand(): Command {
  return new Command('demo')
    .description('run a simulated live session: market, paper broker, strategies, scenarios that trip every breaker, API + dashboard')
    .option('--duration <seconds>', 'stop after this many real seconds (default: until Ctrl-C)', number('duration', 1))
    .option('--speed <factor>', 'simulated seconds per real second (default 1)', number('speed', 0.1))
    .option('--fast', `time compression for a quick look or tests (speed ${FAST_SPEED}: all scenarios in about 5 s)`)
    .option('--port <port>', 'API port (8787, or the next free one; 0 = any free port)', number('port', 0), 8787)
    .option('--data <dir>', 'LevelDB directory and log file location', './data')
    .option('--seed <n>', 'seed of the simulated market', number('seed', 0), 42)
    .option('--allow-halted-start', 'start even if the data directory is locked or unreadable: strategies run HALTED, in memory (default: exit 6)')
    .option('--cluster <url>', 'join a NATS JetStream server (nats://host:port) as firm "demo": `breakerbox firm halt` stops every demo process')
    .option('--prices <file.csv>', 'replay this CSV of prices (columns "timestamp,price" or "price") for strategy alpha')
    .action(async (opts: DemoCliOptions) => {
      const speed = opts.speed ?? (opts.fast ? FAST_SPEED : 1);
      const { startDemo } = await import('../../demo/run.ts'); // loaded on demand
      const demo = await startDemo({
        speed,
        port: opts.port,
        dataDir: opts.data,
        seed: opts.seed,
        allowHaltedStart: opts.allowHaltedStart === true,
        ...(opts.prices ? { pricesFile: opts.prices } : {}),
        ...(opts.cluster ? { cluster: opts.cluster } : {}),
      });
      const timers: NodeJS.Timeout[] = [];
      const stopAfter = opts.duration === undefined ? new Promise<never>(() => undefined) : new Promise<string>((resolve) => timers.push(setTimeout(() => resolve('duration'), opts.duration! * 1000)));
      await Promise.race([untilSignal(), stopAfter]);
      timers.forEach(clearTimeout);
      await demo.stop();
    });
}
