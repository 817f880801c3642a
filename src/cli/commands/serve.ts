import { Command } from 'commander';
import { describeLoadedEnv, loadEnvFile } from '../envFile.ts';
import { startInspector, type CliInspector } from '../inspect.ts';
import type { CliIo } from '../io.ts';
import { untilSignal } from '../shutdown.ts';

interface ServeCliOptions {
  config: string;
  allowHaltedStart?: boolean;
  envFile?: string;
  inspect?: string;
}

/** `breakerbox serve --config file.json`: host strategies and serve the API until SIGINT/SIGTERM. */
export function serveCommand(io: CliIo): Command {
  return new Command('serve')
    .description('host the strategies of a JSON config file and serve the control API, metrics and dashboard')
    .requiredOption('-c, --config <file>', 'server configuration (JSON; see examples/multi-strategy.json)')
    .option('--allow-halted-start', 'start even if the store is locked or unreadable: those strategies start HALTED, in memory (default: exit 6)')
    .option('--env-file <path>', 'read environment variables from this dotenv file (default: ./.env if present); variables already set win')
    .option('--inspect <ws-url>', 'stream every actor, event and snapshot to a Stately inspector (ws:// or wss://; needs @statelyai/inspect)')
    .addHelpText(
      'after',
      '\nEnvironment (also read from ./.env or --env-file; what is already set wins): BREAKERBOX_HOST, BREAKERBOX_PORT,\n' +
        'BREAKERBOX_TOKEN, BREAKERBOX_DATA override the file; alert channels (SMTP_*, TWILIO_*, ALERT_*) apply to\n' +
        'strategies without "alerts". JSON logs go to stderr (BREAKERBOX_LOG_LEVEL, default info).',
    )
    .action(async (opts: ServeCliOptions) => {
      const loaded = describeLoadedEnv(loadEnvFile(opts.envFile === undefined ? {} : { path: opts.envFile }));
      if (loaded) io.stderr.write(`${loaded}\n`); // stderr: stdout keeps its one-line refusal contract
      const inspector: CliInspector | null = opts.inspect === undefined ? null : await startInspector(opts.inspect);
      if (inspector) io.stderr.write(`breakerbox: inspecting every actor at ${inspector.url}\n`);
      // Loaded on demand: the API commands stay quick to start.
      const [{ createDefaultLogger }, { runServe }] = await Promise.all([import('../../logger.ts'), import('../../server/serve.ts')]);
      // Listening for SIGINT/SIGTERM before starting: one that arrives while the strategies start
      // (after "listening on" is printed) stops them cleanly, rather than killing the process.
      const signalled = untilSignal();
      let running;
      try {
        running = await runServe({
          configPath: opts.config,
          logger: createDefaultLogger(),
          allowHaltedStart: opts.allowHaltedStart === true,
          ...(inspector ? { inspect: inspector.inspect } : {}),
        });
      } catch (error) {
        inspector?.stop();
        throw error;
      }
      const signal = await signalled;
      io.stdout.write(`breakerbox: ${signal} received, stopping\n`);
      await running.close();
      inspector?.stop();
      io.stdout.write('breakerbox: stopped\n');
    });
}
