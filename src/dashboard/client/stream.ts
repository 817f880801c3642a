import type { RiskEvent } from '../../events.ts';
import type { DashboardView } from '../../present/dashboardView.ts';
import { stateLabel } from '../../present/labels.ts';
import type { Decision, Position } from '../../runtime/types.ts';
import type { TraceStep } from '../../runtime/trace.ts';
import { getJson, strategyPath } from './api.ts';
import type { ValueChart } from './chart.ts';
import { decisionRow, fillRow, markOf } from './history.ts';
import { announce, requestRender } from './render.ts';
import { addJournal, addOrderRow, addTrace, Link, state } from './state.ts';

/** A heartbeat later than this (ms) means the page can no longer vouch for what it shows. */
export const HEARTBEAT_TIMEOUT_MS = 2000;

let source: EventSource | null = null;

function parse<T>(event: Event): T | null {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as T;
  } catch {
    return null;
  }
}

function setLink(link: Link, problem = ''): void {
  if (state.link === link && state.linkProblem === problem) return;
  const was = state.link;
  state.link = link;
  state.linkProblem = problem;
  // A stale announcement (e.g. "… → NORMAL") must not outlive the link that made it true.
  if (link === Link.DISCONNECTED && was !== Link.DISCONNECTED) document.getElementById('announcer')!.textContent = '';
  if (link === Link.DISCONNECTED && was !== Link.DISCONNECTED) announce(`Disconnected from the server: ${problem}. The state shown is unknown.`, true);
  if (link === Link.LIVE && was === Link.DISCONNECTED) announce('Connected again: the dashboard is live.', true);
  requestRender();
}

/** Announces each breaker whose light changed (never by colour alone). */
function announceChanges(before: DashboardView | null, after: DashboardView): void {
  if (!before || before.strategy !== after.strategy) return;
  const changes: string[] = [];
  let urgent = false;
  for (const b of after.breakers) {
    const old = before.breakers.find((x) => x.type === b.type);
    if (!old || old.light === b.light) continue;
    urgent ||= b.light === 'TRIPPED' || b.light === 'MANUALLY_HALTED';
    changes.push(`${b.name} breaker: ${stateLabel(old.light)} → ${stateLabel(b.light)}${b.reason && b.light !== 'NORMAL' ? ` (${b.reason})` : ''}.`);
  }
  if (before.state !== after.state) changes.push(`Global state ${before.stateLabel} → ${after.stateLabel}; ${after.ordersText}.`);
  if (changes.length > 0) announce(changes.join(' '), urgent);
}

/**
 * Opens the strategy's event stream. Every message counts as a sign of life; the server sends a
 * heartbeat each second, so a silence of {@link HEARTBEAT_TIMEOUT_MS} (a hung server, a cut
 * network) or a dropped stream turns the page DISCONNECTED until a fresh view arrives.
 */
/** Opens the strategy's event stream; `onFirstView` runs at the first view and again at the first view after the link was lost. */
export function connect(name: string, generation: number, chart: ValueChart | null, onFirstView: () => void): void {
  source?.close();
  const es = new EventSource(strategyPath(name, '/events'));
  source = es;
  let first = true;
  const alive = () => {
    state.lastMessageAt = performance.now();
  };
  const mine = () => generation === state.generation;
  es.addEventListener('error', () => {
    if (mine()) setLink(state.link === Link.CONNECTING && state.viewReceivedAt === 0 ? Link.CONNECTING : Link.DISCONNECTED, 'the event stream dropped');
  });
  es.addEventListener('heartbeat', () => {
    if (!mine()) return;
    alive();
    // Back after a silence: the view may not have changed, so nothing would be pushed; fetch it.
    if (state.link !== Link.LIVE && !first) void refetchView(name, generation);
  });
  es.addEventListener('view', (e) => {
    const view = parse<DashboardView>(e);
    if (!view || !mine()) return;
    alive();
    announceChanges(state.view, view);
    // Back after the link was lost: the server may have restarted, so the history (and its downtime gap) is read again.
    const returning = !first && state.link === Link.DISCONNECTED;
    state.view = view;
    state.viewReceivedAt = Date.now();
    chart?.amendLast(view.chart.highWaterMark, view.chart.tripLevel);
    setLink(Link.LIVE);
    requestRender();
    if (first || returning) {
      first = false;
      onFirstView();
    }
  });
  es.addEventListener('risk', (e) => {
    const event = parse<RiskEvent>(e);
    if (!event || !mine()) return;
    alive();
    if (addJournal(event)) {
      const mark = markOf(event.type, event.breaker, event.at / 1000, event.details?.passed !== true);
      if (mark) {
        state.marks = [...state.marks, mark];
        chart?.addMark(mark);
      }
    }
    requestRender();
  });
  es.addEventListener('decision', (e) => {
    const msg = parse<{ order: unknown; decision: Decision; at: number }>(e);
    if (!msg || !mine()) return;
    alive();
    const order = typeof msg.order === 'object' && msg.order !== null ? (msg.order as Record<string, unknown>) : null;
    addOrderRow(decisionRow(msg.at, order, msg.decision.allowed, msg.decision.allowed ? '' : msg.decision.reason));
    requestRender();
  });
  es.addEventListener('fill', (e) => {
    const msg = parse<{ orderId: string | null; symbol: string; side: string; quantity: string; price: string; at: number }>(e);
    if (!msg || !mine()) return;
    alive();
    addOrderRow(fillRow(msg));
    requestRender();
  });
  es.addEventListener('portfolio', (e) => {
    const msg = parse<{ value: string; positions: readonly Position[]; at: number }>(e);
    if (!msg || !mine()) return;
    alive();
    const value = Number(msg.value);
    const c = state.view?.chart;
    if (Number.isFinite(value)) chart?.push({ t: msg.at / 1000, value, hwm: c?.highWaterMark ?? null, trip: c?.tripLevel ?? null });
  });
  es.addEventListener('trace', (e) => {
    const steps = parse<TraceStep[]>(e);
    if (!steps || !mine()) return;
    alive();
    addTrace(steps);
    requestRender();
  });
}

let refetching = false;

async function refetchView(name: string, generation: number): Promise<void> {
  if (refetching) return;
  refetching = true;
  try {
    const view = await getJson<DashboardView>(strategyPath(name, '/view'));
    if (generation !== state.generation) return;
    state.view = view;
    state.viewReceivedAt = Date.now();
    state.lastMessageAt = performance.now();
    setLink(Link.LIVE);
  } catch {
    // still down: the next heartbeat tries again
  } finally {
    refetching = false;
  }
}

/** Checks the heartbeat twice a second. */
export function startWatchdog(): void {
  setInterval(() => {
    if (state.link !== Link.LIVE) return;
    const silent = performance.now() - state.lastMessageAt;
    if (silent > HEARTBEAT_TIMEOUT_MS) setLink(Link.DISCONNECTED, `no heartbeat for ${(silent / 1000).toFixed(1)} s`);
  }, 500);
}
