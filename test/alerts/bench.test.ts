import { describe, expect, it } from 'vitest';
import { benchAlerts } from '../../bench/alerts.ts';

describe('bench/alerts', () => {
  it('measures enqueue → webhook arrival and reports median and p99', async () => {
    const lines = await benchAlerts({ runs: 20, warmup: 2 });
    expect(lines[0]).toContain('20 runs');
    const m = /median (\d+\.\d+) ms\s+p99 (\d+\.\d+) ms/.exec(lines[1]);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![2])).toBeGreaterThanOrEqual(Number(m![1]));
  });
});
