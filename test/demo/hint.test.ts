/**
 * What the demo tells a person to type: commands that work where it runs (`npx breakerbox`, not a
 * clone's `node bin/…`), the token in the environment (never on a command line), and why the API
 * is not on the port asked for.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startDemo } from '../../src/demo/index.ts';
import { bannerLines, cliInvocation, portNote } from '../../src/demo/hint.ts';

const TOKEN = 'hint-token-0123456789abcdef';

describe('how the printed commands run the CLI', () => {
  it('npx breakerbox for an installed package (bin under node_modules, through the .bin symlink too) and inside a clone; an absolute node path only outside it', () => {
    const work = mkdtempSync(join(tmpdir(), 'bb-hint-'));
    const pkg = join(work, 'app/node_modules/breakerbox');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    writeFileSync(join(pkg, 'bin/breakerbox.js'), '');
    mkdirSync(join(work, 'app/node_modules/.bin'));
    symlinkSync('../breakerbox/bin/breakerbox.js', join(work, 'app/node_modules/.bin/breakerbox'));
    expect(cliInvocation(join(work, 'app/node_modules/.bin/breakerbox'), join(work, 'app'))).toBe('npx breakerbox');
    expect(cliInvocation(join(pkg, 'bin/breakerbox.js'), join(work, 'app'))).toBe('npx breakerbox');
    expect(cliInvocation(join(pkg, 'bin/breakerbox.js'), tmpdir())).toBe('npx breakerbox');

    const clone = join(work, 'my clone');
    mkdirSync(join(clone, 'bin'), { recursive: true });
    writeFileSync(join(clone, 'bin/breakerbox.js'), '');
    expect(cliInvocation(join(clone, 'bin/breakerbox.js'), clone)).toBe('npx breakerbox'); // npm runs a project's own bin
    expect(cliInvocation(join(clone, 'bin/breakerbox.js'), join(clone, 'examples'))).toBe('npx breakerbox');
    expect(cliInvocation(join(clone, 'bin/breakerbox.js'), work)).toBe(`node ${JSON.stringify(join(clone, 'bin/breakerbox.js'))}`);
    expect(cliInvocation(undefined, work)).toBe('npx breakerbox');
  });

  it('the banner: no node bin/ path, the token only on its own line and in the one export line, whichever its source', () => {
    const facts = { strategies: 6, seed: 42, speed: 1, replaying: null, url: 'http://127.0.0.1:8787', token: TOKEN, requestedPort: 8787, persisted: true, dataDir: './data', logFile: './data/breakerbox.log', cli: 'npx breakerbox' };
    const generated = bannerLines({ ...facts, tokenFromEnv: false });
    const commands = generated.filter((l) => l.trim().startsWith('npx breakerbox'));
    expect(commands.length).toBeGreaterThanOrEqual(4);
    expect(generated.join('\n')).not.toContain('bin/breakerbox');
    expect(commands.join('\n')).not.toMatch(/--token|--url|hint-token/);
    expect(generated.filter((l) => l.includes(TOKEN))).toEqual([
      `  token      ${TOKEN} (generated for this run; set BREAKERBOX_TOKEN to choose one)`,
      `  export BREAKERBOX_URL=http://127.0.0.1:8787 BREAKERBOX_TOKEN=${TOKEN}`,
    ]);
    const fromEnv = bannerLines({ ...facts, tokenFromEnv: true });
    expect(fromEnv.filter((l) => l.includes(TOKEN))).toEqual([`  token      ${TOKEN} (from BREAKERBOX_TOKEN)`, `  export BREAKERBOX_URL=http://127.0.0.1:8787 BREAKERBOX_TOKEN=${TOKEN}`]);
  });

  it('says why the port moved: the ports tried that were busy', () => {
    expect(portNote(8787, 8787)).toBeNull();
    expect(portNote(0, 41234)).toBeNull();
    expect(portNote(8787, 8788)).toBe('  port       8788, because 8787 was in use (another demo or breakerbox serve?); --port <n> chooses one');
    expect(portNote(8787, 8790)).toBe('  port       8790, because 8787–8789 were in use (another demo or breakerbox serve?); --port <n> chooses one');
    expect(portNote(8787, 41234)).toBe('  port       41234, because 8787–8796 were in use (another demo or breakerbox serve?); --port <n> chooses one');
  });
});

describe('a running demo', () => {
  it('on a busy port: says it moved and why; its reset hints carry neither the URL nor the token', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const taken = (busy.address() as { port: number }).port;
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const dir = mkdtempSync(join(tmpdir(), 'bb-hint-demo-'));
    const demo = await startDemo({ speed: 25, port: taken, dataDir: join(dir, 'data'), seed: 7, out, tty: false, token: TOKEN, exitOnEnd: true });
    try {
      const port = Number(new URL(demo.url).port);
      expect(port).not.toBe(taken);
      expect(text).toContain(`  port       ${port}, because ${taken}`);
      await demo.finished; // the scripted sequence ends: reset hints printed
    } finally {
      await demo.stop();
      busy.close();
    }
    expect(text).toContain('npx breakerbox live reset --strategy');
    expect(text).not.toContain('bin/breakerbox');
    const commandLines = text.split('\n').filter((l) => /npx breakerbox /.test(l));
    expect(commandLines.length).toBeGreaterThan(4);
    for (const line of commandLines) expect(line).not.toMatch(/--token|--url|hint-token/);
    expect(text.split('\n').filter((l) => l.includes(TOKEN))).toHaveLength(2); // the token line and the one export line
  }, 60_000);
});
