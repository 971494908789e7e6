/**
 * The one way the webview builds DOM: createElement + textContent. Dataset text is untrusted, so
 * nothing here (or anywhere in webview/) parses strings as HTML: no API that turns a string into
 * markup is used. Attribute names are always literals in our code, never data.
 */

export interface ElementProps {
  readonly className?: string;
  /** Set as textContent: shown literally, never parsed. */
  readonly text?: string;
  readonly title?: string;
  /** Static attributes (aria-*, role, data-*); names must be literals, values may be data. */
  readonly attrs?: Readonly<Record<string, string>>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  children: readonly (Node | null | undefined)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title !== undefined) node.title = props.title;
  if (props.attrs) for (const [name, value] of Object.entries(props.attrs)) node.setAttribute(name, value);
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

/** Replaces all children of `parent` (cheaper than diffing for the handful of nodes we show). */
export function replaceChildren(parent: Element, children: readonly (Node | null | undefined)[]): void {
  parent.replaceChildren(...children.filter((c): c is Node => Boolean(c)));
}

/** A button that never keeps focus, so Enter/Space go to the keyboard handler, not the button. */
export function button(text: string, onClick: () => void, props: ElementProps = {}, children: readonly Node[] = []): HTMLButtonElement {
  const node = el('button', { ...props, attrs: { type: 'button', tabindex: '-1', ...(props.attrs ?? {}) } }, children);
  if (text) node.prepend(document.createTextNode(text));
  node.addEventListener('mousedown', (event) => event.preventDefault());
  node.addEventListener('click', onClick);
  return node;
}

export function kbd(key: string): HTMLElement {
  return el('kbd', { text: key });
}

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2, minimumFractionDigits: 2 });

export function formatPercent(value: number): string {
  return percent.format(value);
}

export function formatInt(value: number): string {
  return integer.format(value);
}

export function formatScore(value: number): string {
  return decimal.format(value);
}

/** "1m 05s", "42s", "2h 10m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
