import './styles.css';
import type { BreakerState, BreakerType, ErrorKind } from '../../../machines/constants.ts';
import type { RiskEvent } from '../../events.ts';
import type { BreakerStatus, Decision, ErrorRateFigures, Position, RateFigures, RuntimeStatus } from '../../runtime/types.ts';
import type { MachineCharts } from '../statechart.ts';
import { ApiError, getJson, postJson, strategyPath } from './api.ts';
import { ValueChart } from './chart.ts';
import { addDec, clockTime, duration, formatDec, money, mulDec, parseDec, percent, quantity, signedMoney, toNumber, type Dec } from './format.ts';

// ───────────────────────────── model ─────────────────────────────

const BREAKERS: readonly BreakerType[] = ['drawdown', 'dailyLoss', 'orderRate', 'errorRate', 'staleData', 'manual', 'cluster'];
const BREAKER_NAMES: Record<BreakerType, string> = {
  drawdown: 'Drawdown',
  dailyLoss: 'Daily loss',
  orderRate: 'Order rate',
  errorRate: 'Error rate',
  staleData: 'Stale data',
  manual: 'Manual halt',
  cluster: 'Firm (cluster)',
};
const ERROR_KIND_LIST: readonly ErrorKind[] = ['order_rejected', 'broker_error', 'data_error'];
const TOKEN_KEY = 'breakerbox.token';
const OPERATOR_KEY = 'breakerbox.operator';
const STRATEGY_KEY = 'breakerbox.strategy';
const MAX_JOURNAL = 500;
const MAX_ORDERS = 50;

/** What a light shows: the breaker's state, or WARNING (a warning seen since the last NORMAL baseline). */
type LightState = BreakerState | 'WARNING' | 'DISABLED';

/** A `fill` SSE message (the runtime's FillReport). */
interface FillMessage {
  orderId: string | null;
  symbol: string;
  side: string;
  quantity: string;
  price: string;
  at: number;
}

interface DecisionMessage {
  order: unknown;
  decision: Decision;
  at: number;
}

interface PortfolioMessage {
  value: string;
  positions: readonly Position[];
  at: number;
}

interface ErrorEntry {
  readonly id: string;
  readonly at: number;
  readonly kind: ErrorKind;
  readonly source: string;
  readonly message: string;
}

const view = {
  strategy: null as string | null,
  source: null as EventSource | null,
  status: null as RuntimeStatus | null,
  /** performance.now() when `status` arrived, for countdowns between updates. */
  statusReceived: 0,
  warned: Object.fromEntries(BREAKERS.map((b) => [b, false])) as Record<BreakerType, boolean>,
  lights: {} as Partial<Record<BreakerType, LightState>>,
  globalState: null as BreakerState | null,
  journal: [] as RiskEvent[],
  journalIds: new Set<string>(),
  errorFilter: 'all' as ErrorKind | 'all',
  charts: null as MachineCharts | null,
  generation: 0,
};

// ───────────────────────────── DOM helpers ─────────────────────────────

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: missing #${id}`);
  return el;
}

function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; text?: string; attrs?: Record<string, string> } = {}, children: (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

function figure(dl: HTMLElement, term: string, value: string, cls = ''): void {
  dl.append(h('div', { class: `figure ${cls}` }, [h('dt', { text: term }), h('dd', { text: value })]));
}

function stateClass(state: LightState | null): string {
  switch (state) {
    case 'NORMAL': return 'state-normal';
    case 'WARNING': return 'state-warning';
    case 'RESETTING': return 'state-resetting';
    case 'TRIPPED': return 'state-tripped';
    case 'MANUALLY_HALTED': return 'state-halted';
    case 'DISABLED': return 'state-disabled';
    default: return 'state-unknown';
  }
}

function stateText(state: LightState): string {
  return state === 'MANUALLY_HALTED' ? 'MANUALLY HALTED' : state;
}

function announce(text: string, urgent = false): void {
  const el = $(urgent ? 'alerter' : 'announcer');
  el.textContent = '';
  // A fresh text node in a new task makes screen readers announce repeated messages too.
  setTimeout(() => {
    el.textContent = text;
  }, 50);
}

// ───────────────────────────── credentials ─────────────────────────────

function credentials(): { operator: string; token: string } | null {
  const operator = sessionStorage.getItem(OPERATOR_KEY) ?? '';
  const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  return operator && token ? { operator, token } : null;
}

function showTokenStatus(): void {
  const has = sessionStorage.getItem(TOKEN_KEY);
  $('token-status').textContent = has ? 'Token set for this session.' : 'No token set.';
}

function initCredentials(): void {
  const form = $('credentials-form') as HTMLFormElement;
  const operator = $('operator-name') as HTMLInputElement;
  const token = $('operator-token') as HTMLInputElement;
  operator.value = sessionStorage.getItem(OPERATOR_KEY) ?? '';
  if (sessionStorage.getItem(TOKEN_KEY)) token.placeholder = '•••••• saved';
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = operator.value.trim();
    if (name) sessionStorage.setItem(OPERATOR_KEY, name);
    if (token.value) sessionStorage.setItem(TOKEN_KEY, token.value);
    token.value = '';
    if (sessionStorage.getItem(TOKEN_KEY)) token.placeholder = '•••••• saved';
    showTokenStatus();
    announce(credentials() ? 'Operator credentials saved for this session.' : 'Operator name and token are both needed.');
  });
  $('forget-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    token.value = '';
    token.placeholder = '';
    showTokenStatus();
    announce('Token forgotten.');
  });
  showTokenStatus();
}

/** Returns the credentials or moves focus to the field that is missing. */
function requireCredentials(): { operator: string; token: string } | null {
  const creds = credentials();
  if (creds) return creds;
  const missingOperator = !sessionStorage.getItem(OPERATOR_KEY);
  $('token-status').textContent = 'Enter your operator name and API token, then choose “Use for this session”.';
  ($(missingOperator ? 'operator-name' : 'operator-token') as HTMLInputElement).focus();
  announce('Operator name and API token are needed first.', true);
  return null;
}

// ───────────────────────────── breakers panel ─────────────────────────────

