/**
 * A breakerbox webhook receiver using node:http and node:crypto only.
 *
 *   WEBHOOK_SECRET=... PORT=8787 npx tsx examples/webhook-receiver.ts
 *
 * It checks `X-Breakerbox-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
 * over the RAW body, refuses timestamps older than 5 minutes (replays), answers 2xx quickly, and
 * drops repeats by `Idempotency-Key` (breakerbox delivers at least once).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';

const TOLERANCE_SECONDS = 300;

/** Returns null when the signature is valid, else why it is not. */
export function checkSignature(header: string | undefined, rawBody: Buffer, secret: string, nowMs = Date.now()): string | null {
  const parts = new Map<string, string[]>();
  for (const part of (header ?? '').split(',')) {
    const [k, v] = part.split('=', 2);
    if (k && v) parts.set(k.trim(), [...(parts.get(k.trim()) ?? []), v.trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  const candidates = parts.get('v1') ?? [];
  if (!Number.isInteger(t) || candidates.length === 0) return 'malformed signature header';
  const age = Math.floor(nowMs / 1000) - t;
  if (age > TOLERANCE_SECONDS) return 'timestamp too old (replay?)';
  if (age < -TOLERANCE_SECONDS) return 'timestamp in the future';
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  const ok = candidates.some((hex) => /^[0-9a-f]{64}$/.test(hex) && timingSafeEqual(expected, Buffer.from(hex, 'hex')));
  return ok ? null : 'signature mismatch';
}

/** Builds the receiver; `onAlert` gets each verified, de-duplicated alert. */
export function createReceiver(secret: string, onAlert: (alert: Record<string, unknown>) => void, now: () => number = Date.now): Server {
  const seen = new Set<string>();
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const header = req.headers['x-breakerbox-signature'];
      const problem = checkSignature(Array.isArray(header) ? header[0] : header, raw, secret, now());
      if (problem) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end(problem);
        return;
      }
      const id = String(req.headers['idempotency-key'] ?? '');
      if (id && seen.has(id)) {
        res.writeHead(200).end('duplicate ignored');
        return;
      }
      if (id) seen.add(id);
      res.writeHead(204).end();
      onAlert(JSON.parse(raw.toString('utf8')) as Record<string, unknown>);
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) {
    console.error('set WEBHOOK_SECRET to the secret configured as ALERT_WEBHOOK_SECRET');
    process.exit(2);
  }
  const port = Number(process.env.PORT ?? 8787);
  createReceiver(secret, (alert) => console.log(`${String(alert.timestamp)} ${String(alert.severity)} ${String(alert.event_type)} ${String(alert.strategy_name)}`)).listen(
    port,
    '127.0.0.1',
    () => console.log(`listening on http://127.0.0.1:${port}/`),
  );
}
