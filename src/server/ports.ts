import { createServer } from 'node:net';

/** Resolves true when `port` can be bound on `host` right now. */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The first free port among `start`, `start + 1`, … (`tries` ports); 0 (any free port) when none is. */
export async function firstFreePort(host: string, start: number, tries = 10): Promise<number> {
  if (start === 0) return 0;
  for (let port = start; port < start + tries && port <= 65_535; port++) {
    if (await portIsFree(host, port)) return port;
  }
  return 0;
}
