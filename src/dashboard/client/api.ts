/** A failed API call, carrying the server's own error message when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  constructor(status: number, code: string | null, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
}

async function parse<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const err = (body as ErrorBody | null)?.error;
    const message = typeof err?.message === 'string' ? err.message : `${response.status} ${response.statusText || 'request failed'}`;
    const field = typeof err?.field === 'string' ? ` (field: ${err.field})` : '';
    throw new ApiError(response.status, typeof err?.code === 'string' ? err.code : null, `${message}${field && !message.includes(String(err?.field)) ? field : ''}`);
  }
  return body as T;
}

export const strategyPath = (strategy: string, rest = ''): string => `/api/strategies/${encodeURIComponent(strategy)}${rest}`;

export async function getJson<T>(path: string): Promise<T> {
  return parse<T>(await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' }));
}

/** POSTs JSON with the operator's bearer token (sent only in the Authorization header). */
export async function postJson<T>(path: string, body: unknown, token: string): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
  return parse<T>(response);
}
