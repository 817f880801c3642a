import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A point of the portfolio chart: time (s), value, high-water mark, trip level (display numbers). */
export interface ChartPoint {
  t: number;
  value: number;
  hwm: number | null;
  trip: number | null;
}

const MAX_POINTS = 3000;

/** The portfolio value chart (uPlot): value, high-water mark and drawdown trip level. */
export class ValueChart {
  readonly #el: HTMLElement;
  #plot: uPlot | null = null;
  #points: ChartPoint[] = [];
  #frame = 0;

  constructor(el: HTMLElement) {
    this.#el = el;
    new ResizeObserver(() => this.#resize()).observe(el);
  }

  clear(): void {
    this.#points = [];
    this.#schedule();
  }

  /** Adds a point; a point at the same second as the last replaces it. */
  push(point: ChartPoint): void {
    const last = this.#points[this.#points.length - 1];
    if (last && point.t < last.t) return;
    if (last && point.t === last.t) this.#points[this.#points.length - 1] = point;
    else this.#points.push(point);
    if (this.#points.length > MAX_POINTS) this.#points.splice(0, this.#points.length - MAX_POINTS);
    this.#schedule();
  }

  /** Corrects the levels of the latest point with the runtime's exact figures. */
  amendLast(hwm: number | null, trip: number | null): void {
    const last = this.#points[this.#points.length - 1];
    if (!last || (last.hwm === hwm && last.trip === trip)) return;
    last.hwm = hwm;
    last.trip = trip;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  #data(): uPlot.AlignedData {
    const p = this.#points;
    return [p.map((x) => x.t), p.map((x) => x.value), p.map((x) => x.hwm), p.map((x) => x.trip)];
  }

  #size(): { width: number; height: number } {
    const width = Math.max(240, Math.floor(this.#el.clientWidth));
    return { width, height: width < 500 ? 200 : 260 };
  }

  #render(): void {
    if (!this.#plot) {
      if (this.#el.clientWidth === 0) return;
      const css = getComputedStyle(document.documentElement);
      const color = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
      const money = (_u: uPlot, v: number | null) => (v === null || v === undefined ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: 2 }));
      this.#plot = new uPlot(
        {
          ...this.#size(),
          cursor: { drag: { x: false, y: false } },
          legend: { live: false },
          // A lone point gets a one-minute span instead of uPlot's multi-year auto range.
          // (uPlot pads a lone point by 86400/ms "units", i.e. ~2.7 years on a seconds axis.)
          scales: { x: { time: true, range: (u, min, max) => ((u.data?.[0]?.length ?? 0) <= 1 ? [min - 30, min + 30] : [min, max]) } },
          axes: [
            { stroke: color('--text-muted', '#555'), grid: { stroke: color('--grid', '#e5e5e5') } },
            { stroke: color('--text-muted', '#555'), grid: { stroke: color('--grid', '#e5e5e5') }, size: 80, values: (_u, ticks) => ticks.map((v) => v.toLocaleString('en-US')) },
          ],
          series: [
            {},
            { label: 'Portfolio value', stroke: color('--chart-value', '#1f5fbf'), width: 2, value: money },
            { label: 'High-water mark', stroke: color('--chart-hwm', '#2b7a3d'), width: 1.5, dash: [6, 4], value: money },
            { label: 'Drawdown trip level', stroke: color('--chart-trip', '#c62828'), width: 1.5, dash: [2, 3], value: money },
          ],
        },
        this.#data(),
        this.#el,
      );
      return;
    }
    this.#plot.setData(this.#data());
  }

  #resize(): void {
    if (!this.#plot) return this.#schedule();
    this.#plot.setSize(this.#size());
  }
}
