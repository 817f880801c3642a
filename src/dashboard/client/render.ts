/** One render per animation frame, however many messages arrived: panels are pure views of `state`. */
type Renderer = () => void;

const renderers: Renderer[] = [];
let frame = 0;

/** Registers a panel's render function (called in registration order). */
export function addRenderer(render: Renderer): void {
  renderers.push(render);
}

/** Asks for a render on the next frame. */
export function requestRender(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    renderNow();
  });
}

export function renderNow(): void {
  for (const render of renderers) render();
}

/** Announces a change to screen readers (never by colour alone). */
export function announce(text: string, urgent = false): void {
  const el = document.getElementById(urgent ? 'alerter' : 'announcer');
  if (!el) return;
  el.textContent = '';
  // A fresh text node in a new task makes screen readers announce repeated messages too.
  setTimeout(() => {
    el.textContent = text;
  }, 50);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: missing #${id}`);
  return el as T;
}
