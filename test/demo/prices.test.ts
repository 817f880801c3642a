/** `demo --prices` reads what `breakerbox replay` reads (one reader), and says what it expects otherwise. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadPriceCsv, PriceCsvError, startDemo } from '../../src/demo/index.ts';
import { readSeries } from '../../src/replay/series.ts';

const dir = mkdtempSync(join(tmpdir(), 'bb-prices-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const COLUMNS = /a time column \(timestamp, date, time, datetime\) and a price column \(value, close, price, equity\)/;

describe('demo --prices', () => {
  it('reads OHLC bars (their close), as replay does, and the replay fixture itself', async () => {
    const ohlc = file('bars.csv', 'date,open,high,low,close,volume\n2024-01-02,100,101,99,100.5,1000\n2024-01-03,100.5,102,100,101.25,1200\n');
    expect(await loadPriceCsv(ohlc)).toEqual([100.5, 101.25]);
    const fixture = resolve(import.meta.dirname, '../replay/fixtures/index-2023.csv');
    const series = await readSeries(fixture);
    expect(await loadPriceCsv(fixture)).toEqual(series.values.map(Number));
    const jsonl = file('bars.jsonl', '{"timestamp":"2024-01-02T15:30:00Z","close":10}\n{"timestamp":"2024-01-02T15:31:00Z","close":10.5}\n');
    expect(await loadPriceCsv(jsonl)).toEqual([10, 10.5]);
  });

  it('still reads its own plain forms: a price per line, "price" alone, timestamp,price rows without a header', async () => {
    expect(await loadPriceCsv(file('plain.csv', '10\n10.5\n'))).toEqual([10, 10.5]);
    expect(await loadPriceCsv(file('price.csv', 'price\n10\n10.5\n'))).toEqual([10, 10.5]);
    expect(await loadPriceCsv(file('rows.csv', '2026-01-05T14:30:00Z,101.2\n2026-01-05T14:30:01Z,100.9\n'))).toEqual([101.2, 100.9]);
  });

  it('an unusable file: the error names the file, the line and the columns it expects', async () => {
    const noColumns = file('wrong.csv', 'when,last\n2024-01-02,100\n');
    await expect(loadPriceCsv(noColumns)).rejects.toThrow(PriceCsvError);
    await expect(loadPriceCsv(noColumns)).rejects.toThrow(new RegExp(`^${noColumns.replaceAll('/', '\\/')}:1: the header has no a time column`));
    await expect(loadPriceCsv(noColumns)).rejects.toThrow(COLUMNS);
    const negative = file('negative.csv', 'date,close\n2024-01-02,100\n2024-01-03,-5\n');
    await expect(loadPriceCsv(negative)).rejects.toThrow(`${negative}:3: price must be positive (got -5)`);
    const garbage = file('garbage.csv', '10\nabc\n');
    await expect(loadPriceCsv(garbage)).rejects.toThrow(new RegExp(`^${garbage.replaceAll('/', '\\/')}:2: not a price: "abc"; --prices reads`));
    const missing = join(dir, 'missing.csv');
    await expect(loadPriceCsv(missing)).rejects.toThrow(new RegExp(`^${missing.replaceAll('/', '\\/')}: cannot read the file \\(ENOENT\\)`));
    await expect(loadPriceCsv(file('empty.csv', ''))).rejects.toThrow(COLUMNS);
  });

  it('the demo replays an OHLC file for alpha', async () => {
    const ohlc = file('alpha.csv', `date,open,high,low,close,volume\n${Array.from({ length: 30 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')},1,1,1,${100 - i},1`).join('\n')}\n`);
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const demo = await startDemo({ speed: 25, port: 0, dataDir: join(dir, 'data'), seed: 7, out, tty: false, pricesFile: ohlc });
    await demo.stop();
    expect(text).toContain(`replaying ${ohlc}`);
  });
});
