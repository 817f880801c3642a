import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../alerts/index.ts';
import type { Clock } from '../clock.ts';

/** A webhook alert as the demo's receiver saw it. */
export interface ReceivedAlert {
  readonly eventType: string;
  readonly strategy: string;
  readonly breaker: string | null;
  readonly signatureOk: boolean;
}

/**
 * The demo's stand-in for an on-call system: a webhook receiver on loopback that checks each
 * alert's signature as docs/alerts.md tells receivers to (against the simulated clock, since
 * the demo's alerts are signed with it).
 */
export async function startAlertReceiver(clock: Clock, onAlert: (alert: ReceivedAlert) => void) {
  const secret = randomBytes(24).toString('base64url');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verdict = verifySignature({ header: req.headers['x-breakerbox-signature'], body, secret, now: clock.now() });
      res.writeHead(verdict.ok ? 200 : 401).end();
      try {
        const payload = JSON.parse(body) as { event_type?: unknown; strategy_name?: unknown; circuit_breaker_type?: unknown };
        onAlert({
          eventType: String(payload.event_type),
          strategy: String(payload.strategy_name),
          breaker: typeof payload.circuit_breaker_type === 'string' ? payload.circuit_breaker_type : null,
          signatureOk: verdict.ok,
        });
      } catch {
        // not JSON: refused above by the signature check or ignored
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  return {
    url,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
