import { Command } from 'commander';
import { untilSignal } from '../shutdown.ts';

/** `breakerbox serve --config file.json`: host strategies and serve the API until SIGINT/SIGTERM. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('host the strategies of a JSON config file and serve the control API, metrics and dashboard')
    .requiredOption('-c, --config <file>', 'server configuration (JSON; see examples/multi-strategy.json)')
    .option('--allow-halted-start', 'start even if the store is locked or unreadable: those strategies start HALTED, in memory (default: exit 6)')
    .addHelpText(
      'after',
      '\nEnvironment: BREAKERBOX_HOST, BREAKERBOX_PORT, BREAKERBOX_TOKEN, BREAKERBOX_DATA override the file;\n' +
        'alert channels (SMTP_*, TWILIO_*, ALERT_*) apply to strategies without "alerts". JSON logs go to stderr\n' +
        '(BREAKERBOX_LOG_LEVEL, default info).',
    )
    .action(async (opts: { config: string; allowHaltedStart?: boolean }) => {
      // Loaded on demand: the API commands stay quick to start.
      const [{ createDefaultLogger }, { runServe }] = await Promise.all([import('../../logger.ts'), import('../../server/serve.ts')]);
      const running = await runServe({ configPath: opts.config, logger: createDefaultLogger(), allowHaltedStart: opts.allowHaltedStart === true });
      const signal = await untilSignal();
      process.stdout.write(`breakerbox: ${signal} received, stopping\n`);
      await running.close();
      process.stdout.write('breakerbox: stopped\n');
    });
}
