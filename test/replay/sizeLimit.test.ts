/**
 * Replay's size limit counts the bytes read (issue 21): stat() says 0 for a pipe or a device, so
 * a limit judged by stat() alone let a pipe streaming 5 MB be read whole past a 10 KiB limit.
 * Real FIFOs (mkfifo) written by a child process, /dev/zero, /dev/stdin from a pipeline, and
 * regular files at, below and above the limit.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSeries, SeriesError, SeriesTooLargeError } from '../../src/replay/series.ts';
import { BIN, cleanEnv } from '../cli/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'bb-replay-size-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LIMIT = 10 * 1024;
const FIVE_MB = 5 * 1024 * 1024;

/** A child process that writes `bytes` of CSV (a header, then rows) into `path`, and reports how many it wrote before the reader stopped. */
function writer(path: string, bytes: number): { done: Promise<{ written: number; code: number | null }> } {
  const script = `
    const fs = require('node:fs');
    const fd = fs.openSync(process.argv[1], 'w');
    const row = Buffer.from('2024-01-02T15:30:00Z,100.25\\n');
    const chunk = Buffer.concat([Buffer.from('timestamp,value\\n'), ...Array.from({ length: 2200 }, () => row)]).subarray(0, 65536);
    let written = 0;
    try {
      while (written < Number(process.argv[2])) written += fs.writeSync(fd, chunk, 0, Math.min(chunk.length, Number(process.argv[2]) - written));
    } catch (error) {
      if (error.code !== 'EPIPE') throw error;
    }
    process.stderr.write(String(written));
  `;
  const child = spawn(process.execPath, ['-e', script, path, String(bytes)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ written: Number(stderr), code }))) };
}

function fifo(name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}

describe('readSeries counts the bytes it reads', () => {
  it('a FIFO streaming 5 MB past a 10 KiB limit is stopped once past the limit, with a typed error naming the file and the limit', async () => {
    const path = fifo('stream.csv');
    const w = writer(path, FIVE_MB);
    const error = await readSeries(path, { maxBytes: LIMIT }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeriesTooLargeError);
    expect(error).toBeInstanceOf(SeriesError);
    expect(error).toMatchObject({ code: 'SERIES_TOO_LARGE', maxBytes: LIMIT, line: null });
    expect((error as Error).message).toBe(`${path}: more than 10 KiB read (the limit) and the stream goes on; split it or raise the limit (--max-size)`);
    // The reader closed the pipe: the writer was stopped long before 5 MB (a pipe buffers 64 KiB).
    const { written } = await w.done;
    expect(written).toBeLessThan(1024 * 1024);
  });

  it('a FIFO carrying a series within the limit is read and parsed whole', async () => {
    const path = fifo('small.csv');
    const source = join(dir, 'small-source.csv');
    writeFileSync(source, `timestamp,value\n${'2024-01-02T15:30:00Z,100.25\n'.repeat(300)}`); // 8,416 bytes
    const cat = spawn('sh', ['-c', 'cat "$0" > "$1"', source, path], { stdio: 'ignore' });
    const catDone = new Promise((resolve) => cat.on('close', resolve));
    const series = await readSeries(path, { maxBytes: LIMIT });
    expect(await catDone).toBe(0);
    expect(series.values).toHaveLength(300);
    expect(series.values.every((v) => v === '100.25')).toBe(true);
  });

  it('a device that never ends (/dev/zero) is stopped at the limit', async () => {
    const error = await readSeries('/dev/zero', { maxBytes: LIMIT }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeriesTooLargeError);
    expect((error as Error).message).toMatch(/^\/dev\/zero: more than 10 KiB read/);
  });

  it('a regular file: exactly at the limit is read, one byte above is refused by its size, naming the file and the limit', async () => {
    const header = 'timestamp,value\n';
    const row = '2024-01-02T15:30:00Z,1\n';
    let text = header;
    while (text.length + row.length <= LIMIT) text += row;
    text = text.slice(0, -1) + ' '.repeat(LIMIT - text.length) + '\n';
    expect(Buffer.byteLength(text)).toBe(LIMIT);
    const at = join(dir, 'at.csv');
    writeFileSync(at, text);
    expect((await readSeries(at, { maxBytes: LIMIT })).values.length).toBeGreaterThan(100);
    const above = join(dir, 'above.csv');
    writeFileSync(above, `${text} `);
    const error = await readSeries(above, { maxBytes: LIMIT }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeriesTooLargeError);
    expect((error as Error).message).toBe(`${above}: the file is 10.0 KiB, above the limit of 10 KiB; split it or raise the limit (--max-size)`);
  });

  it('a limit that is not a whole number of bytes is refused before anything is read', async () => {
    for (const maxBytes of [-1, 1.5, Number.NaN, Infinity, 2 ** 60]) {
      await expect(readSeries('/dev/zero', { maxBytes })).rejects.toThrow(RangeError);
    }
  });
});

describe('breakerbox replay --max-size on a pipe', () => {
  it('replay /dev/stdin fed 5 MB by another process stops at --max-size 10KiB with a usage error (exit 1) and the limit in the message', async () => {
    const feeder = `const row = '2024-01-02T15:30:00Z,100.25\\n'; const chunk = 'timestamp,value\\n' + row.repeat(2400); let n = 0; function go() { while (n < ${FIVE_MB}) { n += chunk.length; if (!process.stdout.write(chunk)) return process.stdout.once('drain', go); } } process.stdout.on('error', () => process.exit(0)); go();`;
    const child = spawn('sh', ['-c', `"${process.execPath}" -e "$FEED" | "${process.execPath}" -- "${BIN}" replay /dev/stdin --max-size 10KiB`], {
      env: cleanEnv({ FEED: feeder }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).toBe('');
    expect(stderr).toMatch(/\/dev\/stdin: more than 10 KiB read \(the limit\) and the stream goes on; split it or raise the limit \(--max-size\)/);
    expect(code).toBe(1);
  }, 30_000);
});
