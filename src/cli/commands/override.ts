import { Command } from 'commander';
import { CliError, ExitCode } from '../exitCodes.ts';
import type { CliIo } from '../io.ts';
import { clientFor, defaultOperator, withConnection, type ConnectionOptions } from '../options.ts';

interface OverrideOptions extends ConnectionOptions {
  strategy: string;
  limit: string;
  symbol: string;
  side: string;
  quantity: string;
  price?: string;
  ttl: string;
  reason: string;
  operator: string;
}

/** What the API answers (`POST /api/strategies/:name/overrides`). */
interface OverrideGrant {
  readonly token: string;
  readonly limit: string;
  readonly expiresAt: string;
}

/**
 * `breakerbox override`: an operator authorises one order past one pre-trade limit (RTS 6 Art
 * 15(6)) through the control API; the server validates every field and journals it.
 */
export function overrideCommand(io: CliIo): Command {
  return withConnection(
    new Command('override')
      .description('authorise ONE order past ONE pre-trade limit, once (never a breaker); journalled with who and why')
      .requiredOption('-s, --strategy <name>', 'strategy')
      .requiredOption('-l, --limit <key>', 'the limit, by config key (maxOrderNotional) or rejection code (LIMIT_ORDER_NOTIONAL)')
      .requiredOption('--symbol <symbol>', 'the order\'s symbol')
      .requiredOption('--side <side>', 'buy or sell')
      .requiredOption('-q, --quantity <n>', 'the order\'s exact quantity')
      .option('-p, --price <n>', 'the order\'s exact limit price (omit for a market order)')
      .requiredOption('--ttl <seconds>', 'how long the override waits for its order (at most 3600)')
      .requiredOption('-r, --reason <text>', 'why (kept in the journal)')
      .option('-o, --operator <name>', 'who authorises (journalled)', defaultOperator()),
  ).action(async (opts: OverrideOptions) => {
    const ttl = Number(opts.ttl);
    if (opts.ttl.trim() === '' || !Number.isFinite(ttl)) throw new CliError(ExitCode.USAGE, `--ttl must be a number of seconds (got ${JSON.stringify(opts.ttl)})`);
    const order = { symbol: opts.symbol, side: opts.side, quantity: opts.quantity, ...(opts.price === undefined ? {} : { price: opts.price }) };
    const body = { operator: opts.operator, reason: opts.reason, limit: opts.limit, order, ttl };
    const grant = await clientFor(opts).call<OverrideGrant>('POST', `/api/strategies/${encodeURIComponent(opts.strategy)}/overrides`, body);
    const price = opts.price === undefined ? 'at market' : `at ${opts.price}`;
    io.stdout.write(`${opts.strategy}: ${opts.side} ${opts.quantity} ${opts.symbol} ${price} may pass ${grant.limit} once, until ${grant.expiresAt} (authorised by ${opts.operator}; token ${grant.token})\n`);
  });
}
