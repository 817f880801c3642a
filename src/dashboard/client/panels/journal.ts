import { html, render } from 'lit-html';
import type { ErrorKind } from '../../../../machines/constants.ts';
import { clockTime } from '../../../present/format.ts';
import { errorEntryOf } from '../../../present/journalText.ts';
import { detailText } from '../../../present/journalText.ts';
import { ERROR_KIND_ORDER } from '../../../present/labels.ts';
import { state } from '../state.ts';
import { byId } from '../render.ts';
import { figuresList } from './portfolio.ts';

/** The audit journal, newest first. */
export function renderJournal(): void {
  const entries = state.journal;
  render(
    state.journalError
      ? html`<li class="empty">Could not load the journal: ${state.journalError}</li>`
      : entries.length === 0
        ? html`<li class="empty">The journal is empty.</li>`
        : entries.map(
            (e) => html`<li class="log-entry type-${e.type}" data-type=${e.type}>
              <time datetime=${e.timestamp}>${clockTime(e.at)}</time><span class="badge">${e.type}</span><span class="log-breaker">${e.breaker ?? 'strategy'}</span>${e.operator ? html`<span class="log-operator">by ${e.operator}</span>` : ''}<span class="log-text">${detailText(e)}</span>
            </li>`,
          ),
    byId('journal'),
  );
}

const setFilter = (kind: ErrorKind | 'all') => {
  state.errorFilter = kind;
  renderErrors(); // at once: the filter is the user's own action
};

/** Error counts from the server, the kind filter, and the errors the journal holds. */
export function renderErrors(): void {
  const v = state.view;
  const counts = v ? [...v.errors.byKind, ...(v.errors.window ? [v.errors.window] : [])] : [];
  render(v && !v.errors.window ? html`<div class="figure"><dt>Error rate</dt><dd>disabled</dd></div>` : figuresList(counts), byId('error-counts'));
  render(
    html`<legend>Show errors of kind</legend>
      ${(['all', ...ERROR_KIND_ORDER] as const).map(
        (k) => html`<label><input type="radio" name="error-kind" value=${k} .checked=${state.errorFilter === k} @change=${() => setFilter(k)}> ${k}</label>`,
      )}`,
    byId('error-filter'),
  );
  const entries = state.journal.map(errorEntryOf).filter((e) => e !== null);
  const shown = entries.filter((e) => state.errorFilter === 'all' || e.kind === state.errorFilter).length;
  render(
    html`${entries.map(
        (e) => html`<li class="log-entry" data-kind=${e.kind} ?hidden=${state.errorFilter !== 'all' && state.errorFilter !== e.kind}>
          <time datetime=${new Date(e.at).toISOString()}>${clockTime(e.at)}</time><span class="badge kind-${e.kind}">${e.kind}</span><span class="log-breaker">${e.source}</span><span class="log-text">${e.message}</span>
        </li>`,
      )}
      <li class="empty" ?hidden=${shown > 0}>${state.errorFilter === 'all' ? 'No error events in the journal.' : `No ${state.errorFilter} events in the journal.`}</li>`,
    byId('error-log'),
  );
}
