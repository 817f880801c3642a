/** Exit codes of the `breakerbox` CLI (documented in docs/operations.md). */
export const ExitCode = {
  OK: 0,
  /** Bad command line (unknown option, missing argument, confirmation not given). */
  USAGE: 1,
  /** The server could not be reached (connection refused, timeout, DNS). */
  UNREACHABLE: 2,
  /** No token or a wrong token (HTTP 401 / 403). */
  AUTH: 3,
  /** The server refused the request (validation 400, conflict 409, rate limit 429, reset refused, 5xx). */
  REFUSED: 4,
  /** Unknown strategy or route (HTTP 404). */
  NOT_FOUND: 5,
  /** `serve` / `demo`: a store directory is locked by another process or unreadable (see --allow-halted-start). */
  STORE: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one line on stderr before exiting with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** Print the message as is on stdout (instead of `breakerbox: <message>` on stderr). */
  readonly stdout: boolean;
  constructor(exitCode: ExitCode, message: string, options: { stdout?: boolean } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.stdout = options.stdout ?? false;
  }
}
