import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A point of the portfolio chart: time (s), value, high-water mark, trip level (display numbers). */
export interface ChartPoint {
  t: number;
  /** null: the value is unknown here (the server was down); the line breaks. */
  value: number | null;
  hwm: number | null;
  trip: number | null;
}

/** A trip, halt or reset drawn as a vertical line at its time (s). */
export interface ChartMark {
  readonly t: number;
  readonly label: string;
  readonly kind: 'trip' | 'halt' | 'reset';
}

const MAX_POINTS = 5000;
const MIN_SPAN_S = 60;

const two = (n: number) => String(n).padStart(2, '0');

/** Time labels that suit the span shown: hh:mm over an hour or more, hh:mm:ss below (never ":27.400"). */
function timeLabels(_u: uPlot, ticks: number[], _space: number, _incr: number): string[] {
  const span = ticks.length > 1 ? ticks[ticks.length - 1]! - ticks[0]! : 0;
  return ticks.map((t) => {
    const d = new Date(t * 1000);
    return span >= 3600 ? `${two(d.getHours())}:${two(d.getMinutes())}` : `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  });
}

/** The portfolio value chart (uPlot): value, high-water mark and drawdown trip level, with trips marked. */
export class ValueChart {
  readonly #el: HTMLElement;
  #plot: uPlot | null = null;
  #points: ChartPoint[] = [];
  #marks: ChartMark[] = [];
  #frame = 0;

  constructor(el: HTMLElement) {
    this.#el = el;
    new ResizeObserver(() => this.#resize()).observe(el);
  }

  /** Replaces everything with a strategy's history (oldest first). */
  setHistory(points: ChartPoint[], marks: ChartMark[]): void {
    this.#points = points.slice(-MAX_POINTS);
    this.#marks = marks;
    this.#el.dataset.points = String(this.#points.length);
    this.#el.dataset.marks = String(marks.length);
    this.#el.dataset.gaps = String(this.#points.filter((p) => p.value === null).length);
    this.#schedule();
  }

  addMark(mark: ChartMark): void {
    if (this.#marks.some((m) => m.t === mark.t && m.label === mark.label)) return;
    this.#marks = [...this.#marks, mark];
    this.#el.dataset.marks = String(this.#marks.length);
    this.#schedule();
  }

  /** Adds a point; a point at the same second as the last replaces it. */
  push(point: ChartPoint): void {
    const last = this.#points[this.#points.length - 1];
    if (last && point.t < last.t) return;
    if (last && point.t === last.t) this.#points[this.#points.length - 1] = point;
    else this.#points.push(point);
    if (this.#points.length > MAX_POINTS) this.#points.splice(0, this.#points.length - MAX_POINTS);
    this.#el.dataset.points = String(this.#points.length);
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

  /**
   * Draws the marks as vertical lines with a short label (uPlot's draw hook). Labels of marks
   * close together go on rows below each other, and a label that would leave the plot on the
   * right is drawn to the left of its line, so none overlaps another.
   */
  #drawMarks(u: uPlot): void {
    const ctx = u.ctx;
    const { top, height, left, width } = u.bbox;
    const px = devicePixelRatio;
    ctx.save();
    ctx.font = `${Math.round(11 * px)}px sans-serif`;
    const rowsEnd: number[] = []; // where each row's last label ends (canvas px)
    const placed = this.#marks
      .map((m) => ({ m, x: Math.round(u.valToPos(m.t, 'x', true)) }))
      .filter(({ x }) => x >= left && x <= left + width)
      .sort((a, b) => a.x - b.x);
    for (const { m, x } of placed) {
      ctx.strokeStyle = ctx.fillStyle = m.kind === 'reset' ? '#2b7a3d' : m.kind === 'halt' ? '#6a1b9a' : '#b3261e';
      ctx.lineWidth = 2 * px;
      ctx.setLineDash([4 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      const textWidth = ctx.measureText(m.label).width;
      const toLeft = x + 4 * px + textWidth > left + width;
      const start = toLeft ? x - 4 * px - textWidth : x + 4 * px;
      let row = rowsEnd.findIndex((end) => end < start);
      if (row === -1) row = rowsEnd.length;
      rowsEnd[row] = start + textWidth + 6 * px;
      ctx.textAlign = 'left';
      ctx.fillText(m.label, start, top + (12 + row * 14) * px);
    }
    ctx.restore();
  }

  #render(): void {
    if (this.#plot) return this.#plot.setData(this.#data());
    if (this.#el.clientWidth === 0) return;
    const css = getComputedStyle(document.documentElement);
    const color = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    const money = (_u: uPlot, v: number | null) => (v === null || v === undefined ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: 2 }));
    this.#plot = new uPlot(
      {
        ...this.#size(),
        cursor: { drag: { x: false, y: false } },
        legend: { live: false },
        // At least a minute shown, so a short history is not labelled in fractions of a second.
        scales: { x: { time: true, range: (_u, min, max) => (max - min < MIN_SPAN_S ? [max - MIN_SPAN_S, max + 1] : [min, max]) } },
        axes: [
          { stroke: color('--text-muted', '#555'), grid: { stroke: color('--grid', '#e5e5e5') }, space: 80, values: timeLabels },
          { stroke: color('--text-muted', '#555'), grid: { stroke: color('--grid', '#e5e5e5') }, size: 80, values: (_u, ticks) => ticks.map((v) => v.toLocaleString('en-US')) },
        ],
        series: [
          {},
          { label: 'Portfolio value', stroke: color('--chart-value', '#1f5fbf'), width: 2, value: money },
          { label: 'High-water mark', stroke: color('--chart-hwm', '#2b7a3d'), width: 1.5, dash: [6, 4], value: money },
          { label: 'Drawdown trip level', stroke: color('--chart-trip', '#c62828'), width: 1.5, dash: [2, 3], value: money },
        ],
        hooks: { draw: [(u) => this.#drawMarks(u)] },
      },
      this.#data(),
      this.#el,
    );
  }

  #resize(): void {
    if (!this.#plot) return this.#schedule();
    this.#plot.setSize(this.#size());
  }
}
