import { html, nothing, render } from 'lit-html';
import type { Overview, OverviewRow } from '../../../present/overview.ts';
import { clockTime } from '../../../present/format.ts';
import { getJson, postJson } from '../api.ts';
import { credentials, requireCredentials } from '../credentials.ts';
import { clearResult, errorText, showResult } from '../dialogs.ts';
import { byId, requestRender } from '../render.ts';
import { Link, state } from '../state.ts';
import { stateClass } from './lights.ts';

/** How often the overview is read, and how old a reading may be before the page stops vouching for it. */
const POLL_MS = 1000;
const STALE_MS = 3000;
/** What an operator types to confirm a halt of every strategy. */
export const HALT_ALL_CONFIRMATION = 'halt all';

const overview = {
  data: null as Overview | null,
  /** performance.now() of the last good reading. */
  receivedAt: 0,
  /** Wall-clock time of the last good reading (the notice says how old it is). */
  receivedWall: 0,
  error: null as string | null,
  /** The halt-all dialog's step: choosing, or typing the confirmation for this mode and reason. */
  pending: null as { mode: 'halt' | 'reduceOnly'; reason: string; strategies: readonly string[] } | null,
};

let openStrategy: (name: string) => void = () => undefined;

async function poll(): Promise<void> {
  try {
    overview.data = await getJson<Overview>('/api/overview');
    overview.receivedAt = performance.now();
    overview.receivedWall = Date.now();
    overview.error = null;
  } catch (error) {
    overview.error = error instanceof Error ? error.message : String(error);
  }
  requestRender();
}

/** Whether the last reading is fresh enough to show; otherwise every row reads "unknown". */
function live(): boolean {
  // The overview comes from the same server as the event stream: while that link is down, nothing here is vouched for.
  return overview.data !== null && overview.error === null && performance.now() - overview.receivedAt <= STALE_MS && state.link !== Link.DISCONNECTED;
}

function row(r: OverviewRow, known: boolean) {
  const cls = known ? stateClass(r.state) : 'state-unknown';
  return html`<tr data-strategy=${r.strategy} class=${cls}>
    <th scope="row"><button type="button" class="link" data-role="open-strategy" @click=${() => openStrategy(r.strategy)}>${r.strategy}</button></th>
    <td><span class="light-icon ${cls}" aria-hidden="true"></span> <span data-role="state">${known ? r.stateLabel : 'UNKNOWN'}</span></td>
    <td data-role="mode">${known ? (r.tradingMode ?? 'UNKNOWN') : 'UNKNOWN'}</td>
    <td class="num">${known ? r.value : '–'}</td>
    <td class="num ${known && r.pnlLoss ? 'bad' : ''}">${known ? r.pnlToday : '–'}</td>
    <td data-role="worst">${known && r.worst ? html`<strong>${r.worst.name}</strong>: ${r.worst.stateLabel} — ${r.worst.figure}${r.worst.meterText ? ` (${r.worst.meterText})` : ''}` : known ? 'no breaker enabled' : 'unknown'}</td>
    <td class="num">${known ? (r.openOrders === null ? html`<span class="muted" title="tracked only with pre-trade limits">–</span>` : String(r.openOrders)) : '–'}</td>
    <td>${known && r.fault ? html`<span class="data-fault">${r.fault}</span>` : nothing}</td>
  </tr>`;
}