function lightStateOf(b: BreakerStatus): LightState {
  if (!b.enabled) return 'DISABLED';
  if (b.state === 'NORMAL' && view.warned[b.type]) return 'WARNING';
  return b.state;
}

function remainingMs(ms: number | null): number | null {
  if (ms === null) return null;
  return ms - (performance.now() - view.statusReceived);
}

function breakerFigures(b: BreakerStatus): { main: string; details: string[] } {
  switch (b.type) {
    case 'drawdown': {
      const f = (b as BreakerStatus<'drawdown'>).figures;
      if (!f) return { main: 'disabled', details: [] };
      return {
        main: f.drawdown === null ? 'no value yet' : `${percent(f.drawdown)} drawdown`,
        details: [`trips at ${percent(f.threshold)}`, `high-water mark ${money(f.highWaterMark)}`, `trip level ${money(f.tripLevel)}`],
      };
    }
    case 'dailyLoss': {
      const f = (b as BreakerStatus<'dailyLoss'>).figures;
      if (!f) return { main: 'disabled', details: [] };
      const limit = f.limit !== null ? percent(f.limit) : money(f.limitAmount);
      return {
        main: f.pnl === null ? 'no value yet today' : `${signedMoney(f.pnl)} (${percent(f.pnlFraction, 2)}) today`,
        details: [`limit ${limit}`, `start ${money(f.startValue)}`, `trip level ${money(f.tripLevel)}`],
      };
    }
    case 'orderRate':
    case 'errorRate': {
      const f = b.figures as RateFigures | null;
      if (!f) return { main: 'disabled', details: [] };
      const noun = b.type === 'orderRate' ? 'orders' : 'errors';
      const left = remainingMs(f.nextExpiryInMs);
      const details = [left === null ? 'window empty' : `oldest leaves the window in ${duration(left)}`];
      if (b.type === 'errorRate') {
        const byKind = (f as ErrorRateFigures).byKind;
        details.unshift(ERROR_KIND_LIST.map((k) => `${k} ${byKind[k] ?? 0}`).join(' · '));
      }
      return { main: `${f.count} / ${f.limit} ${noun} in ${f.windowSeconds} s`, details };
    }
    case 'staleData': {
      const f = (b as BreakerStatus<'staleData'>).figures;
      if (!f) return { main: 'disabled', details: [] };
      return { main: f.ageSeconds === null ? 'no value yet' : `last value ${duration(f.ageMs ?? 0)} old`, details: [`trips after ${f.maxAge} s without a value`] };
    }
    case 'manual': {
      const f = (b as BreakerStatus<'manual'>).figures;
      if (b.state === 'NORMAL') return { main: 'not halted', details: [] };
      const mode = f.mode === 'reduceOnly' ? ['reduce-only: risk-reducing orders pass'] : [];
      return { main: f.operator ? `halted by ${f.operator}` : 'halted', details: [...(f.haltedAt ? [`at ${clockTime(f.haltedAt)}`] : []), ...mode] };
    }
    case 'cluster': {
      const f = (b as BreakerStatus<'cluster'>).figures;
      if (!f) return { main: 'disabled', details: [] };
      const halts = f.halts.map((x) => `halted at ${x.scope} by ${x.operator}: ${x.reason}`);
      const link = `firm ${f.firm}, desk ${f.desk}: link ${f.link}, bucket ${f.bucket}${f.lagMs === null ? '' : `, lag ${f.lagMs.toFixed(1)} ms`}`;
      return { main: f.scope ? `halted at ${f.scope}` : f.link === 'up' && f.bucket === 'up' ? 'connected' : 'link down', details: [link, ...halts] };
    }
  }
}

function renderLights(status: RuntimeStatus): void {
  const list = $('breaker-lights');
  for (const type of BREAKERS) {
    const b = status.breakers[type] as BreakerStatus;
    const light = lightStateOf(b);
    let item = list.querySelector<HTMLLIElement>(`li[data-breaker="${type}"]`);
    if (!item) {
      item = h('li', { class: 'light-card', attrs: { 'data-breaker': type, 'aria-labelledby': `light-${type}-name` } });
      item.append(
        h('div', { class: 'light-head' }, [
          h('span', { class: 'light-icon', attrs: { 'aria-hidden': 'true' } }),
          h('h3', { text: BREAKER_NAMES[type], attrs: { id: `light-${type}-name` } }),
        ]),
        h('p', { class: 'light-state', attrs: { 'data-role': 'state' } }),
        h('p', { class: 'light-figure', attrs: { 'data-role': 'figure' } }),
        h('ul', { class: 'light-details', attrs: { 'data-role': 'details' } }),
        h('p', { class: 'light-reason', attrs: { 'data-role': 'reason' } }),
        h('p', { class: 'light-countdown', attrs: { 'data-role': 'countdown' } }),
      );
      const reset = h('button', { class: 'small', text: 'Reset…', attrs: { type: 'button', 'data-role': 'reset', 'aria-label': `Reset the ${BREAKER_NAMES[type].toLowerCase()} breaker` } });
      reset.addEventListener('click', () => openResetDialog(type));
      item.append(reset);
      list.append(item);
    }
    item.className = `light-card ${stateClass(light)}`;
    item.dataset.state = light;
    const q = (role: string) => item!.querySelector<HTMLElement>(`[data-role="${role}"]`)!;
    const stateLabel = light === 'WARNING' ? 'NORMAL — WARNING' : stateText(light);
    q('state').textContent = stateLabel;
    const figs = breakerFigures(b);
    q('figure').textContent = figs.main;
    q('details').replaceChildren(...figs.details.map((d) => h('li', { text: d })));
    q('reason').textContent = b.reason ?? '';
    q('reason').hidden = !b.reason;
    const countdown = q('countdown');
    if (b.resetExpiresAt) {
      countdown.hidden = false;
      countdown.dataset.expires = b.resetExpiresAt;
      countdown.textContent = `reset token expires in ${duration(Date.parse(b.resetExpiresAt) - Date.now())}`;
    } else {
      countdown.hidden = true;
      delete countdown.dataset.expires;
    }
    (q('reset') as HTMLButtonElement).hidden = !b.enabled || b.state === 'NORMAL';
  }
}

