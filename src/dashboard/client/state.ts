import type { ErrorKind } from '../../../machines/constants.ts';
import type { RiskEvent } from '../../events.ts';
import type { DashboardView } from '../../present/dashboardView.ts';
import type { TraceStep } from '../../runtime/trace.ts';
import type { MachineCharts } from '../statechart.ts';

/** A row of the orders table: a decision or a fill. */
export interface OrderRow {
  readonly key: string;
  readonly at: number;
  readonly kind: 'allowed' | 'rejected' | 'fill';
  readonly order: string;
  readonly side: string;
  readonly quantity: string;
  readonly price: string;
  readonly reason: string;
}

/** Whether the page can vouch for what it shows. */
export const Link = { CONNECTING: 'connecting', LIVE: 'live', DISCONNECTED: 'disconnected' } as const;
export type Link = (typeof Link)[keyof typeof Link];

/**
 * The page's one state object. Every panel is a view of it; the stream and the API calls write
 * it and ask for a render. What the runtime decides (lights, warnings, meters, trading mode)
 * arrives computed in `view`; the page derives nothing of it.
 */
export const state = {
  strategies: [] as string[],
  strategy: null as string | null,
  link: Link.CONNECTING as Link,
  /** Why the link is down, for the DISCONNECTED view. */
  linkProblem: '',
  /** performance.now() of the last message from the server. */
  lastMessageAt: 0,
  view: null as DashboardView | null,
  /** Wall-clock time the current view arrived (the DISCONNECTED view says how old it is). */
  viewReceivedAt: 0,
  orders: [] as OrderRow[],
  journal: [] as RiskEvent[],
  journalIds: new Set<string>(),
  journalError: null as string | null,
  errorFilter: 'all' as ErrorKind | 'all',
  charts: null as MachineCharts | null,
  chartsError: false,
  trace: [] as TraceStep[],
  /** Trips, halts and resets drawn on the chart (from the history, then live). */
  marks: [] as { readonly t: number; readonly label: string; readonly kind: 'trip' | 'halt' | 'reset' }[],
  /** The inspector's selected step per actor (its seq), or absent to follow live. */
  inspecting: {} as Record<string, number>,
  generation: 0,
};

export type State = typeof state;

const MAX_ORDERS = 50;
const MAX_JOURNAL = 500;
const MAX_TRACE = 400;

export function addOrderRow(row: OrderRow): void {
  if (state.orders.some((o) => o.key === row.key)) return;
  state.orders = [row, ...state.orders].sort((a, b) => b.at - a.at).slice(0, MAX_ORDERS);
}

/** Adds a journal entry once (the stream and the journal request may both bring it), newest first. */
export function addJournal(e: RiskEvent): boolean {
  if (state.journalIds.has(e.id)) return false;
  state.journalIds.add(e.id);
  state.journal = [e, ...state.journal].sort((a, b) => b.at - a.at).slice(0, MAX_JOURNAL);
  return true;
}

export function addTrace(steps: readonly TraceStep[]): void {
  const known = new Set(state.trace.map((s) => s.seq));
  state.trace = [...state.trace, ...steps.filter((s) => !known.has(s.seq))].sort((a, b) => a.seq - b.seq).slice(-MAX_TRACE);
}

/** Forgets everything about the previous strategy. */
export function resetForStrategy(name: string): void {
  state.generation++;
  state.strategy = name;
  state.view = null;
  state.orders = [];
  state.journal = [];
  state.journalIds = new Set();
  state.journalError = null;
  state.trace = [];
  state.marks = [];
  state.inspecting = {};
  state.link = Link.CONNECTING;
}
