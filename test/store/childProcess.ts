import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const CACHE = join(process.cwd(), 'node_modules', '.cache', 'breakerbox-test');

/** Bundles a TypeScript fixture once (dependencies stay external) so each child starts fast. */
export async function bundleFixture(entry: string, name: string): Promise<string> {
  await mkdir(CACHE, { recursive: true });
  const outfile = join(CACHE, `${name}.mjs`);
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'silent' });
  return outfile;
}

/** A child process speaking the line protocol of the crash fixture. */
export class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  #waiters: { prefix: string; resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  #buffer = '';
  exited = false;

  constructor(script: string, args: string[]) {
    this.proc = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    this.proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    this.proc.stdout.on('data', (d: Buffer) => {
      this.#buffer += d.toString();
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        this.lines.push(line);
        const waiter = this.#waiters.find((w) => line.startsWith(w.prefix));
        if (waiter) {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          waiter.resolve(line);
        }
      }
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.#waiters) w.reject(new Error(`child exited (${code ?? signal}) before "${w.prefix}": ${stderr.slice(-2000)}`));
      this.#waiters = [];
    });
  }

  send(command: object): void {
    this.proc.stdin.write(`${JSON.stringify(command)}\n`);
  }

  waitFor(prefix: string, timeoutMs = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for "${prefix}"`)), timeoutMs);
      this.#waiters.push({
        prefix,
        resolve: (l) => (clearTimeout(timer), resolve(l)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  async kill(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGKILL');
    await exited;
  }
}