/** Refreshes the countdowns (window expiry, reset tokens) between status updates. */
function tick(): void {
  const status = view.status;
  if (!status) return;
  for (const type of ['orderRate', 'errorRate'] as const) {
    const item = document.querySelector<HTMLElement>(`#breaker-lights li[data-breaker="${type}"] [data-role="details"]`);
    const b = status.breakers[type];
    if (!item || !b.figures) continue;
    const last = item.lastElementChild;
    const left = remainingMs(b.figures.nextExpiryInMs);
    if (last) last.textContent = left === null ? 'window empty' : `oldest leaves the window in ${duration(left)}`;
  }
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('#breaker-lights [data-role="countdown"][data-expires]'))) {
    el.textContent = `reset token expires in ${duration(Date.parse(el.dataset.expires!) - Date.now())}`;
  }
}

// ───────────────────────────── global state, value, P&L, positions ─────────────────────────────

function renderGlobal(status: RuntimeStatus): void {
  const box = $('global-state');
  box.className = `global-state ${stateClass(status.state)}`;
  $('global-state-text').textContent = stateText(status.state);
  const allowed = $('orders-allowed');
  const reducing = status.tradingMode === 'REDUCING' && !status.dataFault;
  allowed.textContent = status.ordersAllowed ? 'orders ALLOWED' : reducing ? 'REDUCE-ONLY: risk-reducing orders pass' : 'orders BLOCKED';
  allowed.className = `orders-allowed ${status.ordersAllowed ? 'allowed' : 'blocked'}`;
  const fault = $('data-fault');
  fault.hidden = !(status.dataFault && status.state === 'NORMAL');
  fault.textContent = status.dataFault ? `Orders are blocked: ${status.dataFault}` : '';
  renderControls(status);
}

/** The trading mode, each symbol's position against its limit and the rejections by code (the server computes them). */
function renderControls(status: RuntimeStatus): void {
  const box = $('controls-use');
  const c = status.controls;
  if (!c) return void (box.hidden = true);
  const parts = [`trading mode ${status.tradingMode}`];
  for (const p of c.symbols) if (p.maxPosition !== null) parts.push(`${p.symbol} position ${p.projected} of ${p.maxPosition}`);
  if (c.grossExposure) parts.push(`gross exposure ${money(c.grossExposure.value)} of ${money(c.grossExposure.limit)}`);
  const rejected = Object.entries(c.rejections).map(([code, n]) => `${code} ${n}`);
  if (rejected.length > 0) parts.push(`rejected: ${rejected.join(', ')}`);
  box.hidden = c.limits === false && status.tradingMode === 'ACTIVE' && rejected.length === 0;
  box.textContent = parts.join(' · ');
}

function renderValueSummary(status: RuntimeStatus): void {
  const dl = $('value-summary');
  dl.replaceChildren();
  const f = status.breakers.drawdown.figures;
  figure(dl, 'Value', money(status.portfolio.value));
  figure(dl, 'High-water mark', money(f?.highWaterMark));
  figure(dl, 'Trip level', money(f?.tripLevel));
  figure(dl, 'Drawdown', f?.drawdown ? `${percent(f.drawdown)} (limit ${percent(f.threshold)})` : '–');
  figure(dl, 'As of', status.portfolio.timestamp ? clockTime(status.portfolio.timestamp) : '–');
}

function renderPnl(status: RuntimeStatus): void {
  const box = $('pnl');
  const b = status.breakers.dailyLoss;
  const f = b.figures;
  box.replaceChildren();
  if (!b.enabled || !f) {
    box.append(h('p', { text: 'The daily-loss breaker is disabled for this strategy.' }));
    return;
  }
  const pnl = parseDec(f.pnl);
  const neg = pnl !== null && pnl.units < 0n;
  box.append(
    h('p', { class: `pnl-big ${neg ? 'loss' : 'gain'}`, attrs: { 'data-role': 'pnl' } }, [
      h('span', { text: f.pnl === null ? '–' : signedMoney(f.pnl) }),
      h('span', { class: 'pnl-fraction', text: f.pnlFraction === null ? '' : ` (${percent(f.pnlFraction, 2)})` }),
    ]),
  );
  // How much of the limit today's loss uses (0–100%). Display only.
  let used = 0;
  const frac = toNumber(f.pnlFraction);
  const pnlN = toNumber(f.pnl);
  if (f.limit !== null && frac !== null) used = frac < 0 ? frac / (toNumber(f.limit) ?? -1) : 0;
  else if (f.limitAmount !== null && pnlN !== null) used = pnlN < 0 ? pnlN / (toNumber(f.limitAmount) ?? -1) : 0;
  used = Math.max(0, Math.min(1, used));
  const limitText = f.limit !== null ? `${percent(f.limit)} of the start value` : `${money(f.limitAmount)}`;
  const meterId = 'pnl-meter';
  box.append(
    h('label', { text: `Loss against the limit: ${Math.round(used * 100)}% used`, attrs: { for: meterId } }),
    h('meter', { attrs: { id: meterId, min: '0', max: '1', low: '0.5', high: '0.8', optimum: '0', value: String(used) } }),
  );
  const dl = h('dl', { class: 'figures' });
  figure(dl, 'Daily-loss limit', limitText);
  figure(dl, 'Trip level', money(f.tripLevel));
  figure(dl, 'Start of day', money(f.startValue));
  figure(dl, 'Value', money(f.value));
  figure(dl, 'Trading day', f.tradingDay ?? '–');
  figure(dl, 'State', stateText(lightStateOf(b as BreakerStatus)), stateClass(lightStateOf(b as BreakerStatus)));
  box.append(dl);
}

