/**
 * The architecture's dependency rules, read from the source: `machines/` imports nothing from
 * `src/` (the statecharts stay pure), and no module of `src/` or `machines/` reaches itself
 * through its imports (type-only imports count: a cycle of types is still a cycle of design).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Module → the modules it imports (relative imports only, as repository paths). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const deps = [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => relative(ROOT, resolve(dirname(file), m[1]!)));
    graph.set(relative(ROOT, file), deps);
  }
  return graph;
}

/** Every cycle's members (strongly connected components of more than one module, or a self-import). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const graph = importGraph([...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'machines'))]);

/**
 * The folders from the inside out (docs/architecture.md, "Layers"): a module imports only from its
 * own folder or one listed before it. `src/(core)` is the modules at the top of src/ (config,
 * errors, events, clock, …); `src/index.ts` is the package's entry and comes last.
 */
const LAYERS = [
  'machines',
  'src/(core)',
  'src/runtime',
  'src/present',
  'src/store',
  'src/alerts',
  'src/cluster',
  'src/app',
  'src/replay',
  'src/metrics',
  'src/dashboard',
  'src/testing',
  'src/server',
  'src/cli',
  'src/demo',
  'src/index.ts',
] as const;

/** A module's folder, as LAYERS names it. */
function folderOf(module: string): string {
  const parts = module.split('/');
  if (parts[0] !== 'src') return parts[0]!;
  if (parts.length > 2) return `src/${parts[1]}`;
  return parts[1] === 'index.ts' ? 'src/index.ts' : 'src/(core)';
}

/** Imports that point outwards (to a later layer) or into a folder no layer names. */
function outwardImports(g: ReadonlyMap<string, readonly string[]>, layers: readonly string[]): string[] {
  const rank = new Map(layers.map((folder, i) => [folder, i]));
  const wrong: string[] = [];
  for (const [file, deps] of g) {
    const from = rank.get(folderOf(file));
    if (from === undefined) {
      wrong.push(`${file}: its folder ${folderOf(file)} is in no layer`);
      continue;
    }
    for (const dep of deps) {
      const to = rank.get(folderOf(dep));
      if (to === undefined || to > from) wrong.push(`${file} → ${dep} (${folderOf(file)} → ${folderOf(dep)})`);
    }
  }
  return wrong;
}

/** The folder graph's cycles (a folder that reaches itself through other folders). */
function folderCycles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  const folders = new Map<string, Set<string>>();
  for (const [file, deps] of g) {
    const from = folderOf(file);
    const set = folders.get(from) ?? new Set<string>();
    for (const dep of deps) if (folderOf(dep) !== from) set.add(folderOf(dep));
    folders.set(from, set);
  }
  return cycles(new Map([...folders].map(([f, s]) => [f, [...s]])));
}

describe('dependency rules', () => {
  it('reads the whole tree (every module of src/ and machines/)', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get('src/runtime/runtime.ts')).toContain('src/runtime/core.ts');
    expect(graph.get('src/cluster/node.ts')).toContain('src/cluster/firmNode.ts'); // a type-only import is read too
  });

  it('machines/ imports nothing from src/', () => {
    const outward = [...graph].flatMap(([file, deps]) => (file.startsWith('machines/') ? deps.filter((d) => d.startsWith('src/')).map((d) => `${file} → ${d}`) : []));
    expect(outward).toEqual([]);
  });

  it('no import cycles, type-only imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('folders point one way: every import goes to its own folder or an inner layer; no folder-level cycles', () => {
    expect(outwardImports(graph, LAYERS)).toEqual([]);
    expect(folderCycles(graph)).toEqual([]);
    // Every folder of src/ is in a layer.
    const folders = new Set([...graph.keys()].map(folderOf));
    expect([...folders].filter((f) => !(LAYERS as readonly string[]).includes(f))).toEqual([]);
  });

  it('the folder checks find a planted folder cycle and an outward import', () => {
    const planted = new Map([
      ['src/runtime/a.ts', ['src/store/b.ts']],
      ['src/store/b.ts', ['src/runtime/c.ts']],
      ['src/runtime/c.ts', []],
    ]);
    expect(folderCycles(planted)).toEqual([['src/runtime', 'src/store']]);
    expect(outwardImports(planted, LAYERS)).toEqual(['src/runtime/a.ts → src/store/b.ts (src/runtime → src/store)']);
    expect(outwardImports(new Map([['src/newfolder/x.ts', []]]), LAYERS)).toEqual(['src/newfolder/x.ts: its folder src/newfolder is in no layer']);
    expect(folderCycles(new Map([['src/runtime/a.ts', ['machines/b.ts']], ['machines/b.ts', []]]))).toEqual([]);
  });

  it('the check finds a planted cycle, a self-import and nothing in a chain', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', ['a']]]))).toEqual([['a']]);
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });
});
