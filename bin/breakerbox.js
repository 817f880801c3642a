#!/usr/bin/env node
// The `breakerbox` CLI. Installed from npm, it runs the compiled JavaScript in dist/ with plain
// node. In a source checkout (tsconfig.json beside package.json, which the package does not ship)
// it runs the TypeScript sources through tsx, a devDependency, so `npm start` and the tests need no
// build step; BREAKERBOX_FROM=dist makes a checkout run its dist/ (after `npm run build`) instead.
import { existsSync } from 'node:fs';

const checkout = existsSync(new URL('../tsconfig.json', import.meta.url)) && existsSync(new URL('../src/cli/main.ts', import.meta.url));
const { main } = checkout && process.env.BREAKERBOX_FROM !== 'dist' ? await fromSources() : await fromDist();
process.exitCode = await main(process.argv);

async function fromSources() {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return fromDist(); // a checkout installed without devDependencies: run what `npm run build` made
  }
  tsx.register();
  return import('../src/cli/main.ts');
}

async function fromDist() {
  const entry = new URL('../dist/src/cli/main.js', import.meta.url);
  if (!existsSync(entry)) {
    console.error(`breakerbox: ${entry.pathname} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
  return import(entry.href);
}
