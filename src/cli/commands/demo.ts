import { Command, InvalidArgumentError } from 'commander';
import { describeLoadedEnv, loadEnvFile } from '../envFile.ts';
import { startInspector, type CliInspector } from '../inspect.ts';
import type { CliIo } from '../io.ts';
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
  exitOnEnd?: boolean;
  speed?: number;
  fast?: boolean;
  port: number;
  data: string;
  seed: number;
  prices?: string;
  allowHaltedStart?: boolean;
  cluster?: string;
  envFile?: string;
  inspect?: string;
}

const SCENARIOS =
  'market crash (drawdown, daily loss; reduce-only flattening), runaway order loop (order rate, heals by itself), ' +
  'broker outage (error rate), fat finger and sizing bug (order-quantity and position limits), silent feed (stale data), ' +
  'cancel/replace loop (message rate), losing streak (trade losses, lifted by autoReset), fill storm (execution rate), ' +
  'quote stuffing (order-to-trade), phantom position after the outage (reconciliation)';

/** `breakerbox demo`: the self-contained simulated live session (what `npm start` runs). */
export function demoCommand(io: CliIo): Command {
  return new Command('demo')
    .description(`run a simulated live session (market, paper brokers, nine strategies, API + metrics + dashboard) whose scenarios trip every breaker: ${SCENARIOS}`)
    .option('--duration <seconds>', 'stop after this many SIMULATED seconds, the unit of the summary (default: until Ctrl-C)', number('duration', 1))
    .option('--exit-on-end', 'stop when the scripted sequence ends (t+120 s simulated; default: keep running for the dashboard until Ctrl-C)')
    .option('--speed <factor>', 'simulated seconds per real second (default 1)', number('speed', 0.1))
    .option('--fast', `time compression for a quick look or tests (speed ${FAST_SPEED}: all scenarios in about 5 s)`)
    .option('--port <port>', 'API port (8787, or the next free one; 0 = any free port)', number('port', 0), 8787)
    .option('--data <dir>', 'LevelDB directory and log file location', './data')
    .option('--seed <n>', 'seed of the simulated market', number('seed', 0), 42)
    .option('--allow-halted-start', 'start even if the data directory is locked or unreadable: strategies run HALTED, in memory (default: exit 6)')
    .option('--cluster <url>', 'join a NATS JetStream server (nats://host:port) as firm "demo": `breakerbox firm halt` stops every demo process')
    .option('--prices <file>', 'replay these prices for strategy alpha: what `breakerbox replay` reads (a CSV with a header naming a time and a price column, e.g. OHLC bars "date,open,high,low,close,volume", or JSON lines), or one price per line')
    .option('--env-file <path>', 'read environment variables (e.g. BREAKERBOX_TOKEN) from this dotenv file (default: ./.env if present); variables already set win')
    .option('--inspect <ws-url>', 'stream every actor, event and snapshot to a Stately inspector (ws:// or wss://; needs @statelyai/inspect)')
    .action(async (opts: DemoCliOptions) => {
      const loaded = describeLoadedEnv(loadEnvFile(opts.envFile === undefined ? {} : { path: opts.envFile }));
      if (loaded) io.stderr.write(`${loaded}\n`); // stderr: stdout keeps its one-line refusal contract
      const speed = opts.speed ?? (opts.fast ? FAST_SPEED : 1);
      const inspector: CliInspector | null = opts.inspect === undefined ? null : await startInspector(opts.inspect);
      if (inspector) io.stderr.write(`breakerbox: inspecting every actor at ${inspector.url}\n`);
      const { startDemo } = await import('../../demo/run.ts'); // loaded on demand
      let demo;
      try {
        demo = await startDemo({
          speed,
          out: io.stdout,
          port: opts.port,
          dataDir: opts.data,
          seed: opts.seed,
          allowHaltedStart: opts.allowHaltedStart === true,
          ...(opts.prices ? { pricesFile: opts.prices } : {}),
          ...(opts.cluster ? { cluster: opts.cluster } : {}),
          ...(opts.duration === undefined ? {} : { durationSeconds: opts.duration }),
          ...(opts.exitOnEnd ? { exitOnEnd: true } : {}),
          ...(inspector ? { inspect: inspector.inspect } : {}),
        });
      } catch (error) {
        inspector?.stop();
        throw error;
      }
      await Promise.race([untilSignal(), demo.finished]);
      await demo.stop();
      inspector?.stop();
    });
}
