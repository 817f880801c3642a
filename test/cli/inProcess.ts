/**
 * Runs a `breakerbox` command in this process: `main(argv, io)` with captured stdout and stderr
 * and a stdin holding `input`, resolving with the exit code main() returns (the bin sets it as
 * the process's exit code). For the argument and exit-code cases, which need no process of their
 * own; pass `--url` and `--token` explicitly, since the environment here is the test runner's.
 */
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';
import type { CliResult } from './helpers.ts';

/** A stream that keeps what is written to it (synchronously, so it is complete when main() resolves). */
function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

export async function runInProcess(args: readonly string[], options: { input?: string } = {}): Promise<CliResult> {
  const stdout = capture();
  const stderr = capture();
  const stdin = Readable.from(options.input === undefined ? [] : [options.input]);
  const code = await main(['node', 'breakerbox', ...args], { stdout: stdout.stream, stderr: stderr.stream, stdin });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
