import { html, nothing, render } from 'lit-html';
import type { BreakerState } from '../../../../machines/constants.ts';
import type { BreakerType } from '../../../../machines/rules/registry.ts';
import { clockTime, duration } from '../../../present/format.ts';
import { stateLabel } from '../../../present/labels.ts';
import { postJson, strategyPath } from '../api.ts';
import { credentials, requireCredentials } from '../credentials.ts';
import { clearResult, errorText, showResult } from '../dialogs.ts';
import { byId } from '../render.ts';
import { state } from '../state.ts';

/** The two-step reset in progress: the chosen breaker, then its token and deadline. */
const flow = {
  selected: null as BreakerType | null,
  token: null as string | null,
  breaker: null as BreakerType | null,
  expiresAt: 0,
  timer: null as ReturnType<typeof setInterval> | null,
  /** Requested: step 1 is done and the effects shown are those the request was made with. */
  requested: false,
  /** The countdown's last word once it stopped (confirmed, refused, expired). */
  ended: null as string | null,
};

/** A breaker's name as the server's view gives it (the page keeps no list of names). */
const nameOf = (type: string): string => state.view?.breakers.find((b) => b.type === type)?.name ?? type;

function stopCountdown(ended: string): void {
  if (flow.timer !== null) clearInterval(flow.timer);
  flow.timer = null;
  flow.ended = ended;
  byId('reset-countdown').textContent = ended;
}

/** Step 1: the breakers that can be reset, and what a reset of the chosen one will move (from the server). */
export function renderResetDialog(): void {
  const dialog = byId<HTMLDialogElement>('reset-dialog');
  if (!dialog.open || flow.requested) return;
  const v = state.view;
  const resettable = (v?.breakers ?? []).filter((b) => b.canReset);
  if (flow.selected !== null && !resettable.some((b) => b.type === flow.selected)) flow.selected = null;
  if (flow.selected === null && resettable.length === 1) flow.selected = resettable[0]!.type;
  render(
    resettable.length === 0
      ? html`<p>Every breaker is NORMAL: there is nothing to reset.</p>`
      : resettable.map(
          (b) => html`<div class="choice"><input type="radio" name="breaker" id="reset-choice-${b.type}" value=${b.type} .checked=${flow.selected === b.type}
              @change=${() => { flow.selected = b.type; renderResetDialog(); }}><label for="reset-choice-${b.type}">${b.name} — ${b.stateLabel}</label></div>`,
        ),
    byId('reset-choices'),
  );
  const chosen = resettable.find((b) => b.type === flow.selected);
  render(
    chosen
      ? html`<p><strong>What a confirmed reset of the ${chosen.name.toLowerCase()} breaker moves:</strong></p><ul>${chosen.resetEffects.map((e) => html`<li>${e}</li>`)}</ul>`
      : nothing,
    byId('reset-effects'),
  );
  byId<HTMLButtonElement>('reset-request').disabled = resettable.length === 0;
}

export function openResetDialog(preselect: BreakerType | null): void {
  if (!state.strategy || !requireCredentials()) return;
  const dialog = byId<HTMLDialogElement>('reset-dialog');
  dialog.querySelector('.dialog-strategy')!.textContent = `“${state.strategy}”`;
  if (flow.timer !== null) clearInterval(flow.timer);
  Object.assign(flow, { selected: preselect, token: null, breaker: null, timer: null, requested: false, ended: null });
  clearResult(dialog);
  byId('reset-step-1').hidden = false;
  byId<HTMLFieldSetElement>('reset-step-1').disabled = false;
  byId('reset-step-2').hidden = true;
  byId('reset-request').hidden = false;
  byId('reset-confirm').hidden = true;
  byId<HTMLButtonElement>('reset-confirm').disabled = false;
  dialog.showModal();
  renderResetDialog();
  const first = dialog.querySelector<HTMLInputElement>('input[name="breaker"]:checked') ?? dialog.querySelector<HTMLInputElement>('input[name="breaker"]');
  (first ?? byId('reset-request')).focus();
}

