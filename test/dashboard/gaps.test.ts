import { describe, expect, it } from 'vitest';
import { withGaps } from '../../src/dashboard/client/history.ts';

const p = (t: number, value: number) => ({ t, value, hwm: null, trip: null });

describe('the value chart across a downtime', () => {
  it('puts a point of unknown value inside each gap, in time order, so the line breaks there', () => {
    const points = [p(10, 100), p(20, 101), p(100, 90), p(110, 91)];
    const out = withGaps(points, [{ from: 20_000, t: 100_000 }]);
    expect(out.map((x) => [x.t, x.value])).toEqual([[10, 100], [20, 101], [60, null], [100, 90], [110, 91]]);
  });

  it('changes nothing without gaps', () => {
    const points = [p(1, 1), p(2, 2)];
    expect(withGaps(points, [])).toEqual(points);
  });
});
