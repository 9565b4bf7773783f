/** A tiny element builder: the page's own code stays plain DOM, with no framework to ship. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

export function h(tag: string, attrs: Attrs | null = null, ...children: Array<Child | Child[]>): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'object' ? child : String(child));
  }
  return element;
}

/** Replaces the contents of `element` in one step (no flash of an empty section). */
export function fill(element: Element, ...children: Array<Node | string>): void {
  element.replaceChildren(...children);
}

const DATE = new Intl.DateTimeFormat('en', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });

/** `2026-12-02` → `Wed, 2 Dec`; dates are calendar days, so formatted in UTC. */
export function formatDate(date: string | undefined): string {
  if (!date) return '';
  const parsed = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? date : DATE.format(parsed);
}

/** `2026-12-02T07:00` → `07:00` (local venue time as the desk entered it). */
export function formatTime(time: string | undefined): string {
  if (!time) return '';
  const match = /T?(\d{2}:\d{2})/.exec(time.includes('T') ? time.slice(time.indexOf('T')) : time);
  return match ? match[1] : '';
}
