import { toDirectedGraph, type DirectedGraphNode } from '@xstate/graph';
import type { AnyStateMachine } from 'xstate';
import type { BreakerType } from '../../machines/rules/registry.ts';
import { REGISTRY } from '../../machines/rules/registry.ts';
import { supervisorMachine } from '../../machines/supervisor.ts';

/** One top-level state of a machine, with its direct sub-states (if compound). */
export interface ChartNode {
  readonly key: string;
  readonly children: readonly string[];
}

/** All transitions between two top-level states, merged (sub-state targets collapse to their top-level ancestor). */
export interface ChartEdge {
  readonly source: string;
  readonly target: string;
  readonly labels: readonly string[];
}

export interface ChartGraph {
  readonly id: string;
  readonly nodes: readonly ChartNode[];
  readonly edges: readonly ChartEdge[];
}

/** The subset of XState's StateNode this module reads (XState v5 `machine.root`). */
interface StateNodeLike {
  readonly key: string;
  readonly path: readonly string[];
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly always?: readonly TransitionLike[];
}

interface TransitionLike {
  readonly target?: readonly StateNodeLike[];
  readonly eventType: string;
  readonly guard?: unknown;
}

function guardLabel(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard) {
    const g = guard as { type: unknown; params?: unknown };
    const params = g.params && typeof g.params === 'object' ? Object.values(g.params as Record<string, unknown>).map(String).join(',') : '';
    return params ? `${String(g.type)}(${params})` : String(g.type);
  }
  return null;
}

/**
 * Builds nodes and merged edges between top-level states with XState's graph utility
 * (`toDirectedGraph`), adding the eventless (`always`) transitions it does not list — the
 * supervisor's derived global state and the order-rate breaker's self-healing are made of them.
 */
export function machineGraph(machine: AnyStateMachine): ChartGraph {
  const graph = toDirectedGraph(machine);
  const topOf = (node: StateNodeLike): string | null => node.path[0] ?? null;
  const nodes: ChartNode[] = graph.children.map((c) => ({ key: c.stateNode.key, children: c.children.map((g) => g.stateNode.key) }));
  const edges = new Map<string, { source: string; target: string; labels: string[] }>();
  const add = (source: string | null, target: string | null, label: string) => {
    if (source === null || target === null) return;
    const id = `${source}->${target}`;
    const edge = edges.get(id) ?? { source, target, labels: [] };
    if (!edge.labels.includes(label)) edge.labels.push(label);
    edges.set(id, edge);
  };
  const visit = (node: DirectedGraphNode) => {
    const stateNode = node.stateNode as unknown as StateNodeLike;
    const source = topOf(stateNode);
    for (const edge of node.edges) add(source, topOf(edge.target as unknown as StateNodeLike), edge.label.text);
    for (const t of stateNode.always ?? []) {
      const guard = guardLabel(t.guard);
      for (const target of t.target ?? []) add(source, topOf(target), guard ? `always [${guard}]` : 'always');
    }
    node.children.forEach(visit);
  };
  visit(graph);
  return { id: machine.id, nodes, edges: [...edges.values()] };
}

const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const NODE_W = 150;
const GAP = 70;
const HEAD_H = 40;
const SUB_H = 20;
const CHAR_W = 6.2;
const LINE_H = 13;

/**
 * Renders a graph as an SVG arc diagram: states in a row, forward transitions as arcs above,
 * backward ones below, self-transitions as loops. Each state is a `<g class="sc-node" data-state>`
 * so the page can highlight the current one.
 */
