import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The browser bundle: one ES module and one stylesheet (uPlot's CSS included). */
export interface DashboardBundle {
  readonly js: string;
  readonly css: string;
}

/**
 * The prebuilt bundle that `npm run build` writes beside this module's compiled form
 * (dist/src/dashboard/client/app.{js,css}): what an installed package serves. There is none
 * beside the TypeScript sources, so a clone bundles the client sources on demand instead.
 */
const PREBUILT_JS = new URL('./client/app.js', import.meta.url);
const PREBUILT_CSS = new URL('./client/app.css', import.meta.url);
const ENTRY = fileURLToPath(new URL('./client/main.ts', import.meta.url));

let pending: Promise<DashboardBundle> | null = null;

/**
 * The dashboard's client bundle, once per process (cached in memory): the prebuilt files from
 * dist/ when they are there (an installed package), else bundled from src/dashboard/client with
 * esbuild (a clone; esbuild is a devDependency and is only loaded then).
 */
export function dashboardBundle(): Promise<DashboardBundle> {
  pending ??= loadBundle().catch((error: unknown) => {
    pending = null; // let a later request retry
    throw error;
  });
  return pending;
}

async function loadBundle(): Promise<DashboardBundle> {
  return (await readPrebuilt()) ?? (await buildDashboardBundle());
}

async function readPrebuilt(): Promise<DashboardBundle | null> {
  try {
    const [js, css] = await Promise.all([readFile(PREBUILT_JS, 'utf8'), readFile(PREBUILT_CSS, 'utf8')]);
    return { js, css };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Bundles the dashboard client with esbuild's JS API: used by `npm run build` (scripts/build.mjs,
 * which writes the result to dist/) and by a clone that serves the dashboard from sources.
 */
export async function buildDashboardBundle(entry: string = ENTRY): Promise<DashboardBundle> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new Error(
      `dashboard bundle: no prebuilt bundle at ${fileURLToPath(PREBUILT_JS)} and esbuild (a build-time devDependency) cannot be loaded; run \`npm run build\``,
      { cause: error },
    );
  }
  const result = await esbuild.build({
    entryPoints: { app: entry },
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
