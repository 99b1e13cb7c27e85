import { h } from "./dom.js";

/**
 * A button that copies `text` (an id, ARN, ciphertext, PEM or credential) to the clipboard and
 * says so in its own label for a moment, which screen readers announce. `what` names the value
 * for the button's accessible name ("Copy key ID").
 */
export function copyButton(text: string | (() => string), what: string): HTMLButtonElement {
  const label = `Copy ${what}`;
  const button = h("button", { type: "button", class: "copy secondary", "aria-label": label, title: label }, "Copy");
  button.addEventListener("click", () => {
    const value = typeof text === "string" ? text : text();
    void navigator.clipboard.writeText(value).then(
      () => flash(button, "Copied"),
      () => flash(button, "Copy failed"),
    );
  });
  return button;
}

function flash(button: HTMLButtonElement, text: string): void {
  button.textContent = text;
  button.setAttribute("aria-live", "polite");
  setTimeout(() => {
    button.textContent = "Copy";
  }, 1500);
}

/** A value in monospace with its copy button beside it. */
export function copyable(text: string, what: string, attrs: Record<string, string> = {}): HTMLElement {
  return h("span", { class: "copyable" }, h("span", { class: "mono", ...attrs }, text), copyButton(text, what));
}