function renderPositions(positions: readonly Position[]): void {
  const table = $('positions') as HTMLTableElement;
  const body = table.tBodies[0]!;
  const foot = table.tFoot!;
  body.replaceChildren();
  foot.replaceChildren();
  if (positions.length === 0) {
    body.append(h('tr', { class: 'empty' }, [h('td', { text: 'No positions reported.', attrs: { colspan: '4' } })]));
    return;
  }
  let total: Dec | null = { units: 0n, scale: 0 };
  for (const p of positions) {
    const q = parseDec(p.quantity);
    const px = p.price === undefined ? null : parseDec(p.price);
    const mv = q && px ? mulDec(q, px) : null;
    total = total && mv ? addDec(total, mv) : null;
    body.append(
      h('tr', {}, [
        h('th', { text: p.symbol, attrs: { scope: 'row' } }),
        h('td', { class: 'num', text: quantity(p.quantity) }),
        h('td', { class: 'num', text: p.price === undefined ? '–' : money(p.price, 4).replace(/(\.\d\d)00$/, '$1') }),
        h('td', { class: 'num', text: mv ? formatDec(mv, 2) : '–' }),
      ]),
    );
  }
  foot.append(
    h('tr', {}, [
      h('th', { text: 'Total market value', attrs: { scope: 'row', colspan: '3' } }),
      h('td', { class: 'num', text: total ? formatDec(total, 2) : '– (a price is missing)' }),
    ]),
  );
}

// ───────────────────────────── status handling ─────────────────────────────

function applyStatus(status: RuntimeStatus): void {
  const prev = view.status;
  if (prev && prev.strategy === status.strategy && Date.parse(status.at) < Date.parse(prev.at)) return;
  view.status = status;
  view.statusReceived = performance.now();
  // Baselines that clear a warning: a new high-water mark, an empty rate window.
  const oldHwm = toNumber(prev?.breakers.drawdown.figures?.highWaterMark);
  const newHwm = toNumber(status.breakers.drawdown.figures?.highWaterMark);
  if (oldHwm !== null && newHwm !== null && newHwm > oldHwm) view.warned.drawdown = false;
  if (status.breakers.orderRate.figures?.count === 0) view.warned.orderRate = false;
  if (status.breakers.errorRate.figures?.count === 0) view.warned.errorRate = false;

  // Announce changes (never by colour alone), one message per update so none overwrites another.
  const changes: string[] = [];
  let urgent = false;
  for (const type of BREAKERS) {
    const light = lightStateOf(status.breakers[type] as BreakerStatus);
    const before = view.lights[type];
    view.lights[type] = light;
    if (before !== undefined && before !== light) {
      const reason = status.breakers[type].reason;
      urgent ||= light === 'TRIPPED' || light === 'MANUALLY_HALTED';
      changes.push(`${BREAKER_NAMES[type]} breaker: ${stateText(before)} → ${stateText(light)}${reason && light !== 'NORMAL' ? ` (${reason})` : ''}.`);
    }
  }
  if (view.globalState !== null && view.globalState !== status.state) {
    changes.push(`Global state ${stateText(view.globalState)} → ${stateText(status.state)}; orders ${status.ordersAllowed ? 'allowed' : 'blocked'}.`);
  }
  if (changes.length > 0) announce(changes.join(' '), urgent);
  view.globalState = status.state;

  renderGlobal(status);
  renderLights(status);
  renderValueSummary(status);
  renderPnl(status);
  renderPositions(status.portfolio.positions);
  renderStatecharts();
  renderErrorCounts(status);
  const f = status.breakers.drawdown.figures;
  chart?.amendLast(toNumber(f?.highWaterMark), toNumber(f?.tripLevel));
}

let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let lastRefresh = 0;

/** Fetches status() soon (throttled): figures move on every update, not only on state changes. */
function scheduleRefresh(delay = 250): void {
  if (refreshTimer !== null) return;
  const wait = Math.max(0, Math.min(delay, 400 - (performance.now() - lastRefresh)));
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    lastRefresh = performance.now();
    void refreshStatus();
  }, wait);
}

async function refreshStatus(): Promise<void> {
  const strategy = view.strategy;
  const generation = view.generation;
  if (!strategy) return;
  try {
    const status = await getJson<RuntimeStatus>(strategyPath(strategy, '/status'));
    if (generation === view.generation) applyStatus(status);
  } catch {
    // The SSE stream's own status messages keep the page going; the next refresh retries.
  }
}

// ───────────────────────────── chart ─────────────────────────────

let chart: ValueChart | null = null;

function onPortfolio(msg: PortfolioMessage): void {
  const value = toNumber(msg.value);
  if (value === null) return;
  const f = view.status?.breakers.drawdown.figures;
  // Estimate the levels at this point the way the runtime does (hwm = highest value); the next status corrects them.
  let hwm = toNumber(f?.highWaterMark);
  const threshold = toNumber(f?.threshold);
  if (value > 0 && (hwm === null || value > hwm)) hwm = value;
  const trip = hwm !== null && threshold !== null ? hwm * (1 + threshold) : toNumber(f?.tripLevel);
  chart?.push({ t: msg.at / 1000, value, hwm, trip });
  renderPositions(msg.positions);
  scheduleRefresh();
}

// ───────────────────────────── orders ─────────────────────────────

