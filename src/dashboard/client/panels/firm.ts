import { html, nothing, render } from 'lit-html';
import { clockTime, duration } from '../../../present/format.ts';
import { ApiError, getJson, postJson } from '../api.ts';
import { credentials, requireCredentials } from '../credentials.ts';
import { errorText } from '../dialogs.ts';
import { byId, requestRender } from '../render.ts';

type Selector = { desk?: string; strategy?: string };

/** GET /api/firm: this process's view of the firm (docs/cluster.md). */
interface FirmStatus {
  firm: string;
  link: 'up' | 'down';
  bucket: 'up' | 'down';
  downForMs: number;
  lagMs: number | null;
  auditBacklog: number;
  heartbeatTimeout: number;
  haltsKnown?: boolean;
  halts: { scope: string; operator: string; reason: string; at: string; confirm: string; selector: Selector }[];
  /** The scopes this process can halt, with the selector the API takes for each. */
  scopes: { scope: string; selector: Selector }[];
  strategies: { name: string; desk: string; cluster: string | null; haltedAt: string[] }[];
}

const firm = {
  status: null as FirmStatus | null,
  /** False once the server said it has no cluster: the panel stays hidden. */
  available: true,
  error: null as string | null,
  message: null as { text: string; ok: boolean } | null,
  /** A lift being confirmed: nothing is requested until the operator typed the scope's name. */
  pending: null as { scope: string; confirm: string; selector: Selector } | null,
};

async function load(): Promise<void> {
  try {
    firm.status = await getJson<FirmStatus>('/api/firm');
    firm.error = null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) firm.available = false;
    else firm.error = error instanceof Error ? error.message : String(error);
  }
  requestRender();
}

const say = (text: string, ok: boolean) => {
  firm.message = { text, ok };
  requestRender();
};

async function halt(): Promise<void> {
  const creds = requireCredentials();
  if (!creds) return;
  const scope = byId<HTMLSelectElement>('firm-scope').value;
  const selector = firm.status?.scopes.find((x) => x.scope === scope)?.selector ?? {};
  const reason = byId<HTMLInputElement>('firm-reason').value.trim();
  if (!reason) return say('Give a reason for the halt.', false);
  if (!byId<HTMLInputElement>('firm-confirm').checked) return say(`Tick the box to confirm the halt of ${scope}.`, false);
  try {
    const answer = await postJson<{ scope: string; created: boolean }>('/api/firm/halt', { operator: creds.operator, reason, ...selector }, creds.token);
    say(answer.created ? `Halted ${answer.scope}: every strategy in scope, in every process, is MANUALLY HALTED.` : `${answer.scope} was already halted.`, true);
    byId<HTMLInputElement>('firm-confirm').checked = false;
  } catch (error) {
    say(errorText(error), false);
  }
  await load();
}

/** First step in the page: ask for the scope's name (nothing is requested yet). */
function askToLift(halt: FirmStatus['halts'][number]): void {
  if (!requireCredentials()) return;
  firm.pending = { scope: halt.scope, confirm: halt.confirm, selector: halt.selector };
  say(`Type “${halt.confirm}” and confirm to lift the halt at ${halt.scope}.`, true);
}

/** The name matches: request the scope's reset token and confirm it at once. */
async function confirmLift(): Promise<void> {
  const creds = credentials();
  const p = firm.pending;
  if (!creds || !p) return;
  if (byId<HTMLInputElement>('firm-confirm-name').value.trim() !== p.confirm) return say(`Type “${p.confirm}” exactly to lift the halt at ${p.scope}; nothing was requested.`, false);
  try {
    const ticket = await postJson<{ token: string; scope: string }>('/api/firm/reset', { operator: creds.operator, ...p.selector }, creds.token);
    await postJson('/api/firm/reset/confirm', { operator: creds.operator, token: ticket.token }, creds.token);
    firm.pending = null;
    say(`Lifted the halt at ${p.scope}.`, true);
  } catch (error) {
    firm.pending = null;
    say(errorText(error), false);
  }
  await load();
}

