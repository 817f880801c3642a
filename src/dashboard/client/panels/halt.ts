import type { BreakerState } from '../../../../machines/constants.ts';
import { clockTime } from '../../../present/format.ts';
import { stateLabel } from '../../../present/labels.ts';
import type { StandingHalt } from '../../../runtime/operator.ts';
import { postJson, strategyPath } from '../api.ts';
import { credentials, requireCredentials } from '../credentials.ts';
import { clearResult, errorText, showResult } from '../dialogs.ts';
import { byId } from '../render.ts';
import { state } from '../state.ts';

/** The halt dialog: a reason and a confirmation, then POST /halt with the operator's token. */
export function initHaltDialog(): void {
  const dialog = byId<HTMLDialogElement>('halt-dialog');
  byId('halt-button').addEventListener('click', () => {
    if (!state.strategy || !requireCredentials()) return;
    dialog.querySelector('form')!.reset();
    dialog.querySelector('.dialog-strategy')!.textContent = `“${state.strategy}”`;
    clearResult(dialog);
    byId<HTMLButtonElement>('halt-submit').disabled = false;
    dialog.showModal();
    byId<HTMLTextAreaElement>('halt-reason').focus();
  });
  byId('halt-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void submit(dialog);
  });
}

async function submit(dialog: HTMLDialogElement): Promise<void> {
  const creds = credentials();
  const strategy = state.strategy;
  const reason = byId<HTMLTextAreaElement>('halt-reason').value.trim();
  if (!creds || !strategy) return showResult(dialog, 'Operator name and token are missing.', false);
  if (!reason) {
    byId('halt-reason').focus();
    return showResult(dialog, 'Give a reason for the halt.', false);
  }
  if (!byId<HTMLInputElement>('halt-confirm').checked) {
    byId('halt-confirm').focus();
    return showResult(dialog, 'Tick the confirmation box to halt.', false);
  }
  const button = byId<HTMLButtonElement>('halt-submit');
  button.disabled = true;
  showResult(dialog, 'Halting…', true);
  try {
    const mode = byId<HTMLInputElement>('halt-mode-reduce').checked ? 'reduceOnly' : 'halt';
    const answer = await postJson<{ state: BreakerState; tradingMode?: string; alreadyHalted?: StandingHalt; tightened?: boolean }>(strategyPath(strategy, '/halt'), { operator: creds.operator, reason, mode }, creds.token);
    // A halt over a standing one does not replace it: say whose halt stands, why and since when.
    const h = answer.alreadyHalted;
    const already = h
      ? answer.tightened
        ? ` It tightened the reduce-only halt by ${h.operator ?? 'someone'} (${h.reason ?? ''}).`
        : ` It was already halted by ${h.operator ?? 'someone'} since ${clockTime(h.since)}: “${h.reason ?? ''}” — that halt stands; yours is journalled.`
      : '';
    const effect = answer.tradingMode === 'REDUCING' ? 'only risk-reducing orders pass (REDUCING)' : 'new orders are rejected';
    showResult(dialog, `Halted. The strategy is now ${stateLabel(answer.state)}; ${effect}.${already}`, true);
  } catch (error) {
    button.disabled = false;
    showResult(dialog, errorText(error), false);
  }
}