function orderField(order: unknown, key: string): string {
  if (typeof order !== 'object' || order === null) return '';
  const v = (order as Record<string, unknown>)[key];
  return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function onDecision(msg: DecisionMessage): void {
  const body = ($('orders') as HTMLTableElement).tBodies[0]!;
  body.querySelector('tr.empty')?.remove();
  const d = msg.decision;
  const id = orderField(msg.order, 'id');
  const symbol = orderField(msg.order, 'symbol');
  const price = orderField(msg.order, 'price');
  const row = h('tr', { class: d.allowed ? 'allowed' : 'rejected' }, [
    h('td', { text: clockTime(msg.at) }),
    h('td', { text: [symbol, id ? `#${id}` : ''].filter(Boolean).join(' ') || '(malformed)' }),
    h('td', { text: orderField(msg.order, 'side') }),
    h('td', { class: 'num', text: quantity(orderField(msg.order, 'quantity')) }),
    h('td', { class: 'num', text: price ? money(price) : 'market' }),
    h('td', {}, [h('span', { class: `badge ${d.allowed ? 'ok' : 'bad'}`, text: d.allowed ? '✓ ALLOWED' : '✗ REJECTED' })]),
    h('td', { class: 'reason', text: d.allowed ? '' : d.reason }),
  ]);
  body.prepend(row);
  while (body.rows.length > MAX_ORDERS) body.deleteRow(body.rows.length - 1);
  scheduleRefresh();
}

/** A fill from the broker, in the same table as the decisions, marked FILLED. */
function onFill(msg: FillMessage): void {
  const body = ($('orders') as HTMLTableElement).tBodies[0]!;
  body.querySelector('tr.empty')?.remove();
  const row = h('tr', { class: 'fill' }, [
    h('td', { text: clockTime(msg.at) }),
    h('td', { text: [msg.symbol, msg.orderId ? `#${msg.orderId}` : ''].filter(Boolean).join(' ') }),
    h('td', { text: msg.side }),
    h('td', { class: 'num', text: quantity(msg.quantity) }),
    h('td', { class: 'num', text: money(msg.price) }),
    h('td', {}, [h('span', { class: 'badge fill', text: '● FILLED' })]),
    h('td', { class: 'reason', text: '' }),
  ]);
  body.prepend(row);
  while (body.rows.length > MAX_ORDERS) body.deleteRow(body.rows.length - 1);
}

// ───────────────────────────── journal and errors ─────────────────────────────

function detailString(e: RiskEvent): string {
  const d = e.details as Record<string, unknown>;
  const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  switch (e.type) {
    case 'StateChanged': return `${s(d.from)} → ${s(d.to)}${d.cause ? ` (${s(d.cause)})` : ''}`;
    case 'CircuitBreakerTripped': return s(d.reason);
    case 'ManualHalt': return s(d.reason);
    case 'ResetRequested': return `token expires ${d.expiresAt ? clockTime(s(d.expiresAt)) : ''}`;
    case 'ResetRefused': return s(d.reason);
    case 'ResetExpired': return `back to ${s(d.backTo)}`;
    case 'InputRejected': return `${s(d.input)}: ${s(d.error)}`;
    case 'ErrorRecorded': return `${s(d.kind)}: ${s(d.message)}`;
    case 'CancelOrdersFailed': return s(d.error);
    case 'RestoreFailed': return s(d.reason);
    case 'StoreWriteFailed': return s(d.error);
    case 'TradingDayOpened': return `day ${s(d.tradingDay)}, start value ${money(d.startValue)}`;
    case 'CircuitBreakerWarning': {
      if (e.breaker === 'drawdown') return `drawdown ${percent(d.drawdown)} (trips at ${percent(d.threshold)})`;
      if (e.breaker === 'dailyLoss') return `P&L ${signedMoney(d.pnl)} (${percent(d.pnlFraction, 2)})`;
      if (e.breaker === 'orderRate') return `${s(d.count)} / ${s(d.maxOrders)} orders in ${s(d.windowSeconds)} s`;
      if (e.breaker === 'errorRate') return `${s(d.count)} / ${s(d.maxErrors)} errors in ${s(d.windowSeconds)} s`;
      return '';
    }
    default: {
      // Plain facts as "key value" pairs (nested objects summarised), e.g. a reset's re-baselined figures.
      const text = Object.entries(d)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(', ');
      return text.length > 200 ? `${text.slice(0, 199)}…` : text;
    }
  }
}

function journalItem(e: RiskEvent): HTMLLIElement {
  return h('li', { class: `log-entry type-${e.type}`, attrs: { 'data-type': e.type } }, [
    h('time', { text: clockTime(e.at), attrs: { datetime: e.timestamp } }),
    h('span', { class: 'badge', text: e.type }),
    h('span', { class: 'log-breaker', text: e.breaker ?? 'strategy' }),
    e.operator ? h('span', { class: 'log-operator', text: `by ${e.operator}` }) : '',
    h('span', { class: 'log-text', text: detailString(e) }),
  ]);
}

/** Error-related entries the journal holds: every recorded error, refused inputs, error-rate warnings and trips. */
function errorEntryOf(e: RiskEvent): ErrorEntry | null {
  const d = e.details as Record<string, unknown>;
  if (e.type === 'ErrorRecorded' && ERROR_KIND_LIST.includes(d.kind as ErrorKind)) {
    return { id: e.id, at: e.at, kind: d.kind as ErrorKind, source: 'reported', message: String(d.message ?? '') };
  }
  if (e.type === 'InputRejected') {
    return { id: e.id, at: e.at, kind: 'data_error', source: 'InputRejected', message: `${String(d.input)}: ${String(d.error)}` };
  }
  if (e.breaker === 'errorRate' && (e.type === 'CircuitBreakerTripped' || e.type === 'CircuitBreakerWarning')) {
    const last = d.lastError as { kind?: unknown; message?: unknown } | undefined;
    const kind = ERROR_KIND_LIST.includes(last?.kind as ErrorKind) ? (last!.kind as ErrorKind) : 'data_error';
    const label = e.type === 'CircuitBreakerTripped' ? 'error rate TRIPPED' : 'error rate WARNING';
    return { id: e.id, at: e.at, kind, source: label, message: `${String(last?.message ?? '')} — ${String(d.count)} / ${String(d.maxErrors)} errors in ${String(d.windowSeconds)} s` };
  }
  return null;
}

function errorItem(entry: ErrorEntry): HTMLLIElement {
  const item = h('li', { class: 'log-entry', attrs: { 'data-kind': entry.kind } }, [
    h('time', { text: clockTime(entry.at), attrs: { datetime: new Date(entry.at).toISOString() } }),
    h('span', { class: `badge kind-${entry.kind}`, text: entry.kind }),
    h('span', { class: 'log-breaker', text: entry.source }),
    h('span', { class: 'log-text', text: entry.message }),
  ]);
  item.hidden = view.errorFilter !== 'all' && view.errorFilter !== entry.kind;
  return item;
}

function applyErrorFilter(): void {
  const log = $('error-log');
  let shown = 0;
  for (const li of Array.from(log.querySelectorAll<HTMLLIElement>('li[data-kind]'))) {
    li.hidden = view.errorFilter !== 'all' && view.errorFilter !== li.dataset.kind;
    if (!li.hidden) shown++;
  }
  let empty = log.querySelector<HTMLLIElement>('li.empty');
  if (!empty) {
    empty = h('li', { class: 'empty' });
    log.append(empty);
  }
  empty.hidden = shown > 0;
  empty.textContent = view.errorFilter === 'all' ? 'No error events in the journal.' : `No ${view.errorFilter} events in the journal.`;
}

function renderErrorCounts(status: RuntimeStatus): void {
  const dl = $('error-counts');
  dl.replaceChildren();
  const f = status.breakers.errorRate.figures;
  if (!f) {
    figure(dl, 'Error rate', 'disabled');
    return;
  }
  for (const k of ERROR_KIND_LIST) figure(dl, k, String(f.byKind[k] ?? 0), view.errorFilter === k ? 'selected' : '');
  figure(dl, `In the last ${f.windowSeconds} s`, `${f.count} / ${f.limit}`);
}

/** Applies one risk event to the warnings (a warning lasts until the breaker's next NORMAL baseline). */
function trackWarning(e: RiskEvent): void {
  const b = e.breaker;
  if (e.type === 'CircuitBreakerWarning' && b) view.warned[b] = true;
  if (e.type === 'StateChanged' && b && (e.details as Record<string, unknown>).to === 'NORMAL') view.warned[b] = false;
  if (e.type === 'TradingDayOpened') view.warned.dailyLoss = false;
}

function addRiskEvent(e: RiskEvent, live: boolean): void {
  if (view.journalIds.has(e.id)) return;
  view.journalIds.add(e.id);
  view.journal.unshift(e);
  trackWarning(e);
  const journal = $('journal');
  journal.querySelector('li.empty')?.remove();
  journal.prepend(journalItem(e));
  while (journal.children.length > MAX_JOURNAL) journal.lastElementChild?.remove();
  const err = errorEntryOf(e);
  if (err) {
    const log = $('error-log');
    log.prepend(errorItem(err));
    while (log.children.length > MAX_JOURNAL) log.lastElementChild?.remove();
    applyErrorFilter();
  }
  if (live) scheduleRefresh(50);
}

async function loadJournal(strategy: string, generation: number): Promise<void> {
  try {
    const { entries } = await getJson<{ entries: RiskEvent[] }>(strategyPath(strategy, '/journal'));
    if (generation !== view.generation) return;
    // Oldest first from the API; add in order so the newest ends on top.
    const recent = entries.slice(-MAX_JOURNAL);
    for (const e of recent) addRiskEvent(e, false);
    if (view.status) {
      // A drawdown warning from before the last high-water mark no longer applies.
      const f = view.status.breakers.drawdown.figures;
      if (f?.drawdown !== null && toNumber(f?.drawdown) === 0) view.warned.drawdown = false;
      applyStatus(view.status);
    }
  } catch (error) {
    $('journal').replaceChildren(h('li', { class: 'empty', text: `Could not load the journal: ${error instanceof Error ? error.message : String(error)}` }));
  }
  if ($('journal').children.length === 0) $('journal').append(h('li', { class: 'empty', text: 'The journal is empty.' }));
  applyErrorFilter();
}

// ───────────────────────────── statecharts ─────────────────────────────

function renderStatecharts(): void {
  const charts = view.charts;
  const status = view.status;
  const box = $('statecharts');
  if (!charts || !status) return;
  const entries: { key: string; title: string; svg: string; state: BreakerState }[] = [
    { key: 'supervisor', title: 'Supervisor (restarts its breakers one-for-one)', svg: charts.supervisor.svg, state: 'supervising' as BreakerState },
    ...BREAKERS.map((b) => ({ key: b, title: `${BREAKER_NAMES[b]} breaker`, svg: charts.breakers[b].svg, state: status.breakers[b].state })),
  ];
  for (const entry of entries) {
    let fig = box.querySelector<HTMLElement>(`figure[data-machine="${entry.key}"]`);
    if (!fig) {
      fig = h('figure', { class: 'statechart-figure', attrs: { 'data-machine': entry.key } });
      const svgDoc = new DOMParser().parseFromString(entry.svg.replaceAll('sc-arrow-', `sc-arrow-${entry.key}-`), 'image/svg+xml');
      fig.append(document.importNode(svgDoc.documentElement, true));
      fig.append(h('figcaption', {}, [h('span', { text: `${entry.title}: ` }), h('strong', { attrs: { 'data-role': 'current' } })]));
      box.append(fig);
    }
    fig.querySelector('[data-role="current"]')!.textContent = stateText(entry.state);
    for (const node of Array.from(fig.querySelectorAll<SVGGElement>('.sc-node'))) {
      const current = node.dataset.state === entry.state;
      node.classList.toggle('current', current);
      node.classList.remove('state-normal', 'state-resetting', 'state-tripped', 'state-halted');
      if (current) node.classList.add(stateClass(entry.state));
    }
  }
}

// ───────────────────────────── dialogs ─────────────────────────────

function resultBox(dialog: HTMLDialogElement): HTMLElement {
  return dialog.querySelector<HTMLElement>('.dialog-result')!;
}

function showResult(dialog: HTMLDialogElement, text: string, ok: boolean): void {
  const box = resultBox(dialog);
  box.className = `dialog-result ${ok ? 'ok' : 'error'}`;
  box.textContent = text;
}

function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.status === 401 || error.status === 403 ? 'Not authorised: ' : 'Refused: '}${error.message}`;
  return `Request failed: ${error instanceof Error ? error.message : String(error)}`;
}

function initDialogs(): void {
  for (const dialog of Array.from(document.querySelectorAll<HTMLDialogElement>('dialog'))) {
    for (const btn of Array.from(dialog.querySelectorAll<HTMLButtonElement>('[data-close]'))) btn.addEventListener('click', () => dialog.close());
  }
  const halt = $('halt-dialog') as HTMLDialogElement;
  $('halt-button').addEventListener('click', () => {
    if (!view.strategy || !requireCredentials()) return;
    (halt.querySelector('form') as HTMLFormElement).reset();
    halt.querySelector('.dialog-strategy')!.textContent = `“${view.strategy}”`;
    resultBox(halt).textContent = '';
    ($('halt-submit') as HTMLButtonElement).disabled = false;
    halt.showModal();
    ($('halt-reason') as HTMLTextAreaElement).focus();
  });
  $('halt-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void submitHalt(halt);
  });

  const reset = $('reset-dialog') as HTMLDialogElement;
  $('reset-button').addEventListener('click', () => openResetDialog(null));
  $('reset-request').addEventListener('click', () => void requestReset(reset));
  $('reset-confirm').addEventListener('click', () => void confirmReset(reset));
  reset.addEventListener('close', () => stopResetCountdown());
  $('reset-form').addEventListener('submit', (e) => e.preventDefault());
}

async function submitHalt(dialog: HTMLDialogElement): Promise<void> {
  const creds = credentials();
  const strategy = view.strategy;
  const reason = ($('halt-reason') as HTMLTextAreaElement).value.trim();
  const confirmed = ($('halt-confirm') as HTMLInputElement).checked;
  if (!creds || !strategy) return showResult(dialog, 'Operator name and token are missing.', false);
  if (!reason) {
    ($('halt-reason') as HTMLTextAreaElement).focus();
    return showResult(dialog, 'Give a reason for the halt.', false);
  }
  if (!confirmed) {
    ($('halt-confirm') as HTMLInputElement).focus();
    return showResult(dialog, 'Tick the confirmation box to halt.', false);
  }
  const submit = $('halt-submit') as HTMLButtonElement;
  submit.disabled = true;
  showResult(dialog, 'Halting…', true);
  try {
    const answer = await postJson<{ state: BreakerState }>(strategyPath(strategy, '/halt'), { operator: creds.operator, reason }, creds.token);
    showResult(dialog, `Halted. The strategy is now ${stateText(answer.state)}; new orders are rejected.`, true);
    scheduleRefresh(0);
  } catch (error) {
    submit.disabled = false;
    showResult(dialog, errorText(error), false);
  }
}

const resetFlow = {
  token: null as string | null,
  breaker: null as BreakerType | null,
  expiresAt: 0,
  timer: null as ReturnType<typeof setInterval> | null,
};

function stopResetCountdown(): void {
  if (resetFlow.timer !== null) clearInterval(resetFlow.timer);
  resetFlow.timer = null;
}

function openResetDialog(preselect: BreakerType | null): void {
  if (!view.strategy || !requireCredentials()) return;
  const dialog = $('reset-dialog') as HTMLDialogElement;
  dialog.querySelector('.dialog-strategy')!.textContent = `“${view.strategy}”`;
  resetFlow.token = null;
  resetFlow.breaker = null;
  stopResetCountdown();
  resultBox(dialog).textContent = '';
  $('reset-step-1').hidden = false;
  ($('reset-step-1') as HTMLFieldSetElement).disabled = false;
  $('reset-step-2').hidden = true;
  const request = $('reset-request') as HTMLButtonElement;
  const confirm = $('reset-confirm') as HTMLButtonElement;
  request.hidden = false;
  confirm.hidden = true;
  confirm.disabled = false;
  const choices = $('reset-choices');
  choices.replaceChildren();
  const status = view.status;
  const resettable = BREAKERS.filter((b) => status && status.breakers[b].enabled && status.breakers[b].state !== 'NORMAL');
  for (const b of resettable) {
    const id = `reset-choice-${b}`;
    const input = h('input', { attrs: { type: 'radio', name: 'breaker', value: b, id } });
    if (b === preselect || resettable.length === 1) input.checked = true;
    choices.append(h('div', { class: 'choice' }, [input, h('label', { text: `${BREAKER_NAMES[b]} — ${stateText(status!.breakers[b].state)}`, attrs: { for: id } })]));
  }
  if (resettable.length === 0) choices.append(h('p', { text: 'Every breaker is NORMAL: there is nothing to reset.' }));
  request.disabled = resettable.length === 0;
  dialog.showModal();
  const first = choices.querySelector<HTMLInputElement>('input:checked') ?? choices.querySelector<HTMLInputElement>('input');
  (first ?? request).focus();
}

async function requestReset(dialog: HTMLDialogElement): Promise<void> {
  const creds = credentials();
  const strategy = view.strategy;
  const chosen = dialog.querySelector<HTMLInputElement>('input[name="breaker"]:checked');
  if (!creds || !strategy) return showResult(dialog, 'Operator name and token are missing.', false);
  if (!chosen) return showResult(dialog, 'Choose the breaker to reset.', false);
  const request = $('reset-request') as HTMLButtonElement;
  request.disabled = true;
  showResult(dialog, 'Requesting a reset…', true);
  try {
    const answer = await postJson<{ token: string; breaker: BreakerType; expiresAt: string }>(
      strategyPath(strategy, '/reset'),
      { operator: creds.operator, breaker: chosen.value },
      creds.token,
    );
    resetFlow.token = answer.token;
    resetFlow.breaker = answer.breaker;
    resetFlow.expiresAt = Date.parse(answer.expiresAt);
    ($('reset-step-1') as HTMLFieldSetElement).disabled = true;
    $('reset-step-2').hidden = false;
    $('reset-breaker-name').textContent = BREAKER_NAMES[answer.breaker] ?? answer.breaker;
    request.hidden = true;
    const confirm = $('reset-confirm') as HTMLButtonElement;
    confirm.hidden = false;
    confirm.disabled = false;
    const update = () => {
      const left = resetFlow.expiresAt - Date.now();
      $('reset-countdown').textContent = duration(left);
      if (left <= 0) {
        stopResetCountdown();
        confirm.disabled = true;
        showResult(dialog, 'The reset token expired before it was confirmed; the breaker went back to its blocking state. Request a new reset.', false);
      }
    };
    update();
    resetFlow.timer = setInterval(update, 250);
    showResult(dialog, `Reset requested; token valid until ${clockTime(answer.expiresAt)}. Confirm to return the breaker to NORMAL.`, true);
    confirm.focus();
    scheduleRefresh(0);
  } catch (error) {
    request.disabled = false;
    showResult(dialog, errorText(error), false);
  }
}

async function confirmReset(dialog: HTMLDialogElement): Promise<void> {
  const creds = credentials();
  const strategy = view.strategy;
  if (!creds || !strategy || !resetFlow.token) return showResult(dialog, 'There is no pending reset to confirm.', false);
  const confirm = $('reset-confirm') as HTMLButtonElement;
  confirm.disabled = true;
  stopResetCountdown();
  try {
    const answer = await postJson<{ confirmed: boolean; breaker: BreakerType; state: BreakerState; reason: string | null }>(
      strategyPath(strategy, '/reset/confirm'),
      { operator: creds.operator, token: resetFlow.token },
      creds.token,
    );
    resetFlow.token = null;
    const name = BREAKER_NAMES[answer.breaker] ?? answer.breaker;
    if (answer.confirmed) showResult(dialog, `Reset confirmed: the ${name.toLowerCase()} breaker is ${stateText(answer.state)}.`, true);
    else showResult(dialog, `Reset refused: ${answer.reason ?? 're-check failed'}. The ${name.toLowerCase()} breaker is ${stateText(answer.state)}.`, false);
    scheduleRefresh(0);
  } catch (error) {
    showResult(dialog, errorText(error), false);
  }
}

// ───────────────────────────── strategies and the stream ─────────────────────────────

function setConnection(text: string, ok: boolean): void {
  const el = $('connection');
  if (el.textContent === text) return;
  el.textContent = text;
  el.className = `connection ${ok ? 'ok' : 'bad'}`;
}

function parseMessage<T>(event: Event): T | null {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as T;
  } catch {
    return null;
  }
}

function selectStrategy(name: string): void {
  view.source?.close();
  view.generation++;
  const generation = view.generation;
  view.strategy = name;
  view.status = null;
  view.globalState = null;
  view.lights = {};
  view.journal = [];
  view.journalIds.clear();
  for (const b of BREAKERS) view.warned[b] = false;
  sessionStorage.setItem(STRATEGY_KEY, name);
  $('breaker-lights').replaceChildren();
  $('journal').replaceChildren();
  $('error-log').replaceChildren();
  $('statecharts').replaceChildren();
  (($('orders') as HTMLTableElement).tBodies[0]!).replaceChildren(h('tr', { class: 'empty' }, [h('td', { text: 'No orders checked since this page opened.', attrs: { colspan: '7' } })]));
  chart?.clear();
  document.title = `${name} — breakerbox`;
  setConnection('connecting…', false);

  const source = new EventSource(strategyPath(name, '/events'));
  view.source = source;
  let journalRequested = false;
  source.addEventListener('open', () => setConnection('live', true));
  source.addEventListener('error', () => setConnection(source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…', false));
  source.addEventListener('status', (e) => {
    const status = parseMessage<RuntimeStatus>(e);
    if (!status || generation !== view.generation) return;
    setConnection('live', true);
    const first = view.status === null;
    applyStatus(status);
    if (first && status.portfolio.value !== null && status.portfolio.timestamp) {
      onPortfolio({ value: status.portfolio.value, positions: status.portfolio.positions, at: Date.parse(status.portfolio.timestamp) });
    }
    if (!journalRequested) {
      journalRequested = true;
      void loadJournal(name, generation);
    }
  });
  source.addEventListener('risk', (e) => {
    const event = parseMessage<RiskEvent>(e);
    if (event && generation === view.generation) addRiskEvent(event, true);
  });
  source.addEventListener('decision', (e) => {
    const msg = parseMessage<DecisionMessage>(e);
    if (msg && generation === view.generation) onDecision(msg);
  });
  source.addEventListener('portfolio', (e) => {
    const msg = parseMessage<PortfolioMessage>(e);
    if (msg && generation === view.generation) onPortfolio(msg);
  });
  source.addEventListener('fill', (e) => {
    const msg = parseMessage<FillMessage>(e);
    if (msg && generation === view.generation) onFill(msg);
  });
}

async function loadStrategies(): Promise<void> {
  const select = $('strategy-select') as HTMLSelectElement;
  try {
    const { strategies } = await getJson<{ strategies: { name: string; state: BreakerState; ordersAllowed: boolean }[] }>('/api/strategies');
    select.replaceChildren(...strategies.map((s) => h('option', { text: s.name, attrs: { value: s.name } })));
    if (strategies.length === 0) {
      select.append(h('option', { text: 'no strategies', attrs: { value: '' } }));
      setConnection('no strategies hosted', false);
      return;
    }
    const wanted = new URLSearchParams(location.search).get('strategy') ?? sessionStorage.getItem(STRATEGY_KEY);
    const initial = strategies.find((s) => s.name === wanted)?.name ?? strategies[0]!.name;
    select.value = initial;
    selectStrategy(initial);
  } catch (error) {
    setConnection(`cannot list strategies: ${error instanceof Error ? error.message : String(error)}`, false);
    setTimeout(() => void loadStrategies(), 3000);
  }
}

async function loadCharts(): Promise<void> {
  try {
    view.charts = await getJson<MachineCharts>('/dashboard/machines.json');
    renderStatecharts();
  } catch {
    $('statecharts').textContent = 'The statecharts could not be loaded.';
  }
}

function init(): void {
  chart = new ValueChart($('value-chart'));
  initCredentials();
  initDialogs();
  ($('strategy-select') as HTMLSelectElement).addEventListener('change', (e) => {
    const name = (e.target as HTMLSelectElement).value;
    if (name) selectStrategy(name);
  });
  for (const radio of Array.from(document.querySelectorAll<HTMLInputElement>('input[name="error-kind"]'))) {
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      view.errorFilter = radio.value as ErrorKind | 'all';
      applyErrorFilter();
      if (view.status) renderErrorCounts(view.status);
    });
  }
  setInterval(tick, 1000);
  // Rate windows drain with time alone; refresh the figures now and then even without events.
  setInterval(() => {
    if (document.visibilityState === 'visible') scheduleRefresh(0);
  }, 3000);
  void loadCharts();
  void loadStrategies();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
