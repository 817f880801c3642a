import './styles.css';
import type { MachineCharts } from '../statechart.ts';
import type { RiskEvent } from '../../events.ts';
import { getJson, strategyPath } from './api.ts';
import { ValueChart } from './chart.ts';
import { initCredentials } from './credentials.ts';
import { initCloseButtons } from './dialogs.ts';
import { loadHistory } from './history.ts';
import { renderBreakers } from './panels/breakers.ts';
import { renderUnconfirmedCancels } from './panels/cancels.ts';
import { renderDisconnected } from './panels/disconnected.ts';
import { followFirm, renderFirm } from './panels/firm.ts';
import { initHaltDialog } from './panels/halt.ts';
import { renderHeader } from './panels/header.ts';
import { renderErrors, renderJournal } from './panels/journal.ts';
import { renderMarks } from './panels/marks.ts';
import { renderOrders } from './panels/orders.ts';
import { initOverview, renderOverview } from './panels/overview.ts';
import { renderPortfolio } from './panels/portfolio.ts';
import { initResetDialog, openResetDialog, renderResetDialog } from './panels/reset.ts';
import { renderStatecharts } from './panels/statecharts.ts';
import { addRenderer, byId, requestRender } from './render.ts';
import { addJournal, Link, resetForStrategy, state } from './state.ts';
import { connect, startWatchdog } from './stream.ts';

const STRATEGY_KEY = 'breakerbox.strategy';
let chart: ValueChart | null = null;

async function loadJournal(name: string, generation: number): Promise<void> {
  try {
    const { entries } = await getJson<{ entries: RiskEvent[] }>(strategyPath(name, '/journal'));
    if (generation !== state.generation) return;
    for (const e of entries) addJournal(e);
  } catch (error) {
    if (generation === state.generation) state.journalError = error instanceof Error ? error.message : String(error);
  }
  requestRender();
}

function selectStrategy(name: string): void {
  resetForStrategy(name);
  const generation = state.generation;
  sessionStorage.setItem(STRATEGY_KEY, name);
  chart?.setHistory([], []);
  requestRender();
  connect(name, generation, chart, () => {
    void loadJournal(name, generation);
    void loadHistory(name, generation, chart);
  });
}

async function loadStrategies(): Promise<void> {
  const select = byId<HTMLSelectElement>('strategy-select');
  try {
    const { strategies } = await getJson<{ strategies: { name: string }[] }>('/api/strategies');
    state.strategies = strategies.map((s) => s.name);
    select.replaceChildren(...state.strategies.map((n) => new Option(n, n)));
    if (strategies.length === 0) {
      select.append(new Option('no strategies', ''));
      state.link = Link.DISCONNECTED;
      state.linkProblem = 'this server hosts no strategies';
      return requestRender();
    }
    const wanted = new URLSearchParams(location.search).get('strategy') ?? sessionStorage.getItem(STRATEGY_KEY);
    const initial = state.strategies.find((n) => n === wanted) ?? state.strategies[0]!;
    select.value = initial;
    selectStrategy(initial);
  } catch (error) {
    state.link = Link.DISCONNECTED;
    state.linkProblem = `cannot list strategies: ${error instanceof Error ? error.message : String(error)}`;
    requestRender();
    setTimeout(() => void loadStrategies(), 2000);
  }
}

async function loadCharts(): Promise<void> {
  try {
    state.charts = await getJson<MachineCharts>('/dashboard/machines.json');
  } catch {
    state.chartsError = true;
  }
  requestRender();
}

function init(): void {
  chart = new ValueChart(byId('value-chart'));
  initCredentials();
  initCloseButtons();
  initHaltDialog();
  initResetDialog();
  byId<HTMLSelectElement>('strategy-select').addEventListener('change', (e) => {
    const name = (e.target as HTMLSelectElement).value;
    if (name) selectStrategy(name);
  });
  initOverview((name) => {
    byId<HTMLSelectElement>('strategy-select').value = name;
    selectStrategy(name);
    byId('main').scrollIntoView({ block: 'start' });
  });
  addRenderer(renderOverview);
  addRenderer(renderDisconnected);
  addRenderer(renderHeader);
  addRenderer(() => renderBreakers(openResetDialog));
  addRenderer(renderUnconfirmedCancels);
  addRenderer(renderPortfolio);
  addRenderer(renderMarks);
  addRenderer(renderOrders);
  addRenderer(renderErrors);
  addRenderer(renderJournal);
  addRenderer(renderStatecharts);
  addRenderer(renderResetDialog);
  addRenderer(() => followFirm(state.view?.breakers.some((b) => b.type === 'cluster' && b.enabled) ?? false));
  addRenderer(renderFirm);
  requestRender();
  startWatchdog();
  void loadCharts();
  void loadStrategies();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