export function renderSvg(graph: ChartGraph, title: string): string {
  const index = new Map(graph.nodes.map((n, i) => [n.key, i]));
  const heights = graph.nodes.map((n) => HEAD_H + (n.children.length > 0 ? n.children.length * SUB_H + 6 : 0));
  const maxH = Math.max(...heights);
  const spanOf = (e: ChartEdge) => Math.abs(index.get(e.target)! - index.get(e.source)!);
  const fwd = graph.edges.filter((e) => index.get(e.target)! > index.get(e.source)!);
  const back = graph.edges.filter((e) => index.get(e.target)! < index.get(e.source)!);
  const self = graph.edges.filter((e) => e.source === e.target);
  // Supervisor-style graphs where every edge is the same kind of guarded `always` get a footnote instead of labels.
  const allAlways = graph.edges.length > 0 && graph.edges.every((e) => e.labels.every((l) => l.startsWith('always')));
  const label = (e: ChartEdge) => (allAlways ? '' : e.labels.join(', '));
  const arcH = (span: number) => 34 + span * 30;
  const maxFwd = Math.max(0, ...fwd.map(spanOf));
  const maxBack = Math.max(0, ...back.map(spanOf));
  // A self-loop lists its events one a line above the loop (the supervisor's loop has three).
  const selfLines = Math.max(0, ...self.map((e) => (allAlways ? 0 : e.labels.length)));
  const topPad = (maxFwd ? arcH(maxFwd) * 0.75 + 22 : 0) + (self.length ? 36 + Math.max(0, selfLines - 1) * LINE_H : 0) + 10;
  const y0 = topPad;
  const widest = Math.max(0, ...self.flatMap((e) => e.labels.map((l) => l.length * CHAR_W + 20)));
  const width = Math.max(graph.nodes.length * NODE_W + (graph.nodes.length - 1) * GAP + 40, widest);
  const bottomY = y0 + maxH;
  const guards = [...new Set(graph.edges.flatMap((e) => e.labels).map((l) => l.replace(/^always \[|\]$/g, '').replace(/\(.*\)/, '')))];
  const footnote = allAlways ? `all transitions: always [${guards.join(', ')}] (the most severe breaker)` : '';
  const height = bottomY + (maxBack ? arcH(maxBack) * 0.75 + 24 : 0) + (footnote ? 24 : 0) + 10;
  const left = (width - (graph.nodes.length * NODE_W + (graph.nodes.length - 1) * GAP)) / 2;
  const x = (key: string) => left + index.get(key)! * (NODE_W + GAP);
  const parts: string[] = [];
  parts.push(
    // Drawn at its own size at most (CSS max-width shrinks it to its panel): a one-state chart is not blown up.
    `<svg xmlns="http://www.w3.org/2000/svg" class="statechart" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<defs><marker id="sc-arrow-${escapeXml(graph.id)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="sc-arrowhead"/></marker></defs>`,
  );
  const marker = `marker-end="url(#sc-arrow-${escapeXml(graph.id)})"`;
  const text = (tx: number, ty: number, s: string, cls: string, edge?: ChartEdge) =>
    s ? `<text x="${tx.toFixed(1)}" y="${ty.toFixed(1)}" class="${cls}" text-anchor="middle"${edge ? ends(edge) : ''}>${escapeXml(s)}</text>` : '';
  // Each edge names its ends, so the inspector can highlight the edge a step took.
  const ends = (e: ChartEdge) => ` data-source="${escapeXml(e.source)}" data-target="${escapeXml(e.target)}"`;
  for (const e of fwd) {
    const i = index.get(e.source)!;
    const j = index.get(e.target)!;
    const x1 = x(e.source) + NODE_W * 0.62;
    const x2 = x(e.target) + NODE_W * 0.38;
    const h = arcH(j - i);
    parts.push(`<path class="sc-edge"${ends(e)} d="M${x1},${y0} C${x1},${y0 - h} ${x2},${y0 - h} ${x2},${y0}" ${marker}/>`);
    parts.push(text((x1 + x2) / 2, y0 - h * 0.75 - 5, label(e), 'sc-label', e));
  }
  for (const e of back) {
    const i = index.get(e.source)!;
    const j = index.get(e.target)!;
    const x1 = x(e.source) + NODE_W * 0.38;
    const x2 = x(e.target) + NODE_W * 0.62;
    const h = arcH(i - j);
    const ys = y0 + heights[i]!;
    const yt = y0 + heights[j]!;
    parts.push(`<path class="sc-edge"${ends(e)} d="M${x1},${ys} C${x1},${bottomY + h} ${x2},${bottomY + h} ${x2},${yt}" ${marker}/>`);
    parts.push(text((x1 + x2) / 2, bottomY + h * 0.75 + 14, label(e), 'sc-label', e));
  }
  for (const e of self) {
    const nx = x(e.source) + NODE_W * 0.5;
    parts.push(`<path class="sc-edge"${ends(e)} d="M${nx - 14},${y0} C${nx - 30},${y0 - 34} ${nx + 30},${y0 - 34} ${nx + 14},${y0}" ${marker}/>`);
    const lines = allAlways ? [] : e.labels;
    lines.forEach((line, k) => parts.push(text(nx, y0 - 30 - (lines.length - 1 - k) * LINE_H, line, 'sc-label', e)));
  }
  graph.nodes.forEach((n, i) => {
    const nx = x(n.key);
    const h = heights[i]!;
    const fit = (s: string, w: number) => (s.length * CHAR_W > w ? `${s.slice(0, Math.floor(w / CHAR_W) - 1)}…` : s);
    parts.push(`<g class="sc-node" data-state="${escapeXml(n.key)}">`);
    parts.push(`<rect x="${nx}" y="${y0}" width="${NODE_W}" height="${h}" rx="10" ry="10"/>`);
    parts.push(text(nx + NODE_W / 2, y0 + 25, fit(n.key, NODE_W - 10), 'sc-name'));
    n.children.forEach((c, k) => {
      const cy = y0 + HEAD_H + k * SUB_H;
      parts.push(`<rect class="sc-sub" x="${nx + 8}" y="${cy}" width="${NODE_W - 16}" height="${SUB_H - 3}" rx="5" ry="5"/>`);
      parts.push(text(nx + NODE_W / 2, cy + 12.5, fit(c, NODE_W - 20), 'sc-subname'));
    });
    parts.push('</g>');
  });
  if (footnote) parts.push(`<text x="${width / 2}" y="${(height - 12).toFixed(1)}" class="sc-note" text-anchor="middle">${escapeXml(footnote)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** The statechart SVGs the dashboard shows, generated from the machine definitions themselves. */
export interface MachineCharts {
  readonly automatic: { readonly states: readonly string[]; readonly svg: string };
  readonly manual: { readonly states: readonly string[]; readonly svg: string };
  readonly supervisor: { readonly states: readonly string[]; readonly svg: string };
  /** Each breaker's own chart (only the edges that breaker can take). */
  readonly breakers: Readonly<Record<BreakerType, { readonly states: readonly string[]; readonly svg: string }>>;
}

let cached: MachineCharts | null = null;

export function machineCharts(): MachineCharts {
  if (cached) return cached;
  const chart = (machine: AnyStateMachine, title: string) => {
    const graph = machineGraph(machine);
    return { states: graph.nodes.map((n) => n.key), svg: renderSvg(graph, title) };
  };
  const breakers = Object.fromEntries(
    REGISTRY.map((row) => [row.kind, chart(row.chart, `Statechart of the ${row.kind} breaker (${row.rule.chart} chart)`)]),
  ) as unknown as MachineCharts['breakers'];
  cached = {
    automatic: breakers.drawdown,
    manual: breakers.manual,
    supervisor: chart(supervisorMachine, 'Statechart of the supervisor: one-for-one restarts of its breakers'),
    breakers,
  };
  return cached;
}
