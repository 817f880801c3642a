/**
 * A week of one-minute bars (Mon–Fri, 09:30–16:00 New York, 390 bars a day) from a fixed seed:
 * a slow drift, noise, and a sharp sell-off on Wednesday afternoon, as CSV (`timestamp,close`).
 */
export function weekOfMinuteBars(start = Date.UTC(2024, 2, 11, 13, 30), seed = 7): string {
  let s = seed >>> 0;
  const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const lines = ['timestamp,close'];
  let price = 5000;
  for (let day = 0; day < 5; day++) {
    const open = start + day * 86_400_000;
    for (let m = 0; m < 390; m++) {
      const crash = day === 2 && m >= 240 && m < 300 ? -0.0012 : 0;
      const rebound = day === 3 && m < 120 ? 0.0004 : 0;
      price *= 1 + crash + rebound + (random() - 0.5) * 0.0016;
      lines.push(`${new Date(open + m * 60_000).toISOString()},${price.toFixed(2)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
