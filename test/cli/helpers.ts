import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';

/** The bin as users run it from a checkout (through tsx). */
export const REAL_BIN = resolve('bin/breakerbox.js');
/**
 * What the tests spawn: the bin bundled once by the globalSetup (bundle.ts), which starts in a
 * fraction of the time; the real bin where no globalSetup made one.
 */
export const BIN = inject('cliBundle') ?? REAL_BIN;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no inherited BREAKERBOX_* or alert variables. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(BREAKERBOX_|SMTP_|TWILIO_|ALERT_)/.test(k)) env[k] = v;
  }
  return { ...env, USER: 'tester', ...extra };
}

/**
 * Runs `node -- <bin> …` (the bundled bin, or `bin` if given) to completion, optionally writing
 * `input` to stdin. (`--`: Node 20 would otherwise read a script argument `--env-file <path>`
 * itself, nodejs/node#54232.)
 */
export function runCli(args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number; cwd?: string; bin?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--', options.bin ?? BIN, ...args], { env: cleanEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.write(options.input);
    child.stdin.end();
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

/**
 * Spawns `breakerbox serve --config <tmp> [args]` (in `cwd` if given) on a free port with a temp
 * data dir and waits for its "listening on" line.
 */
export async function spawnServer(config: Record<string, unknown>, env: Record<string, string> = {}, options: { cwd?: string; args?: string[] } = {}): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-serve-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ host: '127.0.0.1', port: 0, store: { path: join(dir, 'data') }, ...config }));
  const child = spawn(process.execPath, ['--', BIN, 'serve', '--config', file, ...(options.args ?? [])], {
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  return {
    url,
    child,
    output: () => out,
    stop: () =>
      new Promise((resolvePromise) => {
        if (child.exitCode !== null) return resolvePromise(child.exitCode);
        child.once('exit', (code) => resolvePromise(code));
        child.kill('SIGTERM');
      }),
  };
}
