/**
 * A few DOM helpers. Text always goes in as text nodes — never through `innerHTML` — so key
 * descriptions, alias names and decrypted text cannot inject markup.
 */

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | boolean | undefined>;

/** Creates an element with attributes (`true` sets an empty attribute, `false`/undefined omits it) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === true) el.setAttribute(name, "");
    else if (typeof value === "string") el.setAttribute(name, value);
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

let nextId = 0;

/** A labelled form field: the label is tied to the control, so it is what a screen reader (and a test) finds. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
) {
  control.id ||= `f${++nextId}`;
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hint && h("small", {}, hint));
}

/** A `<select>` from value/label pairs. */
export function select(
  name: string,
  options: readonly (readonly [string, string])[],
  selected?: string,
): HTMLSelectElement {
  const el = h("select", { name });
  for (const [value, label] of options) el.append(h("option", { value, selected: value === selected }, label));
  return el;
}

/**
 * Runs `action` with `button` disabled (no double submits); returns its result, or undefined if
 * it threw (the caller's `onError` has shown the failure).
 */
export async function busy<T>(
  button: HTMLButtonElement,
  action: () => Promise<T>,
  onError: (err: unknown) => void,
): Promise<T | undefined> {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await action();
  } catch (err) {
    onError(err);
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}
