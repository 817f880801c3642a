import { ApiError } from './api.ts';

export function showResult(dialog: HTMLDialogElement, text: string, ok: boolean): void {
  const box = dialog.querySelector<HTMLElement>('.dialog-result')!;
  box.className = `dialog-result ${ok ? 'ok' : 'error'}`;
  box.textContent = text;
}

export function clearResult(dialog: HTMLDialogElement): void {
  dialog.querySelector<HTMLElement>('.dialog-result')!.textContent = '';
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.status === 401 || error.status === 403 ? 'Not authorised: ' : 'Refused: '}${error.message}`;
  return `Request failed: ${error instanceof Error ? error.message : String(error)}`;
}

/** Every dialog's [data-close] buttons close it. */
export function initCloseButtons(): void {
  for (const dialog of Array.from(document.querySelectorAll<HTMLDialogElement>('dialog'))) {
    for (const btn of Array.from(dialog.querySelectorAll<HTMLButtonElement>('[data-close]'))) btn.addEventListener('click', () => dialog.close());
  }
}