async function request(dialog: HTMLDialogElement): Promise<void> {
  const creds = credentials();
  const strategy = state.strategy;
  if (!creds || !strategy) return showResult(dialog, 'Operator name and token are missing.', false);
  if (!flow.selected) return showResult(dialog, 'Choose the breaker to reset.', false);
  const button = byId<HTMLButtonElement>('reset-request');
  button.disabled = true;
  showResult(dialog, 'Requesting a reset…', true);
  try {
    const answer = await postJson<{ token: string; breaker: BreakerType; expiresAt: string }>(strategyPath(strategy, '/reset'), { operator: creds.operator, breaker: flow.selected }, creds.token);
    Object.assign(flow, { token: answer.token, breaker: answer.breaker, expiresAt: Date.parse(answer.expiresAt), requested: true, ended: null });
    byId<HTMLFieldSetElement>('reset-step-1').disabled = true;
    byId('reset-step-2').hidden = false;
    byId('reset-breaker-name').textContent = nameOf(answer.breaker);
    button.hidden = true;
    const confirm = byId<HTMLButtonElement>('reset-confirm');
    confirm.hidden = false;
    confirm.disabled = false;
    const update = () => {
      const left = flow.expiresAt - Date.now();
      byId('reset-countdown').textContent = duration(left);
      if (left <= 0) {
        stopCountdown('expired');
        confirm.disabled = true;
        flow.token = null;
        showResult(dialog, 'The reset token expired before it was confirmed; the breaker went back to its blocking state. Request a new reset.', false);
      }
    };
    update();
    flow.timer = setInterval(update, 250);
    showResult(dialog, `Reset requested; token valid until ${clockTime(answer.expiresAt)}. Confirm to return the breaker to NORMAL.`, true);
    confirm.focus();
  } catch (error) {
    button.disabled = false;
    showResult(dialog, errorText(error), false);
  }
}

async function confirm(dialog: HTMLDialogElement): Promise<void> {
  const creds = credentials();
  const strategy = state.strategy;
  if (!creds || !strategy || !flow.token) return showResult(dialog, 'There is no pending reset to confirm.', false);
  const button = byId<HTMLButtonElement>('reset-confirm');
  button.disabled = true;
  try {
    const answer = await postJson<{ confirmed: boolean; breaker: BreakerType; state: BreakerState; reason: string | null }>(
      strategyPath(strategy, '/reset/confirm'),
      { operator: creds.operator, token: flow.token },
      creds.token,
    );
    flow.token = null;
    const name = (nameOf(answer.breaker)).toLowerCase();
    stopCountdown(answer.confirmed ? 'none — confirmed' : 'none — refused');
    if (answer.confirmed) showResult(dialog, `Reset confirmed: the ${name} breaker is ${stateLabel(answer.state)}.`, true);
    else showResult(dialog, `Reset refused: ${answer.reason ?? 're-check failed'}. The ${name} breaker is ${stateLabel(answer.state)}.`, false);
  } catch (error) {
    // The token may still be valid: the countdown goes on and the button may be pressed again.
    button.disabled = false;
    showResult(dialog, errorText(error), false);
  }
}

export function initResetDialog(): void {
  const dialog = byId<HTMLDialogElement>('reset-dialog');
  byId('reset-button').addEventListener('click', () => openResetDialog(null));
  byId('reset-request').addEventListener('click', () => void request(dialog));
  byId('reset-confirm').addEventListener('click', () => void confirm(dialog));
  dialog.addEventListener('close', () => {
    if (flow.timer !== null) stopCountdown(flow.token ? 'closed (the token stays valid until it expires)' : (flow.ended ?? '–'));
  });
  byId('reset-form').addEventListener('submit', (e) => e.preventDefault());
}
