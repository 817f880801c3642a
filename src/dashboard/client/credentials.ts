import { announce, byId } from './render.ts';

const TOKEN_KEY = 'breakerbox.token';
const OPERATOR_KEY = 'breakerbox.operator';

/** The operator's name and token for this tab (session storage only: never a cookie or the URL). */
export function credentials(): { operator: string; token: string } | null {
  const operator = sessionStorage.getItem(OPERATOR_KEY) ?? '';
  const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  return operator && token ? { operator, token } : null;
}

function showTokenStatus(): void {
  byId('token-status').textContent = sessionStorage.getItem(TOKEN_KEY) ? 'Token set for this session.' : 'No token set.';
}

export function initCredentials(): void {
  const form = byId<HTMLFormElement>('credentials-form');
  const operator = byId<HTMLInputElement>('operator-name');
  const token = byId<HTMLInputElement>('operator-token');
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
  byId('forget-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    token.value = '';
    token.placeholder = '';
    showTokenStatus();
    announce('Token forgotten.');
  });
  showTokenStatus();
}

/** Returns the credentials, or moves focus to the field that is missing. */
export function requireCredentials(): { operator: string; token: string } | null {
  const creds = credentials();
  if (creds) return creds;
  const missingOperator = !sessionStorage.getItem(OPERATOR_KEY);
  byId('token-status').textContent = 'Enter your operator name and API token, then choose “Use for this session”.';
  byId<HTMLInputElement>(missingOperator ? 'operator-name' : 'operator-token').focus();
  announce('Operator name and API token are needed first.', true);
  return null;
}