/** The firm panel: link, halts by scope, and halt / two-step reset at a scope (hidden without a cluster). */
export function renderFirm(): void {
  const box = byId('firm');
  const s = firm.status;
  if (!firm.available || (!s && !firm.error)) {
    render(nothing, box);
    return;
  }
  render(
    html`<section class="panel span-12" id="firm-panel" aria-labelledby="firm-title"><h2 id="firm-title">Firm (cluster)</h2>
      ${firm.error ? html`<p class="data-fault">Cannot read the firm's state: ${firm.error}</p>` : nothing}
      ${s
        ? html`<dl class="figures inline">
              <div class="figure"><dt>Firm</dt><dd>${s.firm}</dd></div>
              <div class="figure"><dt>Link</dt><dd class=${s.link === 'up' ? '' : 'bad'}>${s.link}</dd></div>
              <div class="figure"><dt>Bucket</dt><dd class=${s.bucket === 'up' ? '' : 'bad'}>${s.bucket}</dd></div>
              <div class="figure"><dt>Lag</dt><dd>${s.lagMs === null ? '–' : `${s.lagMs.toFixed(1)} ms`}</dd></div>
              ${s.auditBacklog > 0 ? html`<div class="figure"><dt>Audit backlog</dt><dd class="warn">${s.auditBacklog} not yet published</dd></div>` : nothing}
              ${s.downForMs > 0 ? html`<div class="figure"><dt>Down for</dt><dd>${duration(s.downForMs)}</dd></div>` : nothing}
            </dl>
            <h3>Halts in force</h3>
            <ul id="firm-halts" class="log">
              ${s.haltsKnown === false
                ? html`<li class="data-fault" id="firm-halts-unknown">Unknown: the ${s.link === 'up' ? 'bucket' : 'link'} is down, so this process cannot see the firm's halts${s.halts.length > 0 ? ' (the last ones seen are listed below)' : ''}.</li>`
                : nothing}
              ${s.halts.length === 0
                ? s.haltsKnown === false
                  ? nothing
                  : html`<li class="empty">No scope is halted.</li>`
                : s.halts.map(
                    (h) => html`<li class="log-entry" data-scope=${h.scope}><strong>${h.scope}</strong> halted by ${h.operator} at ${clockTime(h.at)}: ${h.reason}
                      <button type="button" class="small" data-role="firm-reset" @click=${() => askToLift(h)}>Lift (two-step)…</button></li>`,
                  )}
            </ul>
            ${firm.pending
              ? html`<div class="field"><label for="firm-confirm-name">Type “${firm.pending.confirm}” to lift the halt at ${firm.pending.scope}</label>
                  <input id="firm-confirm-name" type="text" autocomplete="off" spellcheck="false">
                  <button type="button" id="firm-reset-confirm" class="primary" @click=${() => void confirmLift()}>Confirm lift</button></div>`
              : nothing}
            <h3>Halt a scope</h3>
            <div class="firm-halt">
              <div class="field"><label for="firm-scope">Scope</label><select id="firm-scope">${s.scopes.map((x) => html`<option value=${x.scope}>${x.scope}</option>`)}</select></div>
              <div class="field"><label for="firm-reason">Reason (required)</label><input id="firm-reason" type="text" maxlength="1000"></div>
              <div class="field checkbox"><input type="checkbox" id="firm-confirm"><label for="firm-confirm">I confirm: halt every strategy in this scope, in every process.</label></div>
              <button type="button" id="firm-halt" class="danger" @click=${() => void halt()}>Halt scope</button>
            </div>
            <h3>Strategies of this process</h3>
            <ul class="log">${s.strategies.map((x) => html`<li class="log-entry">${x.name} (desk ${x.desk}): cluster breaker ${x.cluster ?? '–'}${x.haltedAt.length ? html` — halted at ${x.haltedAt.join(', ')}` : nothing}</li>`)}</ul>`
        : nothing}
      ${firm.message ? html`<p id="firm-result" class="dialog-result ${firm.message.ok ? 'ok' : 'error'}" role="status">${firm.message.text}</p>` : nothing}</section>`,
    box,
  );
}

let timer: ReturnType<typeof setInterval> | null = null;

/**
 * Follows the firm's state (every two seconds) while the strategy shown has a cluster breaker
 * enabled, i.e. the process has `cluster` configured; otherwise the panel is absent.
 */
export function followFirm(clustered: boolean): void {
  firm.available = clustered;
  if (!clustered) {
    if (timer !== null) clearInterval(timer);
    timer = null;
    firm.status = null;
    return;
  }
  if (timer !== null) return;
  void load();
  timer = setInterval(() => {
    if (document.visibilityState === 'visible') void load();
  }, 2000);
}
