/** Small SVG helpers shared by the report's charts. */

export const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const f1 = (n: number): string => n.toFixed(1);

/** Text at (x, y) with a class and anchor. */
export function text(x: number, y: number, body: string, cls = '', anchor: 'start' | 'middle' | 'end' = 'start'): string {
  return `<text x="${f1(x)}" y="${f1(y)}"${cls ? ` class="${cls}"` : ''} text-anchor="${anchor}">${esc(body)}</text>`;
}

/** Rough width of a label in the report's 11 px font (for placing labels so that they do not overlap). */
export const labelWidth = (label: string): number => label.length * 6.2 + 8;

/**
 * Rows for labels at increasing x so none overlaps another in its row: each label takes the first
 * row where it fits, among `maxRows`; -1 when none has room (the caller leaves that one unlabelled).
 */
export function labelRows(xs: readonly { x: number; width: number }[], maxRows: number): number[] {
  const ends: number[] = [];
  return xs.map(({ x, width }) => {
    let row = ends.findIndex((end) => end <= x);
    if (row < 0 && ends.length < maxRows) row = ends.length;
    if (row >= 0) ends[row] = x + width;
    return row;
  });
}
