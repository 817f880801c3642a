import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The browser bundle: one ES module and one stylesheet (uPlot's CSS included). */
export interface DashboardBundle {
  readonly js: string;
  readonly css: string;
}

const ENTRY = fileURLToPath(new URL('./client/main.ts', import.meta.url));

let pending: Promise<DashboardBundle> | null = null;

/** Bundles src/dashboard/client with esbuild's JS API, once per process (cached in memory). */
export function dashboardBundle(): Promise<DashboardBundle> {
  pending ??= buildBundle().catch((error: unknown) => {
    pending = null; // let a later request retry
    throw error;
  });
  return pending;
}

async function buildBundle(): Promise<DashboardBundle> {
  const result = await build({
    entryPoints: { app: ENTRY },
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    platform: 'browser',
    target: ['es2022'],
    outdir: 'out',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (!js || !css) throw new Error('dashboard bundle: esbuild produced no JS or no CSS output');
  return { js: js.text, css: css.text };
}
