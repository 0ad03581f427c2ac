/**
 * Small DOM helpers: elements, buttons styled as JupyterLab's own, and the line under a
 * control that says how its action went.
 */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text = ''
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, value);
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

/** accept: the main action (Lab's blue); reject: a secondary one (grey); warn: one that
 * discards (red). The same classes as JupyterLab's dialog buttons. */
export type ButtonKind = 'accept' | 'reject' | 'warn';

export function button(
  label: string,
  name: string,
  kind: ButtonKind,
  action: () => void
): HTMLButtonElement {
  const node = el(
    'button',
    { type: 'button', class: `jp-mod-styled jp-mod-${kind} pairrepl-button pairrepl-${name}` },
    label
  );
  node.addEventListener('click', () => action());
  return node;
}

export type MessageKind = 'info' | 'success' | 'warning' | 'error';

/** How the action of the control above it went: shown right there, not at the top. */
export class Message {
  readonly node = el('div', { class: 'pairrepl-message', role: 'status' });

  constructor() {
    this.node.hidden = true;
  }

  show(text: string, kind: MessageKind = 'info'): void {
    this.node.textContent = text;
    this.node.className = `pairrepl-message pairrepl-mod-${kind}`;
    this.node.hidden = !text;
  }

  clear(): void {
    this.show('');
  }
}