/** The overview: every strategy of this process on one screen, and a two-step halt of all of them. */
export function renderOverview(): void {
  const d = overview.data;
  const known = live();
  const c = d?.counts;
  render(
    html`<h2 id="overview-title">All strategies <span class="muted">(this process)</span></h2>
      ${known
        ? html`<p id="overview-counts" class="muted">${c!.ACTIVE} active · ${c!.REDUCING} reduce-only · ${c!.HALTED} halted${c!.UNKNOWN ? ` · ${c!.UNKNOWN} unknown` : ''} — as of ${clockTime(d!.at)}</p>`
        : html`<p id="overview-unknown" class="data-fault" role="status">State unknown: ${overview.error ? `cannot read the overview (${overview.error})` : d ? 'the last reading is too old' : 'waiting for the first reading'}.${overview.receivedWall ? ` Last reading at ${clockTime(overview.receivedWall)}; not shown as current.` : ''}</p>`}
      ${d
        ? html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="overview-title"><table id="overview-table">
            <thead><tr><th scope="col">Strategy</th><th scope="col">State</th><th scope="col">Trading mode</th><th scope="col" class="num">Value</th><th scope="col" class="num">P&amp;L today</th><th scope="col">Worst breaker</th><th scope="col" class="num">Open orders</th><th scope="col">Note</th></tr></thead>
            <tbody>${d.strategies.map((r) => row(r, known))}</tbody></table></div>`
        : nothing}
      <div class="actions"><button type="button" id="halt-all-button" class="danger" @click=${openHaltAll}>Halt all strategies…</button></div>`,
    byId('overview'),
  );
}

function openHaltAll(): void {
  if (!requireCredentials()) return;
  const dialog = byId<HTMLDialogElement>('halt-all-dialog');
  overview.pending = null;
  dialog.querySelector('form')!.reset();
  byId('halt-all-step-2').hidden = true;
  byId('halt-all-step-1').hidden = false;
  byId<HTMLButtonElement>('halt-all-submit').disabled = false;
  clearResult(dialog);
  dialog.showModal();
  byId('halt-all-reason').focus();
}

/** Step 1 → 2: the mode and reason are fixed, the strategies listed, and the operator types the confirmation. */
function toStep2(dialog: HTMLDialogElement): void {
  const reason = byId<HTMLTextAreaElement>('halt-all-reason').value.trim();
  if (!reason) return showResult(dialog, 'Give a reason for the halt.', false);
  const mode = byId<HTMLInputElement>('halt-all-mode-reduce').checked ? 'reduceOnly' : 'halt';
  const strategies = overview.data?.strategies.map((r) => r.strategy) ?? [];
  overview.pending = { mode, reason, strategies };
  byId('halt-all-summary').textContent = `${mode === 'reduceOnly' ? 'Reduce-only halt (risk-reducing orders pass)' : 'Full halt (every new order rejected, pending orders cancelled)'} of ${strategies.length} strateg${strategies.length === 1 ? 'y' : 'ies'}: ${strategies.join(', ') || 'none listed yet'}. Reason: “${reason}”.`;
  byId('halt-all-step-1').hidden = true;
  byId('halt-all-step-2').hidden = false;
  clearResult(dialog);
  byId('halt-all-typed').focus();
}

async function submit(dialog: HTMLDialogElement): Promise<void> {
  const creds = credentials();
  const pending = overview.pending;
  if (!creds) return showResult(dialog, 'Operator name and token are missing.', false);
  if (!pending) return toStep2(dialog);
  if (byId<HTMLInputElement>('halt-all-typed').value.trim() !== HALT_ALL_CONFIRMATION) {
    byId('halt-all-typed').focus();
    return showResult(dialog, `Type “${HALT_ALL_CONFIRMATION}” to confirm. Nothing was sent.`, false);
  }
  const button = byId<HTMLButtonElement>('halt-all-submit');
  button.disabled = true;
  showResult(dialog, 'Halting every strategy…', true);
  try {
    const answer = await postJson<{ halted: { strategy: string; state: string; tradingMode: string | null; error: string | null }[] }>('/api/halt', { operator: creds.operator, reason: pending.reason, mode: pending.mode }, creds.token);
    const failed = answer.halted.filter((h) => h.error);
    const lines = answer.halted.map((h) => `${h.strategy}: ${h.error ? `NOT HALTED — ${h.error}` : `${h.state.replace('_', ' ')}, ${h.tradingMode ?? 'mode unknown'}`}`);
    showResult(dialog, `${failed.length === 0 ? 'Halted every strategy.' : `${failed.length} could not be halted.`} ${lines.join('; ')}`, failed.length === 0);
    void poll();
  } catch (error) {
    button.disabled = false;
    showResult(dialog, errorText(error), false);
  }
}

/** Starts reading the overview; `open` shows a strategy's own page. */
export function initOverview(open: (name: string) => void): void {
  openStrategy = open;
  const dialog = byId<HTMLDialogElement>('halt-all-dialog');
  byId('halt-all-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void submit(dialog);
  });
  byId('halt-all-back').addEventListener('click', () => {
    overview.pending = null;
    byId('halt-all-step-2').hidden = true;
    byId('halt-all-step-1').hidden = false;
    clearResult(dialog);
  });
  void poll();
  setInterval(() => void poll(), POLL_MS);
  // Re-render on a timer too, so a reading that stops arriving turns "unknown" even with no new data.
  setInterval(requestRender, POLL_MS);
}
