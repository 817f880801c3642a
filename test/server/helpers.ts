import { createMemoryLogger, createRiskRuntime, type RiskRuntime } from '../../src/index.ts';
import { request as httpRequest } from 'node:http';
import { createServer, type BreakerboxServer, type ServerOptions } from '../../src/server/index.ts';
import type { RateLimitConfig } from '../../src/server/config.ts';

export const TOKEN = 'test-token-0123456789abcdef';

export interface TestServer {
  url: string;
  server: BreakerboxServer;
  runtimes: Map<string, RiskRuntime>;
  logs: ReturnType<typeof createMemoryLogger>['entries'];
  cancels: string[];
  close(): Promise<void>;
}

/** A real server on 127.0.0.1:0 over in-memory runtimes on the system clock. */
export async function startTestServer(
  names: string[] = ['alpha-1', 'beta-2'],
  rateLimit?: Partial<RateLimitConfig>,
  extra: Pick<ServerOptions, 'streams' | 'allowedHosts'> = {},
): Promise<TestServer> {
  const logger = createMemoryLogger();
  const runtimes = new Map<string, RiskRuntime>();
  const cancels: string[] = [];
  for (const name of names) {
    runtimes.set(
      name,
      await createRiskRuntime({ strategy: name, breakers: 'moderate', store: false, logger, broker: { cancelAllOrders: ({ breaker }) => void cancels.push(`${name}/${breaker}`) } }),
    );
  }
  const server = await createServer({ strategies: runtimes, token: TOKEN, logger, dashboard: true, ...(rateLimit ? { rateLimit } : {}), ...extra });
  const url = await server.listen({ port: 0 });
  return {
    url,
    server,
    runtimes,
    logs: logger.entries,
    cancels,
    async close() {
      await server.close();
      await Promise.all([...runtimes.values()].map((rt) => rt.stop()));
    },
  };
}

/** JSON request helper returning status and parsed body. */
export async function call(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; token?: string | null } = {},
): Promise<{ status: number; body: any; text: string }> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body, text };
}

/** A raw HTTP request (node:http, so Host and Origin can be anything) answering status and body. */
export function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: any }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: target.port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let body: unknown = null;
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}
