import { isIP } from 'node:net';

/**
 * Host and Origin checks against the address the server is bound to (DNS-rebinding and
 * cross-site request defence; docs/api.md "Threat model").
 *
 * - `Host` must name the bound address (with its port), or `localhost` / `127.0.0.1` / `[::1]`
 *   when the server is bound to loopback, or one of the configured `allowedHosts` (a reverse
 *   proxy's name, with or without a port). Bound to a wildcard (`0.0.0.0`, `::`), any IP literal
 *   is also accepted: a rebinding page can only reach the server through a DNS name.
 * - `Origin`, when present, must be `http(s)://<an allowed host>`; `Origin: null` is refused.
 * - `Sec-Fetch-Site: cross-site` is refused (a browser says so even where it sends no Origin).
 */
export class HostPolicy {
  readonly #configured: readonly string[];
  #names = new Set<string>();
  #anyNamePort = new Set<string>();
  #port: number | null = null;
  #wildcard = false;

  constructor(allowedHosts: readonly string[] = []) {
    this.#configured = allowedHosts.map((h) => h.trim().toLowerCase()).filter(Boolean);
  }

  /** Whether {@link bind} was called (before that, only `inject()` can reach the app: no checks). */
  get bound(): boolean {
    return this.#port !== null;
  }

  /** Records the address the server listens on. */
  bind(host: string, port: number): void {
    const h = bracket(host.toLowerCase());
    this.#port = port;
    this.#wildcard = h === '0.0.0.0' || h === '[::]';
    const loopback = h === '127.0.0.1' || h === '[::1]' || h === 'localhost' || this.#wildcard;
    const names = new Set<string>([h]);
    if (loopback) for (const n of ['localhost', '127.0.0.1', '[::1]']) names.add(n);
    this.#names = new Set([...names].map((n) => `${n}:${port}`));
    if (port === 80) for (const n of names) this.#names.add(n);
    this.#anyNamePort = new Set();
    for (const entry of this.#configured) {
      if (/:\d+$/.test(entry)) this.#names.add(entry);
      else this.#anyNamePort.add(bracket(entry));
    }
  }

  /** Null when `host` (a Host header value) is acceptable, else why not. */
  hostProblem(host: string | undefined): string | null {
    if (!this.bound) return null;
    if (host === undefined || host === '') return 'the request has no Host header';
    const h = host.trim().toLowerCase();
    if (this.#names.has(h)) return null;
    const { name, port } = splitHost(h);
    if (this.#anyNamePort.has(name)) return null;
    if (this.#wildcard && isIP(name.replace(/^\[|\]$/g, '')) !== 0 && (port === null || port === this.#port)) return null;
    return `Host ${JSON.stringify(host.slice(0, 100))} is not an address of this server (set allowedHosts for a reverse proxy)`;
  }

  /** Null when the Origin / Sec-Fetch-Site headers are acceptable, else why not. */
  originProblem(origin: string | undefined, fetchSite: string | undefined): string | null {
    if (!this.bound) return null;
    if (fetchSite !== undefined && fetchSite.toLowerCase() === 'cross-site') return 'cross-site requests are refused';
    if (origin === undefined) return null;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return `Origin ${JSON.stringify(origin.slice(0, 100))} is refused`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `Origin ${JSON.stringify(origin.slice(0, 100))} is refused`;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    if (this.hostProblem(`${url.hostname}:${port}`) === null || this.hostProblem(url.host) === null) return null;
    return `Origin ${JSON.stringify(origin.slice(0, 100))} is not this server`;
  }
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function splitHost(host: string): { name: string; port: number | null } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (!m) return { name: host, port: null };
  return { name: m[1]!, port: m[2] === undefined ? null : Number(m[2]) };
}
