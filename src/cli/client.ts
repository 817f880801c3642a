import { request } from 'undici';
import type { RiskEvent } from '../events.ts';
import type { RuntimeStatus } from '../runtime/types.ts';
import { CliError, ExitCode } from './exitCodes.ts';
import { unknownNameMessage } from './names.ts';

/** Default API address (`--url`, or `BREAKERBOX_URL`). */
export const DEFAULT_URL = 'http://127.0.0.1:8787';

/** One entry of `GET /api/strategies`. */
export interface StrategySummary {
  readonly name: string;
  readonly state: string;
  readonly ordersAllowed: boolean;
}

/** The halt that was already in force when a strategy was halted again. */
export interface EarlierHalt {
  readonly operator: string | null;
  readonly reason: string | null;
  readonly since: string;
  readonly mode: 'halt' | 'reduceOnly';
}

/** Answer of `POST …/halt`: `alreadyHalted` when the strategy was halted before (its halt stands unless `tightened`). */
/** One strategy's answer to a halt of every strategy. */
export interface HaltAllRow {
  readonly strategy: string;
  readonly state: string;
  readonly tradingMode: string | null;
  readonly alreadyHalted: HaltAnswer['alreadyHalted'];
  readonly tightened: boolean;
  readonly error: string | null;
}

export interface HaltAnswer {
  readonly state: string;
  readonly tradingMode?: string;
  readonly alreadyHalted?: EarlierHalt;
  /** A full halt over a reduce-only one: the halt now in force is this one. */
  readonly tightened?: boolean;
}

/** Answer of `POST …/reset`. */
export interface ResetTicket {
  readonly token: string;
  readonly breaker: string;
  readonly expiresAt: string;
}

/** Answer of `POST …/reset/confirm`. */
export interface ResetOutcome {
  readonly confirmed: boolean;
  readonly breaker: string;
  readonly state: string;
  readonly reason: string | null;
}

interface ErrorAnswer {
  readonly error?: { readonly code?: string; readonly message?: string; readonly field?: string };
}

function errnoOf(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown }; errors?: { code?: unknown }[] } | null;
  const code = e?.code ?? e?.cause?.code ?? e?.errors?.[0]?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** A small typed client of the control API (docs/api.md), over undici. */
export class ApiClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, token?: string, timeoutMs = 10_000) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#token = token && token.length > 0 ? token : undefined;
    this.#timeoutMs = timeoutMs;
  }

  /** Like {@link call}, answering the body as text (e.g. a JSON-lines export). */
  async text(method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> {
    return this.call<string>(method, path, body, false);
  }

  /** Sends one request; maps every failure to a {@link CliError} with the documented exit code. */
  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, json = true): Promise<T> {
    let url: URL;
    try {
      url = new URL(path, `${this.baseUrl}/`);
    } catch {
      throw new CliError(ExitCode.USAGE, `not a valid URL: ${this.baseUrl}`);
    }
    let res;
    try {
      res = await request(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
    } catch (error) {
      throw new CliError(ExitCode.UNREACHABLE, `cannot reach breakerbox at ${this.baseUrl}: ${errnoOf(error)}`);
    }
    const text = await res.body.text();
    if (!json && res.statusCode < 400) return text as T;
    let parsed: unknown = null;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (res.statusCode < 400) return parsed as T;
    const err = (parsed as ErrorAnswer | null)?.error;
    const detail = `${err?.message ?? text.slice(0, 200)}${err?.field ? ` (field: ${err.field})` : ''}`;
    switch (res.statusCode) {
      case 401:
        throw new CliError(ExitCode.AUTH, `authentication required: pass --token or set BREAKERBOX_TOKEN (${detail})`);
      case 403:
        if (err?.code === 'HOST_NOT_ALLOWED' || err?.code === 'ORIGIN_NOT_ALLOWED') throw new CliError(ExitCode.REFUSED, `refused (HTTP 403 ${err.code}): ${detail}`);
        throw new CliError(ExitCode.AUTH, `the token was refused by ${this.baseUrl}: check --token / BREAKERBOX_TOKEN`);
      case 404:
        throw await this.#notFound(path, detail);
      default:
        throw new CliError(ExitCode.REFUSED, `refused (HTTP ${res.statusCode}${err?.code ? ` ${err.code}` : ''}): ${detail}`);
    }
  }

  /** A 404 on a strategy's route names the valid strategies (read from the server) when it can. */
  async #notFound(path: string, detail: string): Promise<CliError> {
    const m = /^\/api\/strategies\/([^/?]+)/.exec(path);
    if (m) {
      let name = m[1]!;
      try {
        name = decodeURIComponent(name);
      } catch {
        // keep it encoded
      }
      const names = await this.strategies().then(
        (list) => list.strategies.map((s) => s.name),
        () => null,
      );
      if (names !== null && !names.includes(name)) return new CliError(ExitCode.NOT_FOUND, unknownNameMessage('strategy', name, names, 'strategies'));
    }
    return new CliError(ExitCode.NOT_FOUND, `not found: ${detail}`);
  }

  strategies(): Promise<{ strategies: StrategySummary[] }> {
    return this.call('GET', '/api/strategies');
  }

  status(name: string): Promise<RuntimeStatus> {
    return this.call('GET', `/api/strategies/${encodeURIComponent(name)}/status`);
  }

  journal(name: string, query: Record<string, string>): Promise<{ entries: RiskEvent[] }> {
    const qs = new URLSearchParams(query).toString();
    return this.call('GET', `/api/strategies/${encodeURIComponent(name)}/journal${qs ? `?${qs}` : ''}`);
  }

  /** Halts every strategy of the process (`POST /api/halt`); each row says what became of one strategy. */
  haltAll(body: { operator: string; reason: string; mode?: 'halt' | 'reduceOnly' }): Promise<{ halted: HaltAllRow[] }> {
    return this.call('POST', '/api/halt', body);
  }

  halt(name: string, body: { operator: string; reason: string; mode?: 'halt' | 'reduceOnly' }): Promise<HaltAnswer> {
    return this.call('POST', `/api/strategies/${encodeURIComponent(name)}/halt`, body);
  }

  requestReset(name: string, body: { operator: string; breaker: string }): Promise<ResetTicket> {
    return this.call('POST', `/api/strategies/${encodeURIComponent(name)}/reset`, body);
  }

  confirmReset(name: string, body: { operator: string; token: string }): Promise<ResetOutcome> {
    return this.call('POST', `/api/strategies/${encodeURIComponent(name)}/reset/confirm`, body);
  }
}
