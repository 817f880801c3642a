import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSeries, readSeries, SeriesError } from '../../src/replay/series.ts';
import { runCli } from '../cli/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'bb-replay-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('reading series', () => {
  it('reads timestamp,value and date,close CSV, JSON lines, epoch ms and seconds, quoted cells and CRLF', () => {
    const a = parseSeries('timestamp,value\n2024-01-02T15:30:00Z,100.5\n2024-01-02T16:31:00+01:00,101\n2024-01-02 15:32,1e2\n');
    expect([...a.at]).toEqual([Date.UTC(2024, 0, 2, 15, 30), Date.UTC(2024, 0, 2, 15, 31), Date.UTC(2024, 0, 2, 15, 32)]);
    expect(a.values).toEqual(['100.5', '101', '1e2']);
    const b = parseSeries('Date,Open,Close\r\n"2024-01-02",1,"4700.25"\r\n2024-01-03,1,4690\r\n');
    expect(b.values).toEqual(['4700.25', '4690']);
    expect([...b.at]).toEqual([Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)]);
    expect([...b.lines]).toEqual([2, 3]);
    const c = parseSeries('{"timestamp": 1704209400000, "value": 100}\n{"time": 1704209460, "price": "100.25"}\n');
    expect([...c.at]).toEqual([1704209400000, 1704209460000]);
    expect(c.values).toEqual(['100', '100.25']);
  });

  const bad: [string, string, RegExp][] = [
    ['missing columns', 'when,amount\n2024-01-02,1\n', /bad\.csv:1: the header has no a time column \(timestamp, date, time, datetime\) and no a value column/],
    ['missing value column', 'date,open\n2024-01-02,1\n', /:1: the header has no a value column \(value, close, price, equity\); found columns: "date", "open"/],
    ['an unparsable number', 'date,close\n2024-01-02,100\n2024-01-03,1,234.5\n', /:3: expected 2 columns like the header, found 3/],
    ['a number with a unit', 'date,close\n2024-01-02,100\n2024-01-03,$101\n', /:3: value "\$101" is not a number/],
    ['an empty value', 'date,close\n2024-01-02,\n', /:2: value is empty/],
    ['an unparsable time', 'date,close\n02/01/2024,100\n', /:2: timestamp "02\/01\/2024" is not an ISO date/],
    ['timestamps out of order', 'date,close\n2024-01-02,100\n2024-01-04,101\n2024-01-03,102\n', /:4: timestamp "2024-01-03" \(2024-01-03T00:00:00.000Z\) is before the previous row's \(2024-01-04T00:00:00.000Z, line 3\): rows must be in time order/],
    ['an empty file', '', /bad\.csv: the file is empty/],
    ['only blank lines', '\n\n  \n', /the file is empty/],
    ['a header and no rows', 'date,close\n', /bad\.csv:1: no data rows after the header/],
    ['bad JSON lines', '{"timestamp": 1704209400000, "value": 1}\n{"timestamp": 1704209460000, value: 2}\n', /bad\.csv:2: not valid JSON/],
  ];
  for (const [name, text, message] of bad) {
    it(`refuses ${name}, naming the line`, async () => {
      const error = await readSeries(file('bad.csv', text)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SeriesError);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('refuses a 1 GB file by its size, before reading it (a sparse file: no disk used)', async () => {
    const path = join(dir, 'huge.csv');
    execFileSync('truncate', ['-s', '1G', path]);
    const started = performance.now();
    await expect(readSeries(path)).rejects.toThrow(/huge\.csv: the file is 1 GiB, above the limit of 256 MiB; split it or raise the limit \(--max-size\)/);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('breakerbox replay (CLI)', () => {
  const csv = file('walk.csv', ['date,close', '2024-01-02,100', '2024-01-03,104', '2024-01-04,97', '2024-01-05,94', '2024-01-08,95', '2024-01-09,86', '2024-01-10,87'].join('\n'));

  it('--json prints one object per event with type, breaker, index and timestamp, then a summary', async () => {
    const config = file('config.json', JSON.stringify({ breakers: { drawdown: { threshold: -0.08 }, dailyLoss: false } }));
    const { code, stdout, stderr } = await runCli(['replay', csv, '--config', config, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.type, l.breaker, l.index, l.timestamp])).toEqual([
      ['warning', 'drawdown', 2, '2024-01-04T00:00:00.000Z'],
      ['trip', 'drawdown', 3, '2024-01-05T00:00:00.000Z'],
      ['recovery', 'drawdown', 4, '2024-01-08T00:00:00.000Z'],
      ['trip', 'drawdown', 5, '2024-01-09T00:00:00.000Z'],
      ['recovery', 'drawdown', 6, '2024-01-10T00:00:00.000Z'],
      ['summary', undefined, undefined, undefined],
    ]);
    expect(lines.at(-1)).toMatchObject({ rows: 7, trips: 2, firstTrip: { index: 3, timestamp: '2024-01-05T00:00:00.000Z' } });
  });

  it('--sweep prints a table; bad input exits 1 with the line named', async () => {
    const sweepRun = await runCli(['replay', csv, '--sweep', 'drawdown.threshold=-0.05:-0.15:0.05', '--preset', 'aggressive']);
    expect(sweepRun.code).toBe(0);
    expect(sweepRun.stdout).toMatch(/drawdown\.threshold\s+trips\s+first row\s+first trip\s+halted/);
    expect(sweepRun.stdout.trim().split('\n')).toHaveLength(5);
    const badRun = await runCli(['replay', file('bad2.csv', 'date,close\n2024-01-02,100\n2024-01-03,abc\n')]);
    expect(badRun.code).toBe(1);
    expect(badRun.stderr).toMatch(/breakerbox: .*bad2\.csv:3: value "abc" is not a number/);
  });
});
