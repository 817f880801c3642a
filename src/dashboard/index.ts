import type { FastifyInstance, FastifyReply } from 'fastify';
import { dashboardBundle } from './bundle.ts';
import { dashboardHtml } from './page.ts';
import { machineCharts } from './statechart.ts';

export { dashboardBundle, type DashboardBundle } from './bundle.ts';
export { dashboardHtml } from './page.ts';
export { machineCharts, machineGraph, renderSvg, type MachineCharts, type ChartGraph } from './statechart.ts';

/** Same-origin only: the page talks to this server's API and nothing else. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/**
 * Serves the live dashboard: `GET /` (the page), `GET /dashboard/app.js` and
 * `GET /dashboard/app.css` (prebuilt in dist/, or bundled on first request in a clone; cached in memory) and
 * `GET /dashboard/machines.json` (statechart SVGs generated from the machine definitions).
 */
export async function registerDashboard(app: FastifyInstance): Promise<void> {
  app.get('/', async (_request, reply) => secure(reply).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(dashboardHtml()));
  app.get('/dashboard/app.js', async (_request, reply) => {
    const { js } = await dashboardBundle();
    return secure(reply).type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(js);
  });
  app.get('/dashboard/app.css', async (_request, reply) => {
    const { css } = await dashboardBundle();
    return secure(reply).type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(css);
  });
  app.get('/dashboard/machines.json', async (_request, reply) => secure(reply).header('cache-control', 'no-cache').send(machineCharts()));
}
