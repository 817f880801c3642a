import type { Readable, Writable } from 'node:stream';
import type { Command, OutputConfiguration } from 'commander';

/**
 * Where one CLI run reads and writes: the process's streams for the `breakerbox` bin, a test's
 * streams when the CLI runs in process (`main(argv, io)`), so a test needs no child process.
 */
export interface CliIo {
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable & { readonly isTTY?: boolean };
  /** Where `live reset` and `firm reset` read the typed confirmation. */
  readonly stdin: Readable & { readonly isTTY?: boolean };
}

/** The process's own streams: what the bin uses. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** Commander's help width when its output is not a terminal. */
const PIPE_WIDTH = 80;

/**
 * Points a command's own output (help, usage errors) at `io`. The process's streams keep
 * commander's defaults (terminal width, colours); other streams are treated as a pipe is: no
 * width, no colours, so a run in process prints what the bin prints into a pipe.
 */
export function routeOutput(command: Command, io: CliIo): void {
  if (io.stdout === process.stdout && io.stderr === process.stderr) return;
  const pipe: OutputConfiguration = {
    writeOut: (text) => void io.stdout.write(text),
    writeErr: (text) => void io.stderr.write(text),
    getOutHelpWidth: () => PIPE_WIDTH,
    getErrHelpWidth: () => PIPE_WIDTH,
    getOutHasColors: () => false,
    getErrHasColors: () => false,
  };
  command.configureOutput(pipe);
}
